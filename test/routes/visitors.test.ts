// Proves website visitors end to end through the HTTP app, on every database: sites (create,
// list, plan gate, idempotency), the tracking script, POST /collect (IPv4, IPv6 and a forwarded
// address identify the company, which then reads free under a `web_visit` subscription with the
// balance and ledger untouched; bots, unknown addresses, unknown or foreign sites and bad bodies
// record nothing and still answer 204), that /collect answers before the write, exactly one
// subscription when two collectors write at once, the limit per client address, the IP index
// rebuilt after a catalog import, the visitors feed with its filters and cursor, and that the raw
// client address is found in no column of the database and no log line.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, testAdminToken, type TestApp } from '../harness/test_app.ts';
import { allSubscriptions, balanceOf, expectError, fullLedger } from '../factories/accounts.ts';
import { VisitCollector } from '../../src/app/visitors/visit_collector.ts';
import { sqliteWriteConnection } from '../../src/store/sqlite.ts';

const browser = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

const companies = [
  { id: 'cmp_vis_wide', name: 'Wide Visitors', domain: 'wide-visitors.example', country: 'DE', ip_ranges: ['198.51.0.0/16', '2001:db8::/32'], signals: [{ type: 'hiring', title: 'Hiring', occurred_at: '2025-10-01T00:00:00Z' }] },
  { id: 'cmp_vis_narrow', name: 'Narrow Visitors', domain: 'narrow-visitors.example', country: 'FR', ip_ranges: ['198.51.100.0/24', '2001:db8:aa::/48'] },
  { id: 'cmp_vis_other', name: 'Other Visitors', domain: 'other-visitors.example', country: 'GB', ip_ranges: ['192.0.2.0/24'] },
  { id: 'cmp_vis_race', name: 'Racing Visitors', domain: 'race-visitors.example', country: 'GB', ip_ranges: ['203.0.113.0/25'] },
];

/** The client addresses used; none may be stored or logged. */
const addresses = {
  narrowV4: '198.51.100.23',
  narrowV6: '2001:db8:aa::17',
  wideForwarded: '198.51.7.77',
  other: '192.0.2.45',
  race: '203.0.113.66',
  unknown: '100.64.9.9',
  moving: '100.100.5.5',
};
/** Client addresses of the bulk test, checked with the others. */
const bulkAddresses: string[] = [];

async function importCompanies(app: TestApp, records: object[]): Promise<void> {
  const body = records.map((record) => JSON.stringify(record)).join('\n');
  const imported = await app.api('POST', '/admin/v1/catalog/companies', { key: testAdminToken, rawBody: body, headers: { 'content-type': 'application/x-ndjson' } });
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
}

interface Collect {
  siteId: string;
  address: string;
  /** Write the queued views before returning (the default), as the collector's timer would within a second. */
  flush?: boolean;
  url?: string;
  referrer?: string | null;
  userAgent?: string | null;
  forwardedFor?: string;
}

async function collect(app: TestApp, input: Collect): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'text/plain;charset=UTF-8' };
  // null: an empty User-Agent (inject would otherwise send its own).
  headers['user-agent'] = input.userAgent === null ? '' : (input.userAgent ?? browser);
  if (input.forwardedFor) headers['x-forwarded-for'] = input.forwardedFor;
  const response = await app.server.inject({
    method: 'POST',
    url: '/collect',
    remoteAddress: input.address,
    headers,
    payload: JSON.stringify({ site_id: input.siteId, url: input.url ?? 'https://shop.example/pricing?email=a@b.c', referrer: input.referrer ?? 'https://news.example/story' }),
  });
  expect(response.body).toBe('');
  expect(response.headers['access-control-allow-origin']).toBe('*');
  if (input.flush !== false) await app.server.visitCollector.flush();
  return response.statusCode;
}

interface VisitorItem {
  company: { id: string };
  site_id: string;
  visits: number;
  pages: string[];
  referrers: string[];
  subscription: { id: string; source: string; record_id: string } | null;
}

