// Proves website visitors end to end in a real browser: a site added on the Sites page gives a snippet that, pasted into a real page on another origin and loaded from an address of a catalog company's network (X-Forwarded-For behind a trusted proxy), makes the company appear in the API's feed and on the Visitors page, subscribed for free (web_visit) with its deep data read at no cost and the balance unchanged; a single-page-app navigation counts as a second visit; the feed pages with "Load more" and filters by site and by day.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Request } from 'playwright-core';
import { stopAllServerProcesses } from '../harness/server_process.ts';
import { visitingCompany } from './catalog.ts';
import {
  launchBrowser,
  newPage,
  saveScreenshot,
  sendVisit,
  signIn,
  startE2eServer,
  startStaticSite,
  visitShownMs,
  visitorsOf,
  waitForBalance,
  waitForVisitors,
  type E2eServer,
  type StaticSite,
  type VisitorItem,
} from './harness.ts';

/** The customer's website: the browser resolves this name to the test's static server on 127.0.0.1. */
const siteHost = 'www.lumen-outdoor.example';
/** Where the visitor came from (a search engine's results page). */
const searchReferrer = 'http://search.example/results?q=outdoor+gear';

/** A small single-page site: the snippet in its head, and a link that moves with history.pushState. */
function sitePage(snippet: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Lumen Outdoor</title><link rel="icon" href="data:,">
${snippet}
</head>
<body>
<h1 id="title">Lumen Outdoor</h1>
<nav><a id="pricing" href="/pricing">Pricing</a></nav>
<script>
document.getElementById('pricing').addEventListener('click', function (event) {
  event.preventDefault();
  history.pushState(null, '', '/pricing');
  document.getElementById('title').textContent = 'Pricing';
});
</script>
</body>
</html>
`;
}

interface Account {
  credits: { balance: number };
}

function dayOffset(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The company's item in the feed, once it is there with at least `visits` visits. */
async function waitForVisitor(server: E2eServer, apiKey: string, visits: number): Promise<VisitorItem> {
  let found: VisitorItem | undefined;
  await expect
    .poll(
      async () => {
        found = (await visitorsOf(server, apiKey)).find((item) => item.company.id === visitingCompany.id);
        return found?.visits ?? 0;
      },
      { timeout: visitShownMs, interval: 100 },
    )
    .toBeGreaterThanOrEqual(visits);
  return found!;
}

describe('website visitors', () => {
  let server: E2eServer;
  let browser: Browser;
  let site: StaticSite | undefined;

  beforeAll(async () => {
    // The visitor's address arrives in X-Forwarded-For, as behind a load balancer.
    [server, browser] = await Promise.all([startE2eServer({ env: { QUARRY_TRUST_PROXY: 'true' } }), launchBrowser({ loopbackHosts: [siteHost] })]);
  });
  afterAll(async () => {
    await site?.close();
    await browser?.close();
    await server?.stop();
    await stopAllServerProcesses();
  });

  it('identifies a company visiting a page with the snippet, subscribes it for free and shows it on the Visitors page', async () => {
    const customer = await server.createCustomer('web_visitors', 'Lumen Outdoor');
    // The address belongs to the company's network in the catalog.
    const owner = await server.api<{ data: { id: string } }>(customer.apiKey, 'GET', `/v1/ip/${visitingCompany.address}`);
    expect(owner.status).toBe(200);
    expect(owner.body.data.id).toBe(visitingCompany.id);
    const balanceBefore = (await server.api<Account>(customer.apiKey, 'GET', '/v1/account')).body.credits.balance;

    // The Sites page: a bad domain is refused next to the field; a URL keeps its host.
    const page = await newPage(browser, server);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await signIn(page, customer.email);
    // With every page in the plan (eight links), the header still holds one row at 1280 px: the
    // links, the balance and the sign-out button share one line.
    const rowMiddles = await page.locator('header .top-inner > *, nav[aria-label="Main"] li').evaluateAll((elements) =>
      elements.map((element) => {
        const box = element.getBoundingClientRect();
        return Math.round(box.top + box.height / 2);
      }),
    );
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').count()).toBe(8);
    const widths = await page.locator('header .top-inner > *, .top-right > *, nav[aria-label="Main"] li').evaluateAll((elements) => elements.map((element) => `${element.className || element.tagName}:${Math.round(element.getBoundingClientRect().width)}`));
    expect(Math.max(...rowMiddles) - Math.min(...rowMiddles), `header items centred at ${JSON.stringify(rowMiddles)} ${widths.join(' ')}`).toBeLessThan(6);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sites' }).click();
    await page.getByRole('heading', { name: 'Sites', level: 1 }).waitFor();
    await page.getByText('No sites yet.').waitFor();
    const domainField = page.getByLabel('Domain of the website');
    await domainField.fill('not a domain!');
    await page.getByRole('button', { name: 'Add site' }).click();
    await page.locator('#site-domain-error').waitFor();
    expect(await page.locator('#site-domain-error').textContent()).toMatch(/host name/);
    expect(await domainField.getAttribute('aria-invalid')).toBe('true');
    await saveScreenshot(page, '16-sites-invalid');

    await domainField.fill(`https://WWW.Lumen-Outdoor.example/shop?ref=nav`);
    await page.getByRole('button', { name: 'Add site' }).click();
    await page.locator('.message-ok', { hasText: `Added ${siteHost}.` }).waitFor();
    expect(await page.locator('#site-domain-error').count()).toBe(0);
    const snippetBox = page.getByLabel(`Snippet for ${siteHost}`);
    expect(await snippetBox.getAttribute('readonly')).not.toBeNull();
    const snippet = await snippetBox.inputValue();
    const match = new RegExp(`^<script async src="${server.url}/t\\.js" data-site="(site_[A-Za-z0-9_]+)"></script>$`).exec(snippet);
    expect(match, snippet).not.toBeNull();
    const siteId = match![1]!;

    await page.getByRole('button', { name: `Copy snippet for ${siteHost}` }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    const copied = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    expect(copied).toBe(snippet);

    // The same domain again is the same site, not a second one.
    await domainField.fill(siteHost);
    await page.getByRole('button', { name: 'Add site' }).click();
    await page.locator('.message-ok', { hasText: `${siteHost} was already tracked` }).waitFor();
    expect(await page.getByRole('button', { name: /^Copy snippet/ }).count()).toBe(1);
    await saveScreenshot(page, '16-sites');
    const sites = await server.api<{ data: Array<{ id: string; snippet: string }> }>(customer.apiKey, 'GET', '/v1/sites');
    expect(sites.body.data).toEqual([expect.objectContaining({ id: siteId, snippet })]);

    // The customer's website, with the snippet pasted in, on its own origin.
    site = await startStaticSite(sitePage(snippet));
    const siteUrl = `http://${siteHost}:${site.port}`;
    const visitorContext = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': visitingCompany.address } });
    const visitor = await visitorContext.newPage();
    const collects: Request[] = [];
    visitor.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${server.url}/collect`) collects.push(request);
    });
    await visitor.goto(`${siteUrl}/`, { referer: searchReferrer });
    await expect.poll(() => collects.length, { timeout: visitShownMs }).toBe(1);
    // The report left the browser with the proxy header (the server's answer shows it arrived).
    const sent = collects[0]!;
    expect((await sent.allHeaders())['x-forwarded-for']).toBe(visitingCompany.address);
    // The browser trims a cross-site referrer to its origin (strict-origin-when-cross-origin).
    expect(JSON.parse(sent.postData()!)).toEqual({ site_id: siteId, url: `${siteUrl}/`, referrer: expect.stringMatching(/^http:\/\/search\.example\//) });
    expect((await sent.response())?.status()).toBe(204);

    const first = await waitForVisitor(server, customer.apiKey, 1);
    expect(first).toMatchObject({
      company: { id: visitingCompany.id, name: visitingCompany.name, domain: 'cedar-analytics.example' },
      site_id: siteId,
      visits: 1,
      pages: ['/'],
      referrers: ['search.example'],
    });

    // A single-page-app navigation is a second page view.
    await visitor.getByRole('link', { name: 'Pricing' }).click();
    await visitor.getByRole('heading', { name: 'Pricing' }).waitFor();
    await expect.poll(() => collects.length, { timeout: visitShownMs }).toBe(2);
    expect(JSON.parse(collects[1]!.postData()!)).toMatchObject({ url: `${siteUrl}/pricing`, referrer: `${siteUrl}/` });
    const second = await waitForVisitor(server, customer.apiKey, 2);
    expect(second).toMatchObject({ visits: 2, pages: ['/', '/pricing'], referrers: ['search.example'] });
    expect(Date.parse(second.last_seen)).toBeGreaterThanOrEqual(Date.parse(second.first_seen));
    // The site was loaded once: the second view was the script's, not a reload.
    expect(site.requests).toEqual(['/']);
    await visitorContext.close();

    // The company's deep data reads free through the API: the visit subscribed the account.
    const read = await server.api<{ credits: { charged: number; balance: number }; subscription: { source: string; record_id: string } }>(
      customer.apiKey,
      'GET',
      `/v1/companies/${visitingCompany.id}`,
    );
    expect(read.status).toBe(200);
    expect(read.body.credits.charged).toBe(0);
    expect(read.body.subscription).toMatchObject({ source: 'web_visit', record_id: visitingCompany.id });
    expect(read.headers.get('x-credits-charged')).toBe('0');
    expect((await server.api<Account>(customer.apiKey, 'GET', '/v1/account')).body.credits.balance).toBe(balanceBefore);

    // The Visitors page shows it, free, with its pages and referrer.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Visitors' }).click();
    await page.getByRole('heading', { name: 'Visitors', level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: visitingCompany.name, exact: true }) });
    await row.waitFor();
    expect(await row.getByRole('cell').allTextContents()).toEqual([
      visitingCompany.name,
      'cedar-analytics.example',
      siteHost,
      '2',
      expect.stringMatching(/ UTC$/),
      expect.stringMatching(/ UTC$/),
      expect.stringMatching(/^Free · web visit/),
      expect.stringMatching(/^Show 2 pages/),
    ]);
    const details = page.getByRole('button', { name: `Show 2 pages of ${visitingCompany.name} on ${siteHost}` });
    expect(await details.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByText('/pricing', { exact: true }).isVisible()).toBe(false);
    // By keyboard: the disclosure is an ordinary button.
    await details.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Pages viewed' }).waitFor();
    expect(await page.getByRole('button', { name: /^Hide 2 pages/ }).getAttribute('aria-expanded')).toBe('true');
    await page.getByText('/pricing', { exact: true }).waitFor();
    await page.getByText('search.example', { exact: true }).waitFor();
    await waitForBalance(page, balanceBefore, 5_000);
    await saveScreenshot(page, '17-visitors');

    // Filters: the site keeps it; a day range without its last visit does not.
    await page.getByLabel('Site').selectOption(siteId);
    await expect.poll(() => new URL(page.url()).search).toBe(`?site=${siteId}`);
    await row.waitFor();
    await page.getByLabel('Last visit on or after').fill(dayOffset(1));
    await page.getByText('No visits match.').waitFor();
    await page.getByLabel('Last visit on or after').fill('');
    await page.getByLabel('Last visit on or before').fill(dayOffset(-1));
    await page.getByText('No visits match.').waitFor();
    await page.getByLabel('Last visit on or after').fill(dayOffset(-1));
    await page.getByLabel('Last visit on or before').fill(dayOffset(0));
    await row.waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => new URL(page.url()).search).toBe('');
    await row.waitFor();

    // The badge leads to the company page, which reads its deep data free and names the source.
    await page.getByRole('link', { name: /^Free · web visit/ }).click();
    await page.getByRole('heading', { name: visitingCompany.name, level: 1 }).waitFor();
    await page.getByTestId('subscription-source').waitFor();
    expect(await page.getByTestId('subscription-source').textContent()).toBe('Free: unlocked because this company visited your website.');
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    expect(await page.getByRole('button', { name: 'Unlock · 1 credit' }).count()).toBe(0);
    await waitForBalance(page, balanceBefore, 5_000);

    // Nothing of all this moved a credit.
    const charges = await server.api<{ data: unknown[] }>(customer.apiKey, 'GET', '/v1/credits/ledger?kind=charge');
    expect(charges.body.data).toEqual([]);
    expect((await server.api<Account>(customer.apiKey, 'GET', '/v1/account')).body.credits.balance).toBe(balanceBefore);
    // The visitor's address was used for the lookup only: no file of the data directory holds it,
    // nor does anything the server printed.
    const files = readdirSync(server.dataDir).map((name) => readFileSync(join(server.dataDir, name)));
    expect(files.some((bytes) => bytes.includes(visitingCompany.id))).toBe(true);
    expect(files.some((bytes) => bytes.includes(visitingCompany.address))).toBe(false);
    expect(server.process.output()).not.toContain(visitingCompany.address);
    await page.context().close();
  });

  it('pages through the feed with "Load more" and filters it by site', async () => {
    const customer = await server.createCustomer('platform', 'Many Sites Inc');
    // One item per company and site: 26 sites, one visit each, is one more than a page (25).
    const siteIds: string[] = [];
    for (let index = 0; index < 26; index += 1) {
      const created = await server.api<{ id: string }>(customer.apiKey, 'POST', '/v1/sites', { domain: `shop${index}.many-sites.example` });
      expect(created.status).toBe(201);
      siteIds.push(created.body.id);
    }
    // The first visit is written (and subscribes the company) before the others are sent: this
    // test is about paging the feed, not about how the collector batches a company's first views.
    await sendVisit(server, { siteId: siteIds[0]!, url: 'https://shop0.many-sites.example/', address: visitingCompany.address });
    await waitForVisitors(server, customer.apiKey, 1);
    for (const [index, siteId] of siteIds.entries()) {
      if (index > 0) await sendVisit(server, { siteId, url: `https://shop${index}.many-sites.example/`, address: visitingCompany.address });
    }
    expect(await waitForVisitors(server, customer.apiKey, 26, '?limit=100')).toHaveLength(26);

    const page = await newPage(browser, server);
    await signIn(page, customer.email);
    await page.goto('/visitors');
    await page.getByRole('heading', { name: '25+ visitors' }).waitFor();
    const companyLinks = (current: Page) => current.getByRole('link', { name: visitingCompany.name, exact: true });
    expect(await companyLinks(page).count()).toBe(25);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByRole('heading', { name: '26 visitors' }).waitFor();
    expect(await companyLinks(page).count()).toBe(26);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);

    await page.getByLabel('Site').selectOption({ label: 'shop7.many-sites.example' });
    await page.getByRole('heading', { name: '1 visitor' }).waitFor();
    expect(await page.getByRole('row').filter({ has: companyLinks(page) }).getByRole('cell').nth(2).textContent()).toBe('shop7.many-sites.example');
    await page.context().close();
  });
});
