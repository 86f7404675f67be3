// Proves who reaches what in the browser: an API-only plan's user gets the account area (balance, usage, ledger, keys, top-ups) and a plain explanation instead of the data pages and the website-visitors pages; a member of one account cannot reach another account's data by changing an id in the URL or in an API call made with the session; a member cannot manage keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { stopAllServerProcesses } from '../harness/server_process.ts';
import { launchBrowser, newPage, password, saveScreenshot, signIn, startE2eServer, waitForBalance, type E2eServer } from './harness.ts';

describe('web app access', () => {
  let server: E2eServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startE2eServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await stopAllServerProcesses();
  });

  it('shows an API-only user the account area and explains, instead of showing, the data pages', async () => {
    const customer = await server.createCustomer('api_standalone', 'Pipeline Ltd');
    const page = await newPage(browser, server);
    await signIn(page, customer.email);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await waitForBalance(page, 5000, 5_000);
    await page.getByRole('heading', { name: 'Your plan uses the API' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Dashboard', 'Credits', 'API keys', 'Team']);
    await saveScreenshot(page, '12-api-only-dashboard');

    for (const path of ['/search', '/companies/cmp_e2e_acme', '/subscriptions']) {
      await page.goto(path);
      await page.getByRole('heading', { name: 'This page is not part of your plan' }).waitFor();
      expect(await page.getByRole('button', { name: 'Unlock · 1 credit' }).count()).toBe(0);
    }
    await saveScreenshot(page, '13-api-only-data-page');
    // The website-visitors pages explain the plan too, and read nothing.
    for (const path of ['/visitors', '/sites']) {
      await page.goto(path);
      await page.getByRole('heading', { name: 'Website visitors are not part of your plan' }).waitFor();
      expect(await page.getByRole('table').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Add site' }).count()).toBe(0);
    }
    await saveScreenshot(page, '18-api-only-visitors');
    // Nothing was read, so nothing was charged.
    await waitForBalance(page, 5000);

    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name of the new key').fill('Warehouse sync');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-api-key').textContent())!;
    expect(key).toMatch(/^qry_/);
    await saveScreenshot(page, '09-api-keys-created');
    // The key shown once works, and reading through it charges the same pool the page shows.
    const read = await server.api(key, 'GET', '/v1/companies/cmp_e2e_cedar');
    expect(read.status).toBe(200);
    await waitForBalance(page, 4999);
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await page.getByRole('button', { name: 'Revoke Warehouse sync' }).click();
    await page.getByRole('button', { name: 'Yes, revoke Warehouse sync' }).click();
    await page.getByRole('button', { name: 'Revoke Warehouse sync' }).waitFor({ state: 'detached' });
    expect((await server.api(key, 'GET', '/v1/account')).status).toBe(401);
    await page.context().close();
  });

  it('keeps a member inside their own account, whatever id they put in the URL or the API', async () => {
    const other = await server.createCustomer('platform', 'Other Corp');
    // The other account unlocks a company and has a key of its own.
    expect((await server.api(other.apiKey, 'GET', '/v1/companies/cmp_e2e_delta')).headers.get('x-credits-charged')).toBe('1');
    const otherKeys = await server.api<{ data: Array<{ id: string }> }>(other.apiKey, 'GET', '/v1/api-keys');
    const otherKeyId = otherKeys.body.data[0]!.id;

    const own = await server.createCustomer('platform', 'Own Corp');
    const ownerPage = await newPage(browser, server);
    await signIn(ownerPage, own.email);
    await ownerPage.getByRole('link', { name: 'Team' }).click();
    const memberEmail = `member.${Date.now()}@e2e.example`;
    await ownerPage.getByLabel('Email').fill(memberEmail);
    await ownerPage.getByLabel('First password').fill(password);
    await ownerPage.getByRole('button', { name: 'Add' }).click();
    await ownerPage.getByText(`${memberEmail} can now sign in.`).waitFor();
    await saveScreenshot(ownerPage, '10-team');
    await ownerPage.context().close();

    const page = await newPage(browser, server);
    await signIn(page, memberEmail);
    await waitForBalance(page, 1000, 5_000);
    // The other account's subscription does not carry over: the company is locked for this one.
    await page.goto('/companies/cmp_e2e_delta');
    await page.getByRole('button', { name: 'Unlock · 1 credit' }).waitFor();
    // The operator console's URL of the other account is not a page for a customer.
    await page.goto(`/operator/accounts/${other.accountId}`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await waitForBalance(page, 1000, 5_000);

    // The same through the API with the page's own session (cookie and CSRF token).
    const answers = await page.evaluate(
      async ({ accountId, keyId }) => {
        const session = (await (await fetch('/v1/session')).json()) as { csrf_token: string };
        const headers = { 'X-CSRF-Token': session.csrf_token };
        const status = async (path: string, method = 'GET') => (await fetch(path, { method, headers })).status;
        const subscriptions = (await (await fetch('/v1/subscriptions', { headers })).json()) as { data: unknown[] };
        return {
          adminAccount: await status(`/admin/v1/accounts/${accountId}`),
          adminLedger: await status(`/admin/v1/accounts/${accountId}/ledger`),
          revokeOtherKey: await status(`/v1/api-keys/${keyId}`, 'DELETE'),
          ownSubscriptions: subscriptions.data.length,
          account: ((await (await fetch('/v1/account', { headers })).json()) as { id: string }).id,
        };
      },
      { accountId: other.accountId, keyId: otherKeyId },
    );
    expect(answers).toEqual({ adminAccount: 403, adminLedger: 403, revokeOtherKey: 403, ownSubscriptions: 0, account: own.accountId });
    // The other account's key still works: nothing was revoked.
    expect((await server.api(other.apiKey, 'GET', '/v1/account')).status).toBe(200);

    // A member sees the keys but may not create or revoke one.
    await page.goto('/api-keys');
    await page.getByText('Only an owner of the account can create or revoke keys.').waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    // A member sees the team but may not remove anyone.
    await page.getByRole('link', { name: 'Team' }).click();
    await page.getByText('(you)').waitFor();
    expect(await page.getByRole('button', { name: /^Remove / }).count()).toBe(0);

    // The owner removes the member (after confirming): the member's open page is signed out.
    const removingPage = await newPage(browser, server);
    await signIn(removingPage, own.email);
    await removingPage.getByRole('link', { name: 'Team' }).click();
    await removingPage.getByRole('button', { name: `Remove ${memberEmail}` }).click();
    await removingPage.getByRole('button', { name: `Yes, remove ${memberEmail}` }).click();
    await removingPage.getByRole('button', { name: `Remove ${memberEmail}` }).waitFor({ state: 'detached' });
    expect(await removingPage.getByRole('cell', { name: memberEmail }).count()).toBe(0);
    await removingPage.context().close();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.context().close();
  });
});