async function visitors(app: TestApp, key: string, query = ''): Promise<{ data: VisitorItem[]; next_cursor: string | null }> {
  const response = await app.api('GET', `/v1/visitors${query}`, { key });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

/** Every value of every column of every table, as text. */
async function databaseText(app: TestApp): Promise<string> {
  const db = app.store.db;
  const tables =
    app.kind === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows.map((row) => row.name)
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)).rows.map((row) => row.name);
  expect(tables).toContain('site_visits');
  const parts: string[] = [];
  for (const table of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows;
    for (const row of rows) {
      for (const value of Object.values(row)) parts.push(value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : String(value));
    }
  }
  return parts.join('\n');
}

describeEachDatabase('website visitors', (kind) => {
  let app: TestApp;
  const logLines: string[] = [];
  let account: { id: string; key: string };
  let siteId: string;

  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    app = await startTestApp(kind, { trustProxy: true, logger: pino({ level: 'info' }, logStream) });
    await importCompanies(app, companies);
    account = await app.createAccount('platform');
    const created = await app.api('POST', '/v1/sites', { key: account.key, body: { domain: 'https://Shop.Example/pricing' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    siteId = created.body.id;
  });

  afterAll(async () => {
    await app.close();
  });

  describe('sites', () => {
    it('creates a site with its snippet, answers an existing domain with its site, and lists them', async () => {
      const owner = await app.createAccount('platform');
      const created = await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'www.Example.com' }, headers: { host: 'quarry.example:8443' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ domain: 'www.example.com' });
      expect(created.body.id).toMatch(/^site_[0-9a-z]{26}$/);
      expect(created.body.snippet).toBe(`<script async src="http://quarry.example:8443/t.js" data-site="${created.body.id}"></script>`);
      const again = await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'http://www.example.com/' } });
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(created.body.id);
      const second = await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'blog.example.com' } });
      expect(second.status).toBe(201);
      const first = await app.api('GET', '/v1/sites?limit=1', { key: owner.key });
      expect(first.status).toBe(200);
      expect(first.body.data.map((site: { id: string }) => site.id)).toEqual([created.body.id]);
      const rest = await app.api('GET', `/v1/sites?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`, { key: owner.key });
      expect(rest.body).toMatchObject({ data: [{ id: second.body.id, domain: 'blog.example.com' }], next_cursor: null });
      expectError(await app.api('GET', '/v1/sites?cursor=nonsense', { key: owner.key }), 400, 'invalid_request');
    });

    it('refuses a domain that names no host', async () => {
      for (const domain of ['not a domain', 'http://', '-x-.example']) {
        expectError(await app.api('POST', '/v1/sites', { key: account.key, body: { domain } }), 400, 'invalid_request');
      }
    });

    it('creates once per Idempotency-Key, and refuses the key with another body', async () => {
      const owner = await app.createAccount('platform');
      const headers = { 'idempotency-key': 'site-once' };
      const first = await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'once.example' }, headers });
      const repeat = await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'once.example' }, headers });
      expect(first.status).toBe(201);
      expect(repeat.status).toBe(201);
      expect(repeat.headers['idempotent-replayed']).toBe('true');
      expect(repeat.body).toEqual(first.body);
      expectError(await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'twice.example' }, headers }), 409, 'idempotency_conflict');
      expect((await app.api('GET', '/v1/sites', { key: owner.key })).body.data).toHaveLength(1);
    });
  });

  it('serves the tracking script: JavaScript, cacheable, beacon and fetch fallback, SPA navigation, no cookies', async () => {
    const response = await app.server.inject({ method: 'GET', url: '/t.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/javascript');
    expect(response.headers['cache-control']).toContain('max-age=');
    expect(response.headers['set-cookie']).toBeUndefined();
    for (const part of ['data-site', 'sendBeacon', 'keepalive', 'pushState', 'replaceState', 'popstate', '/collect']) expect(response.body).toContain(part);
    expect(response.body).not.toContain('cookie');
    expect(response.body).not.toContain('localStorage');
    const revalidated = await app.server.inject({ method: 'GET', url: '/t.js', headers: { 'if-none-match': String(response.headers['etag']) } });
    expect(revalidated.statusCode).toBe(304);
  });

  it('answers the CORS preflight of /collect', async () => {
    const response = await app.server.inject({ method: 'OPTIONS', url: '/collect', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(String(response.headers['access-control-allow-methods'])).toContain('POST');
  });

  it('identifies a company from an IPv4 and an IPv6 address; its deep data then reads free under web_visit', async () => {
    expect(await collect(app, { siteId, address: addresses.narrowV4 })).toBe(204);
    expect(await collect(app, { siteId, address: addresses.narrowV6, url: 'https://shop.example/docs', referrer: 'https://shop.example/pricing' })).toBe(204);
    const feed = await visitors(app, account.key);
    expect(feed.data).toHaveLength(1);
    expect(feed.data[0]).toMatchObject({
      company: { id: 'cmp_vis_narrow', name: 'Narrow Visitors', domain: 'narrow-visitors.example' },
      site_id: siteId,
      visits: 2,
      pages: ['/pricing', '/docs'],
      referrers: ['news.example'],
      subscription: { source: 'web_visit', record_type: 'company', record_id: 'cmp_vis_narrow', ended_at: null },
    });
    const read = await app.api('GET', '/v1/companies/cmp_vis_narrow', { key: account.key });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ subscription: { source: 'web_visit', record_id: 'cmp_vis_narrow' }, credits: { charged: 0, balance: 1000 } });
    expect(await balanceOf(app, account.id)).toBe(1000);
    const ledger = await fullLedger(app, account.id);
    // A web_visit subscription moves no credit: no ledger entry beyond the period's allowance.
    expect(ledger.filter((entry) => entry.kind !== 'grant')).toEqual([]);
    expect((await app.admin('GET', '/admin/v1/reconcile')).body).toMatchObject({ ok: true });
    expect((await allSubscriptions(app, account.key)).filter((subscription) => subscription.record_id === 'cmp_vis_narrow')).toHaveLength(1);
  });

  it('takes the address from X-Forwarded-For behind a trusted proxy', async () => {
    expect(await collect(app, { siteId, address: '10.0.0.1', forwardedFor: addresses.wideForwarded })).toBe(204);
    const feed = await visitors(app, account.key);
    expect(feed.data.map((item) => item.company.id)).toContain('cmp_vis_wide');
    const read = await app.api('GET', '/v1/companies/cmp_vis_wide/signals', { key: account.key });
    expect(read.body).toMatchObject({ subscription: { source: 'web_visit' }, credits: { charged: 0 } });
  });

  it('records nothing for a bot, an unknown address, an unknown site, or a malformed body, and still answers 204', async () => {
    const owner = await app.createAccount('platform');
    const site = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'quiet.example' } })).body.id as string;
    expect(await collect(app, { siteId: site, address: addresses.other, userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' })).toBe(204);
    expect(await collect(app, { siteId: site, address: addresses.other, userAgent: null })).toBe(204);
    expect(await collect(app, { siteId: site, address: addresses.unknown })).toBe(204);
    expect(await collect(app, { siteId: 'site_01jzzzzzzzzzzzzzzzzzzzzzzz', address: addresses.other })).toBe(204);
    expect(await collect(app, { siteId: site, address: addresses.other, url: 'javascript:alert(1)' })).toBe(204);
    const bad: Array<{ payload: string; type?: string }> = [
      { payload: 'not json' },
      { payload: '{}' },
      { payload: JSON.stringify({ site_id: site }) },
      { payload: JSON.stringify({ site_id: site, url: 'https://quiet.example/' }), type: 'application/x-www-form-urlencoded' },
      { payload: '{"site_id":', type: 'application/json' },
      { payload: JSON.stringify({ site_id: site, url: `https://quiet.example/${'x'.repeat(20_000)}` }) },
      { payload: '', type: 'application/json' },
    ];
    for (const { payload, type } of bad) {
      const response = await app.server.inject({ method: 'POST', url: '/collect', remoteAddress: addresses.other, headers: { 'content-type': type ?? 'text/plain', 'user-agent': browser }, payload });
      expect(response.statusCode, payload.slice(0, 40)).toBe(204);
      expect(response.body).toBe('');
      expect(response.headers['access-control-allow-origin']).toBe('*');
    }
    // A valid JSON body is accepted too.
    const json = await app.server.inject({ method: 'POST', url: '/collect', remoteAddress: addresses.other, headers: { 'content-type': 'application/json', 'user-agent': browser }, payload: { site_id: site, url: 'https://quiet.example/json' } });
    expect(json.statusCode).toBe(204);
    await app.server.visitCollector.flush();
    const feed = await visitors(app, owner.key);
    expect(feed.data.map((item) => [item.company.id, item.visits, item.pages])).toEqual([['cmp_vis_other', 1, ['/json']]]);
    expect(await allSubscriptions(app, owner.key)).toHaveLength(1);
  });

  it("subscribes nothing for the first account when another account's site is visited", async () => {
    const other = await app.createAccount('platform');
    const otherSite = (await app.api('POST', '/v1/sites', { key: other.key, body: { domain: 'shop.example' } })).body.id as string;
    const before = await visitors(app, account.key);
    const subscriptionsBefore = await allSubscriptions(app, account.key);
    expect(await collect(app, { siteId: otherSite, address: addresses.other })).toBe(204);
    expect((await visitors(app, other.key)).data.map((item) => item.company.id)).toEqual(['cmp_vis_other']);
    expect(await visitors(app, account.key)).toEqual(before);
    expect(await allSubscriptions(app, account.key)).toEqual(subscriptionsBefore);
    expect((await app.api('GET', `/v1/visitors?site_id=${otherSite}`, { key: account.key })).body.data).toEqual([]);
  });

  it('gates sites and visitors on website_visitors, and a plan without it subscribes nothing on a visit', async () => {
    const apiOnly = await app.createAccount('api_standalone');
    expectError(await app.api('POST', '/v1/sites', { key: apiOnly.key, body: { domain: 'gated.example' } }), 403, 'feature_not_in_plan');
    expectError(await app.api('GET', '/v1/sites', { key: apiOnly.key }), 403, 'feature_not_in_plan');
    expectError(await app.api('GET', '/v1/visitors', { key: apiOnly.key }), 403, 'feature_not_in_plan');
    // A site added while the plan had the feature, then the plan changes.
    const downgraded = await app.createAccount('platform');
    const site = (await app.api('POST', '/v1/sites', { key: downgraded.key, body: { domain: 'downgraded.example' } })).body.id as string;
    expect((await app.admin('PATCH', `/admin/v1/accounts/${downgraded.id}`, { plan_id: 'api_standalone' })).status).toBe(200);
    expect(await collect(app, { siteId: site, address: addresses.other })).toBe(204);
    expect(await allSubscriptions(app, downgraded.key)).toEqual([]);
    const rows = await app.store.db.selectFrom('site_visits').selectAll().where('account_id', '=', downgraded.id).execute();
    expect(rows).toEqual([]);
  });

  it('answers before writing: a view shows in the feed once the collector has flushed', async () => {
    const owner = await app.createAccount('platform');
    const site = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'queued.example' } })).body.id as string;
    expect(await collect(app, { siteId: site, address: addresses.other, flush: false })).toBe(204);
    expect((await visitors(app, owner.key)).data).toEqual([]);
    expect(await app.server.visitCollector.flush()).toMatchObject({ recorded: 1 });
    expect((await visitors(app, owner.key)).data.map((item) => item.company.id)).toEqual(['cmp_vis_other']);
  });

  it('starts exactly one subscription when two collectors write first visits at once', async () => {
    const owner = await app.createAccount('platform');
    const site = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'race.example' } })).body.id as string;
    // Two collectors stand for two server processes: each queues three views and both flush together.
    const collectors = [new VisitCollector(app.context), new VisitCollector(app.context)];
    for (const collector of collectors) {
      for (let view = 0; view < 3; view += 1) {
        expect(collector.accept({ siteId: site, url: 'https://race.example/', address: addresses.race, userAgent: browser })).toBe('queued');
      }
    }
    const counts = await Promise.all(collectors.map((collector) => collector.flush()));
    expect(counts.map((count) => count.recorded)).toEqual([3, 3]);
    const subscriptions = await allSubscriptions(app, owner.key);
    expect(subscriptions.map((subscription) => [subscription.record_id, subscription.source])).toEqual([['cmp_vis_race', 'web_visit']]);
    expect((await visitors(app, owner.key)).data[0]).toMatchObject({ company: { id: 'cmp_vis_race' }, visits: 6 });
    expect(await balanceOf(app, owner.id)).toBe(1000);
    expect((await fullLedger(app, owner.id)).map((entry) => entry.kind)).toEqual(['grant']);
  });

  it('starts a new subscription on a visit after the last one lapsed', async () => {
    const owner = await app.createAccount('platform');
    const site = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'lapse.example' } })).body.id as string;
    await collect(app, { siteId: site, address: addresses.other });
    const first = (await visitors(app, owner.key)).data[0]!.subscription;
    expect(first).toMatchObject({ source: 'web_visit', record_id: 'cmp_vis_other' });
    app.advanceDays(370);
    // Lapsed: the feed says so until the next visit starts another.
    expect((await visitors(app, owner.key)).data[0]!.subscription).toBeNull();
    await collect(app, { siteId: site, address: addresses.other });
    const second = (await visitors(app, owner.key)).data[0]!.subscription;
    expect(second).toMatchObject({ source: 'web_visit', record_id: 'cmp_vis_other' });
    expect(second!.id).not.toBe(first!.id);
    const subscriptions = await allSubscriptions(app, owner.key);
    expect(subscriptions.map((subscription) => subscription.source)).toEqual(['web_visit', 'web_visit']);
    expect(subscriptions.filter((subscription) => subscription.ended_at === null && Date.parse(subscription.expires_at) > app.clock.now())).toHaveLength(1);
  });

  it('lists visitors newest first, filtered by site and time, page by page', async () => {
    const owner = await app.createAccount('platform');
    const first = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'feed-one.example' } })).body.id as string;
    const second = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'feed-two.example' } })).body.id as string;
    await collect(app, { siteId: first, address: addresses.narrowV4 });
    app.advanceDays(1);
    const middle = new Date(app.clock.now()).toISOString();
    await collect(app, { siteId: first, address: addresses.other });
    app.advanceDays(1);
    await collect(app, { siteId: second, address: addresses.race });
    const all = await visitors(app, owner.key);
    expect(all.data.map((item) => item.company.id)).toEqual(['cmp_vis_race', 'cmp_vis_other', 'cmp_vis_narrow']);
    const page1 = await visitors(app, owner.key, '?limit=2');
    const page2 = await visitors(app, owner.key, `?limit=2&cursor=${encodeURIComponent(page1.next_cursor!)}`);
    expect([...page1.data, ...page2.data].map((item) => item.company.id)).toEqual(all.data.map((item) => item.company.id));
    expect(page2.next_cursor).toBeNull();
    expect((await visitors(app, owner.key, `?site_id=${first}`)).data.map((item) => item.company.id)).toEqual(['cmp_vis_other', 'cmp_vis_narrow']);
    expect((await visitors(app, owner.key, `?since=${encodeURIComponent(middle)}`)).data.map((item) => item.company.id)).toEqual(['cmp_vis_race', 'cmp_vis_other']);
    expect((await visitors(app, owner.key, `?until=${encodeURIComponent(middle)}`)).data.map((item) => item.company.id)).toEqual(['cmp_vis_narrow']);
    expectError(await app.api('GET', '/v1/visitors?cursor=bogus', { key: owner.key }), 400, 'invalid_request');
  });

  it("starts one subscription when a company's first views of two sites of one account are written together", async () => {
    const owner = await app.createAccount('platform');
    const siteA = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'first-of-two.example' } })).body.id as string;
    const siteB = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'second-of-two.example' } })).body.id as string;
    expect(await collect(app, { siteId: siteA, address: addresses.other, flush: false })).toBe(204);
    expect(await collect(app, { siteId: siteB, address: addresses.other, flush: false })).toBe(204);
    expect(await app.server.visitCollector.flush()).toMatchObject({ recorded: 2, failed: 0 });
    expect((await visitors(app, owner.key)).data.map((item) => [item.site_id, item.company.id]).sort()).toEqual(
      [[siteA, 'cmp_vis_other'], [siteB, 'cmp_vis_other']].sort(),
    );
    expect((await allSubscriptions(app, owner.key)).map((subscription) => [subscription.record_id, subscription.source])).toEqual([['cmp_vis_other', 'web_visit']]);
  });

  it('limits page views per client address, and drops what is over the limit', async () => {
    const owner = await app.createAccount('platform');
    const site = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'limited.example' } })).body.id as string;
    const collector = new VisitCollector(app.context, { rateLimit: { perSecond: 1, burst: 3 } });
    const view = { siteId: site, url: 'https://limited.example/', userAgent: browser };
    const outcomes = Array.from({ length: 5 }, () => collector.accept({ ...view, address: addresses.other }));
    expect(outcomes).toEqual(['queued', 'queued', 'queued', 'rate_limited', 'rate_limited']);
    // Another address has its own bucket.
    expect(collector.accept({ ...view, address: addresses.race })).toBe('queued');
    expect(await collector.flush()).toMatchObject({ recorded: 4 });
    const visits = new Map((await visitors(app, owner.key)).data.map((item) => [item.company.id, item.visits]));
    expect(Object.fromEntries(visits)).toEqual({ cmp_vis_other: 3, cmp_vis_race: 1 });
  });

  it('writes a batch of more pairs than one statement holds: every view counted once, one subscription per company', async () => {
    // 1,100 companies × 2 sites = 2,200 (site, company) pairs: past the statements' row, pair and
    // id limits, so the batch's reads and upserts run in several slices.
    const bulk = Array.from({ length: 1_100 }, (_, index) => ({
      id: `cmp_vis_bulk_${String(index).padStart(4, '0')}`,
      name: `Bulk Visitor ${index}`,
      domain: `bulk-visitor-${index}.example`,
      country: 'DE',
      ip_ranges: [`10.${200 + (index >> 8)}.${index & 255}.0/24`],
    }));
    await importCompanies(app, bulk);
    const owner = await app.createAccount('platform');
    const sites = [
      (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'bulk-one.example' } })).body.id as string,
      (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'bulk-two.example' } })).body.id as string,
    ];
    const collector = new VisitCollector(app.context);
    const expected = new Map<string, number>();
    const queue = (round: number): void => {
      bulk.forEach((company, index) => {
        const address = `10.${200 + (index >> 8)}.${index & 255}.${1 + round}`;
        bulkAddresses.push(address);
        // The first site sees each company once a round, the second twice.
        for (const [siteIndex, views] of [[0, 1], [1, 2]] as const) {
          for (let view = 0; view < views; view += 1) {
            expect(collector.accept({ siteId: sites[siteIndex]!, url: `https://bulk.example/page-${view}`, address, userAgent: browser })).toBe('queued');
          }
          const key = `${sites[siteIndex]} ${company.id}`;
          expected.set(key, (expected.get(key) ?? 0) + views);
        }
      });
    };
    const stored = async (): Promise<Map<string, number>> => {
      const rows = await app.store.db.selectFrom('site_visits').select(['site_id', 'company_id', 'visits']).where('account_id', '=', owner.id).execute();
      return new Map(rows.map((row) => [`${row.site_id} ${row.company_id}`, Number(row.visits)]));
    };
    queue(0);
    expect(await collector.flush()).toMatchObject({ recorded: 3300, unknownAddress: 0, failed: 0, queueFull: 0 });
    expect(await stored()).toEqual(expected);
    // A second batch merges into the stored rows.
    queue(1);
    expect(await collector.flush()).toMatchObject({ recorded: 3300, failed: 0 });
    expect(await stored()).toEqual(expected);
    expect([...(await stored()).values()].every((visits) => visits === 2 || visits === 4)).toBe(true);
    const subscriptions = (await allSubscriptions(app, owner.key)).filter((subscription) => subscription.record_id.startsWith('cmp_vis_bulk_'));
    expect(subscriptions).toHaveLength(1_100);
    expect(new Set(subscriptions.map((subscription) => subscription.record_id)).size).toBe(1_100);
    expect(subscriptions.every((subscription) => subscription.source === 'web_visit')).toBe(true);
    expect(await balanceOf(app, owner.id)).toBe(1000);
  });

  it('counts and logs the views dropped because the queue was full', async () => {
    const owner = await app.createAccount('platform');
    const site = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'full-queue.example' } })).body.id as string;
    const collector = new VisitCollector(app.context, { queueMax: 2 });
    const view = { siteId: site, url: 'https://full-queue.example/', address: addresses.other, userAgent: browser };
    expect([1, 2, 3, 4].map(() => collector.accept(view))).toEqual(['queued', 'queued', 'queue_full', 'queue_full']);
    const logged = logLines.length;
    expect(await collector.flush()).toMatchObject({ recorded: 2, queueFull: 2 });
    const warnings = logLines.slice(logged).map((line) => JSON.parse(line) as { msg: string; views?: number; level: number });
    expect(warnings).toContainEqual(expect.objectContaining({ msg: 'visit queue full: page views dropped', views: 2, level: 40 }));
    // The count starts again after each flush; the queue has room again.
    expect(collector.accept(view)).toBe('queued');
    expect(await collector.flush()).toMatchObject({ recorded: 1, queueFull: 0 });
    expect((await visitors(app, owner.key)).data[0]).toMatchObject({ company: { id: 'cmp_vis_other' }, visits: 3 });
  });

  it('rebuilds the IP-to-company index when a catalog import adds or moves ranges', async () => {
    const owner = await app.createAccount('platform');
    const site = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'moving.example' } })).body.id as string;
    expect(await collect(app, { siteId: site, address: addresses.moving })).toBe(204);
    expect((await visitors(app, owner.key)).data).toEqual([]);
    await importCompanies(app, [{ id: 'cmp_vis_new', name: 'New Visitors', domain: 'new-visitors.example', country: 'NL', ip_ranges: ['100.100.0.0/16'] }]);
    expect(await collect(app, { siteId: site, address: addresses.moving })).toBe(204);
    expect((await visitors(app, owner.key)).data.map((item) => item.company.id)).toEqual(['cmp_vis_new']);
    // An update by id moves the company's range away, and another company's range holds the address now.
    await importCompanies(app, [
      { id: 'cmp_vis_new', name: 'New Visitors', domain: 'new-visitors.example', country: 'NL', ip_ranges: ['100.101.0.0/16'] },
      { id: 'cmp_vis_later', name: 'Later Visitors', domain: 'later-visitors.example', country: 'NL', ip_ranges: ['100.100.5.0/24'] },
    ]);
    app.advanceDays(1);
    expect(await collect(app, { siteId: site, address: addresses.moving })).toBe(204);
    expect((await visitors(app, owner.key)).data.map((item) => item.company.id)).toEqual(['cmp_vis_later', 'cmp_vis_new']);
  });

  it('keeps the raw client address out of every column of the database, every file of its data directory and every log line', async () => {
    const text = await databaseText(app);
    expect(text).toContain('cmp_vis_narrow');
    const logs = logLines.join('');
    expect(logs).toContain('/collect');
    // SQLite: the bytes of every file beside the database (the file, its write-ahead log), where
    // a deleted or overwritten row could linger.
    const connection = sqliteWriteConnection(app.store.db);
    const files = connection ? readdirSync(dirname(connection.name)).map((name) => readFileSync(join(dirname(connection.name), name))) : [];
    if (kind === 'sqlite') expect(files.some((bytes) => bytes.includes('cmp_vis_narrow'))).toBe(true);
    for (const address of [...Object.values(addresses), ...bulkAddresses]) {
      expect(text.includes(address), `database holds ${address}`).toBe(false);
      expect(logs.includes(address), `logs hold ${address}`).toBe(false);
      expect(files.some((bytes) => bytes.includes(address)), `a file of the data directory holds ${address}`).toBe(false);
    }
  });
});

