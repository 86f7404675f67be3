// Proves the main pages have no serious or critical accessibility violations by axe-core (labels, contrast, headings, landmarks, names of controls), that the sign-in form works by keyboard alone, and saves a screenshot of each page for a person to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { stopAllServerProcesses } from '../harness/server_process.ts';
import { visitingCompany } from './catalog.ts';
import {
  launchBrowser,
  type PageGlobals,
  newPage,
  saveScreenshot,
  sendVisit,
  seriousAccessibilityViolations,
  signIn,
  startE2eServer,
  waitForVisitors,
  type Customer,
  type E2eServer,
} from './harness.ts';

async function expectAccessible(page: Page, name: string): Promise<void> {
  const violations = await seriousAccessibilityViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

describe('accessibility of the main pages', () => {
  let server: E2eServer;
  let browser: Browser;
  let customer: Customer;

  beforeAll(async () => {
    // The proxy header is trusted so that a visit can come from a catalog company's network.
    [server, browser] = await Promise.all([startE2eServer({ env: { QUARRY_TRUST_PROXY: 'true' } }), launchBrowser()]);
    customer = await server.createCustomer('platform', 'Axe Works');
    // Something in every list: a subscription, charges, a key, a site and a visitor.
    await server.api(customer.apiKey, 'GET', '/v1/companies/cmp_e2e_blue');
    await server.api(customer.apiKey, 'GET', '/v1/contacts/cnt_e2e_mila');
    const site = await server.api<{ id: string }>(customer.apiKey, 'POST', '/v1/sites', { domain: 'www.axe-works.example' });
    await sendVisit(server, { siteId: site.body.id, url: 'https://www.axe-works.example/pricing', address: visitingCompany.address, referrer: 'https://search.example/' });
    await waitForVisitors(server, customer.apiKey, 1);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await stopAllServerProcesses();
  });

  it('signs in with the keyboard alone, and the sign-in page passes axe', async () => {
    const page = await newPage(browser, server);
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id)).toBe('sign-in-email');
    await page.keyboard.type(customer.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(customer.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.context().close();
  });

  it('passes axe on every customer page', async () => {
    const page = await newPage(browser, server);
    await signIn(page, customer.email);
    const pages: Array<{ path: string; heading: string; screenshot: string; ready?: (page: Page) => Promise<unknown> }> = [
      { path: '/', heading: 'Dashboard', screenshot: '03-dashboard-axe', ready: (current) => current.getByText('Show the figures as a table').waitFor() },
      { path: '/search?country=NL', heading: 'Search companies', screenshot: '06-search', ready: (current) => current.getByRole('link', { name: 'Blue Harbor Logistics' }).waitFor() },
      { path: '/search?mode=advanced', heading: 'Search companies', screenshot: '06-search-advanced' },
      { path: '/companies/cmp_e2e_blue', heading: 'Blue Harbor Logistics', screenshot: '05-company-subscribed', ready: (current) => current.getByRole('heading', { name: 'Profile' }).waitFor() },
      { path: '/companies/cmp_e2e_acme', heading: 'Acme Robotics', screenshot: '04-company-locked-axe', ready: (current) => current.getByRole('button', { name: /^Reveal · 1 credit.*Anna Keller$/ }).waitFor() },
      { path: '/subscriptions', heading: 'Subscriptions', screenshot: '14-subscriptions', ready: (current) => current.getByRole('link', { name: 'cmp_e2e_blue' }).waitFor() },
      {
        path: '/visitors',
        heading: 'Visitors',
        screenshot: '17-visitors-axe',
        // Opened, so that the pages and referrers are checked too.
        ready: async (current) => {
          await current.getByRole('link', { name: /^Free · web visit/ }).waitFor();
          await current.getByRole('button', { name: /^Show 1 page/ }).click();
          await current.getByRole('heading', { name: 'Pages viewed' }).waitFor();
        },
      },
      { path: '/sites', heading: 'Sites', screenshot: '16-sites-axe', ready: (current) => current.getByLabel('Snippet for www.axe-works.example').waitFor() },
      { path: '/credits', heading: 'Credits', screenshot: '07-credits-axe', ready: (current) => current.getByRole('cell', { name: 'company cmp_e2e_blue' }).waitFor() },
      { path: '/api-keys', heading: 'API keys', screenshot: '09-api-keys', ready: (current) => current.getByRole('button', { name: /^Revoke / }).first().waitFor() },
      { path: '/team', heading: 'Team', screenshot: '10-team-axe', ready: (current) => current.getByText('(you)').waitFor() },
    ];
    for (const { path, heading, screenshot, ready } of pages) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await ready?.(page);
      await saveScreenshot(page, screenshot);
      await expectAccessible(page, path);
    }
    await page.context().close();
  });

  it('passes axe on the operator console', async () => {
    const operator = await server.createOperator();
    const page = await newPage(browser, server);
    await signIn(page, operator.email);
    await page.getByRole('heading', { name: 'Accounts', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Axe Works' }).waitFor();
    await saveScreenshot(page, '15-operator-accounts');
    await expectAccessible(page, '/operator');
    await page.getByRole('link', { name: 'Axe Works' }).click();
    await page.getByRole('heading', { name: 'Axe Works', level: 1 }).waitFor();
    await page.getByRole('button', { name: /^Refund the charge/ }).first().waitFor();
    await expectAccessible(page, '/operator/accounts/:id');
    await page.context().close();
  });
});
