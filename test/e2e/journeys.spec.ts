// Proves the web app's main journeys in a real browser against a real server: signing in (and a wrong password that does not), unlocking a company for exactly one credit that then reads free everywhere, and a balance that follows credits spent through the API and granted by an operator, live, within 2 seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { stopAllServerProcesses } from '../harness/server_process.ts';
import { balancesOf, launchBrowser, newPage, saveScreenshot, signIn, startE2eServer, waitForBalance, type Customer, type E2eServer } from './harness.ts';

describe('web app journeys', () => {
  let server: E2eServer;
  let browser: Browser;
  let customer: Customer;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
    customer = await server.createCustomer('platform', 'Northwind Traders');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await stopAllServerProcesses();
  });

  it('refuses a wrong password with one plain message, and signs in with the right one', async () => {
    const page = await newPage(browser, server);
    await page.goto('/');
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    await saveScreenshot(page, '01-sign-in');
    await page.getByLabel('Email').fill(customer.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Wrong email or password.');
    expect((await page.context().cookies()).some((cookie) => cookie.name === 'quarry_session')).toBe(false);
    await saveScreenshot(page, '02-sign-in-wrong-password');

    await page.getByLabel('Password').fill(customer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await waitForBalance(page, 1000, 5_000);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.context().close();
  });

  it('search → company → unlock costs exactly 1 credit; after a reload it is still unlocked and the API reads it free', async () => {
    const page = await newPage(browser, server);
    await signIn(page, customer.email);
    await waitForBalance(page, 1000, 5_000);

    await page.getByRole('link', { name: 'Search', exact: true }).click();
    await page.getByLabel('Name or domain').fill('acme');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'Acme Robotics' }).click();
    await page.getByRole('heading', { name: 'Acme Robotics', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Unlock · 1 credit' }).waitFor();
    // Looking costs nothing.
    expect(await balancesOf(page)).toEqual([1000]);
    await saveScreenshot(page, '04-company-locked');

    await page.getByRole('button', { name: 'Unlock · 1 credit' }).click();
    await page.getByTestId('subscription-status').waitFor();
    expect(await page.getByTestId('subscription-status').textContent()).toMatch(/^Subscribed until \d{1,2} \w{3} 2027$/);
    await waitForBalance(page, 999);
    await page.getByRole('heading', { name: 'Signals' }).waitFor();
    await page.getByText('Raised a 20M Series B').waitFor();
    await page.getByRole('heading', { name: 'Financials' }).waitFor();
    await page.getByText('Acme Robotics opens a plant in Leipzig').waitFor();

    await page.reload();
    await page.getByTestId('subscription-status').waitFor();
    await page.getByText('Raised a 20M Series B').waitFor();
    expect(await page.getByRole('button', { name: 'Unlock · 1 credit' }).count()).toBe(0);
    await waitForBalance(page, 999, 5_000);
    // Nothing was charged by the reload: still one charge in the ledger.
    const ledger = await server.api<{ data: Array<{ kind: string; channel: string }> }>(customer.apiKey, 'GET', '/v1/credits/ledger?kind=charge');
    expect(ledger.body.data).toHaveLength(1);
    expect(ledger.body.data[0]!.channel).toBe('web');

    const read = await server.api<{ subscription: { record_id: string } }>(customer.apiKey, 'GET', '/v1/companies/cmp_e2e_acme');
    expect(read.status).toBe(200);
    expect(read.headers.get('x-credits-charged')).toBe('0');
    expect(read.headers.get('x-credits-remaining')).toBe('999');

    // A contact is its own record: revealing one costs one more credit.
    await page.getByRole('button', { name: /^Reveal · 1 credit.*Anna Keller$/ }).click();
    await page.getByText('anna.keller@acme-robotics.example').waitFor();
    await waitForBalance(page, 998);
    await saveScreenshot(page, '05-company-unlocked');
    await page.context().close();
  });

  it('follows a credit spent through the API while the page is open, within 2 seconds', async () => {
    const page = await newPage(browser, server);
    await signIn(page, customer.email);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await waitForBalance(page, 998, 5_000);
    // The page is live once its event stream is open (the green dot).
    await page.locator('.live-dot.live').waitFor();

    const read = await server.api(customer.apiKey, 'GET', '/v1/companies/cmp_e2e_blue');
    expect(read.status).toBe(200);
    expect(read.headers.get('x-credits-charged')).toBe('1');
    await waitForBalance(page, 997);
    await saveScreenshot(page, '03-dashboard');
    await page.context().close();
  });

  it('shows a top-up that an operator grants in the console on the customer’s open page, within 2 seconds', async () => {
    const operator = await server.createOperator();
    const customerPage = await newPage(browser, server);
    await signIn(customerPage, customer.email);
    await customerPage.getByRole('link', { name: 'Credits', exact: true }).click();
    await customerPage.getByRole('heading', { name: 'Credits', level: 1 }).waitFor();
    await customerPage.locator('.live-dot.live').waitFor();
    const before = (await balancesOf(customerPage))[0]!;

    const operatorPage = await newPage(browser, server);
    await signIn(operatorPage, operator.email);
    await operatorPage.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    await operatorPage.getByLabel('Name or account id').fill('Northwind');
    await operatorPage.getByRole('button', { name: 'Find' }).click();
    await operatorPage.getByRole('link', { name: 'Northwind Traders' }).click();
    await operatorPage.getByRole('heading', { name: 'Northwind Traders', level: 1 }).waitFor();
    await operatorPage.getByLabel('Credits', { exact: true }).fill('250');
    await operatorPage.getByLabel('Expires on (optional)').fill('2099-12-31');
    await operatorPage.getByLabel('Note (optional)').fill('Goodwill');
    await operatorPage.getByRole('button', { name: 'Grant top-up' }).click();
    await operatorPage.getByText(/Granted 250 credits, expiring 31 Dec 2099/).waitFor();

    await waitForBalance(customerPage, before + 250);
    await customerPage.getByRole('cell', { name: 'Goodwill' }).waitFor();
    await saveScreenshot(customerPage, '07-credits');
    await operatorPage.getByTestId('operator-account-balance').filter({ hasText: String(before + 250) }).waitFor();
    await saveScreenshot(operatorPage, '11-operator-account');
    await customerPage.context().close();
    await operatorPage.context().close();
  });

  it('buys a top-up bundle after showing its exact expiry', async () => {
    const page: Page = await newPage(browser, server);
    await signIn(page, customer.email);
    await page.getByRole('link', { name: 'Credits', exact: true }).click();
    const before = (await balancesOf(page))[0]!;
    await page.getByRole('button', { name: 'Choose 100 credits' }).click();
    const account = await server.api<{ period: { end: string } }>(customer.apiKey, 'GET', '/v1/account');
    const expiry = await page.getByTestId('top-up-expiry').textContent();
    const periodEnd = new Date(account.body.period.end);
    expect(expiry).toContain(String(periodEnd.getUTCFullYear()));
    expect(expiry).toContain(`${periodEnd.getUTCDate()} `);
    await saveScreenshot(page, '08-credits-top-up');
    await page.getByRole('button', { name: 'Buy 100 credits' }).click();
    await page.getByText(/Added 100 credits/).waitFor();
    await waitForBalance(page, before + 100);
    const grants = await server.api<{ data: Array<{ kind: string; credits: number }> }>(customer.apiKey, 'GET', '/v1/credits/ledger?kind=grant');
    expect(grants.body.data.filter((entry) => entry.credits === 100)).toHaveLength(1);
    await page.context().close();
  });
});