describeEachDatabase('website visitors without a trusted proxy', (kind) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(kind, { trustProxy: false });
    await importCompanies(app, companies);
  });

  afterAll(async () => {
    await app.close();
  });

  it('builds the IP-to-company index at start only once a site is tracked', async () => {
    const collector = new VisitCollector(app.context);
    await collector.warm();
    expect(collector.indexBuilt).toBe(false);
    const owner = await app.createAccount('platform');
    expect((await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'first-site.example' } })).status).toBe(201);
    await collector.warm();
    expect(collector.indexBuilt).toBe(true);
  });

  it('ignores X-Forwarded-For and identifies the connection address', async () => {
    const owner = await app.createAccount('platform');
    const site = (await app.api('POST', '/v1/sites', { key: owner.key, body: { domain: 'direct.example' } })).body.id as string;
    expect(await collect(app, { siteId: site, address: addresses.unknown, forwardedFor: addresses.narrowV4 })).toBe(204);
    expect((await visitors(app, owner.key)).data).toEqual([]);
    expect(await collect(app, { siteId: site, address: `::ffff:${addresses.narrowV4}`, forwardedFor: addresses.unknown })).toBe(204);
    expect((await visitors(app, owner.key)).data.map((item) => item.company.id)).toEqual(['cmp_vis_narrow']);
  });
});
