// Proves every customer and operator endpoint answers in the shapes API.md promises, with filters and pagination that never repeat or skip.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, testAdminToken, testStart, type TestApp } from '../harness/test_app.ts';
import { insertCompany, insertContact } from '../factories/catalog.ts';
import { addApiKey, expectError, fullLedger, type ErrorBody, type Grant, type LedgerEntry, type Subscription } from '../factories/accounts.ts';

const startIso = new Date(testStart).toISOString();
const firstPeriodEnd = '2026-02-15T10:00:00.000Z';
const isoInstant = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

const ledgerEntryShape = {
  id: expect.stringMatching(/^led_/),
  at: isoInstant,
  kind: expect.stringMatching(/^(grant|charge|expire|refund|adjust)$/),
  credits: expect.any(Number),
  balance_after: expect.any(Number),
  channel: expect.stringMatching(/^(api|web|visit|operator|system)$/),
  actor: { type: expect.stringMatching(/^(api_key|user|operator|system)$/), id: expect.toBeOneOf([expect.any(String), null]) },
};

const subscriptionShape = {
  id: expect.stringMatching(/^sub_/),
  record_type: expect.stringMatching(/^(company|contact)$/),
  record_id: expect.any(String),
  source: expect.stringMatching(/^(credit|web_visit|grant)$/),
  started_at: isoInstant,
  expires_at: isoInstant,
};

const grantShape = {
  id: expect.stringMatching(/^grant_/),
  source: expect.stringMatching(/^(allowance|top_up|adjustment|refund)$/),
  credits: expect.any(Number),
  remaining: expect.any(Number),
  expires_at: isoInstant,
};

const ndjson = { 'content-type': 'application/x-ndjson' };

/** Follows next_cursor to the end; fails on a page that repeats an item. */
async function collectPages<T extends { id: string }>(app: TestApp, url: string, key: string, onPage?: () => Promise<void>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const separator = url.includes('?') ? '&' : '?';
    const page: { status: number; body: { data: T[]; next_cursor: string | null } } = await app.api('GET', cursor === null ? url : `${url}${separator}cursor=${encodeURIComponent(cursor)}`, { key });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(Object.keys(page.body).sort()).toEqual(['data', 'next_cursor']);
    items.push(...page.body.data);
    cursor = page.body.next_cursor;
    if (cursor === null) break;
    expect(page.body.data.length).toBeGreaterThan(0);
    await onPage?.();
  }
  expect(cursor).toBeNull();
  expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
  return items;
}

describeEachDatabase('happy paths', (kind) => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp(kind);
  });
  afterEach(async () => app.close());

  it('GET /v1/account: plan, period and credits', async () => {
    const account = await app.createAccount('platform', 'Acme Research');
    const companyId = await insertCompany(app.store.db);
    await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
    const response = await app.api('GET', '/v1/account', { key: account.key });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['x-credits-remaining']).toBe('999');
    expect(response.body).toMatchObject({
      id: account.id,
      name: 'Acme Research',
      plan: { id: 'platform', features: ['web_app', 'api_basic', 'api_advanced', 'website_visitors'], credits_per_period: 1000, period: 'month' },
      period: { start: startIso, end: firstPeriodEnd },
      credits: { balance: 999, granted: 1000, used: 1, expiring: [{ credits: 999, expires_at: firstPeriodEnd }] },
    });
  });

  it('GET /v1/companies/{id} and its lists, GET /v1/contacts/{id}: the record envelope and credit headers', async () => {
    const account = await app.createAccount('platform');
    const companyId = await insertCompany(app.store.db, { name: 'Envelope Ltd', domain: 'envelope.example.com', country: 'FR' });
    const contactId = await insertContact(app.store.db, companyId);
    const company = await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
    expect(company.status).toBe(200);
    expect(company.headers['x-credits-charged']).toBe('1');
    expect(company.headers['x-credits-remaining']).toBe('999');
    expect(Object.keys(company.body).sort()).toEqual(['credits', 'data', 'subscription']);
    expect(company.body.data).toMatchObject({
      id: companyId,
      name: 'Envelope Ltd',
      domain: 'envelope.example.com',
      country: 'FR',
      industry: 'Software',
      employees: 120,
      technologies: ['postgresql', 'react'],
      ip_ranges: [],
    });
    expect(company.body.subscription).toMatchObject({ ...subscriptionShape, record_type: 'company', record_id: companyId, source: 'credit' });
    expect(company.body.credits).toEqual({ charged: 1, balance: 999 });

    const signals = await app.api('GET', `/v1/companies/${companyId}/signals`, { key: account.key });
    expect(signals.body.data).toEqual([{ type: 'hiring', title: 'Hiring engineers', occurred_at: '2025-11-01T00:00:00.000Z' }]);
    const financials = await app.api('GET', `/v1/companies/${companyId}/financials`, { key: account.key });
    expect(financials.body.data).toEqual([{ year: 2025, revenue_usd: 12_000_000, employees: 120 }]);
    const news = await app.api('GET', `/v1/companies/${companyId}/news`, { key: account.key });
    expect(news.body.data).toEqual([{ title: 'Test Company opens an office', url: null, source: 'Test Wire', published_at: null, summary: null }]);
    for (const list of [signals, financials, news]) {
      expect(list.headers['x-credits-charged']).toBe('0');
      expect(list.body.subscription.id).toBe(company.body.subscription.id);
      expect(list.body.credits).toEqual({ charged: 0, balance: 999 });
    }

    const contact = await app.api('GET', `/v1/contacts/${contactId}`, { key: account.key });
    expect(contact.body.data).toMatchObject({ id: contactId, company_id: companyId, first_name: 'Ada', email: expect.stringContaining('@'), phone: '+44 20 7946 0000' });
    expect(contact.body.subscription).toMatchObject({ ...subscriptionShape, record_type: 'contact', record_id: contactId });
    expect(contact.body.credits).toEqual({ charged: 1, balance: 998 });
  });

  it('reads a record whose id has the longest length the catalog accepts (128 characters)', async () => {
    const account = await app.createAccount('platform');
    const longId = `cmp_${'l'.repeat(124)}`;
    await insertCompany(app.store.db, { id: longId });
    const response = await app.api('GET', `/v1/companies/${longId}`, { key: account.key });
    expect(response.status, JSON.stringify(response.body).slice(0, 200)).toBe(200);
    expect(response.body.data.id).toBe(longId);
  });

  it('GET /v1/credits/ledger: entry fields with channel and actor, and the kind, since and until filters', async () => {
    const created = await app.admin<{ account: { id: string }; api_key: string; api_key_id: string }>('POST', '/admin/v1/accounts', { name: 'Ledger Co', plan_id: 'platform' });
    const account = { id: created.body.account.id, key: created.body.api_key };
    const companyId = await insertCompany(app.store.db);
    app.advanceDays(1);
    await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
    app.advanceDays(1);
    await app.admin('POST', `/admin/v1/accounts/${account.id}/adjustments`, { credits: 10, reason: 'welcome' });

    const response = await app.api<{ data: LedgerEntry[]; next_cursor: string | null }>('GET', '/v1/credits/ledger', { key: account.key });
    expect(response.status).toBe(200);
    expect(response.body.next_cursor).toBeNull();
    const [adjustment, charge, grant] = response.body.data;
    for (const entry of response.body.data) expect(entry).toMatchObject(ledgerEntryShape);
    expect(adjustment).toMatchObject({
      kind: 'adjust',
      credits: 10,
      balance_after: 1009,
      at: '2026-01-17T10:00:00.000Z',
      record: null,
      channel: 'operator',
      actor: { type: 'operator', id: null },
      grant_id: expect.stringMatching(/^grant_/),
    });
    expect(charge).toMatchObject({
      kind: 'charge',
      credits: -1,
      balance_after: 999,
      at: '2026-01-16T10:00:00.000Z',
      record: { type: 'company', id: companyId },
      channel: 'api',
      actor: { type: 'api_key', id: created.body.api_key_id },
      grant_id: grant!.grant_id,
    });
    expect(grant).toMatchObject({ kind: 'grant', credits: 1000, balance_after: 1000, at: startIso, record: null, channel: 'operator' });

    const charges = await app.api<{ data: LedgerEntry[] }>('GET', '/v1/credits/ledger?kind=charge', { key: account.key });
    expect(charges.body.data.map((entry) => entry.id)).toEqual([charge!.id]);
    const since = await app.api<{ data: LedgerEntry[] }>('GET', '/v1/credits/ledger?since=2026-01-16T10:00:00Z', { key: account.key });
    expect(since.body.data.map((entry) => entry.id)).toEqual([adjustment!.id, charge!.id]);
    const until = await app.api<{ data: LedgerEntry[] }>('GET', `/v1/credits/ledger?until=${encodeURIComponent('2026-01-16T10:00:00+00:00')}`, { key: account.key });
    expect(until.body.data.map((entry) => entry.id)).toEqual([grant!.id]);
    const window = await app.api<{ data: LedgerEntry[] }>('GET', '/v1/credits/ledger?since=2026-01-16T00:00:00Z&until=2026-01-17T00:00:00Z', { key: account.key });
    expect(window.body.data.map((entry) => entry.id)).toEqual([charge!.id]);
  });

  it('pages the ledger with limit and cursor, never repeating or skipping, even while entries are added', async () => {
    const account = await app.createAccount('platform');
    for (let index = 0; index < 9; index += 1) await insertCompany(app.store.db, { id: `cmp_page_${index}` });
    for (let index = 0; index < 6; index += 1) await app.api('GET', `/v1/companies/cmp_page_${index}`, { key: account.key });
    const before = await fullLedger(app, account.id);
    expect(before).toHaveLength(7);

    const paged = await collectPages<LedgerEntry>(app, '/v1/credits/ledger?limit=2', account.key);
    expect(paged.map((entry) => entry.id)).toEqual(before.map((entry) => entry.id).reverse());

    // New entries arriving between pages land ahead of the cursor: the walk neither repeats nor skips.
    let added = 6;
    const walked = await collectPages<LedgerEntry>(app, '/v1/credits/ledger?limit=3', account.key, async () => {
      if (added < 9) await app.api('GET', `/v1/companies/cmp_page_${added++}`, { key: account.key });
    });
    expect(walked.map((entry) => entry.id)).toEqual(before.map((entry) => entry.id).reverse());

    expect(added).toBe(8);
    const total = 7 + (added - 6);
    const exact = await app.api<{ data: LedgerEntry[]; next_cursor: string | null }>('GET', `/v1/credits/ledger?limit=${total}`, { key: account.key });
    expect(exact.body.data).toHaveLength(total);
    expect(exact.body.next_cursor).toBeNull();
  });

  it('GET /v1/credits/bundles and POST /v1/credits/top-ups', async () => {
    const account = await app.createAccount('platform');
    const bundles = await app.api('GET', '/v1/credits/bundles', { key: account.key });
    expect(bundles.status).toBe(200);
    expect(bundles.body.next_cursor).toBeNull();
    expect(bundles.body.data.length).toBeGreaterThan(0);
    for (const bundle of bundles.body.data) {
      expect(bundle).toMatchObject({ id: expect.any(String), name: expect.any(String), credits: expect.any(Number), price: { amount_cents: expect.any(Number), currency: 'USD' } });
    }
    const bundle = bundles.body.data[0] as { id: string; credits: number };
    const bought = await app.api<{ grant: Grant; balance: number }>('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: bundle.id } });
    expect(bought.status).toBe(201);
    expect(bought.body.grant).toMatchObject({ ...grantShape, source: 'top_up', credits: bundle.credits, remaining: bundle.credits, bundle_id: bundle.id, created_at: startIso, expires_at: firstPeriodEnd });
    expect(bought.body.balance).toBe(1000 + bundle.credits);
  });

  it('GET /v1/subscriptions: record_type, active=false and expiring_before filters, and pagination', async () => {
    const account = await app.createAccount('platform');
    const companies: string[] = [];
    for (let index = 0; index < 5; index += 1) companies.push(await insertCompany(app.store.db));
    const contactId = await insertContact(app.store.db, companies[0]!);
    const subscriptionOf = async (path: string): Promise<Subscription> =>
      (await app.api<{ subscription: Subscription }>('GET', path, { key: account.key })).body.subscription;

    const early = await subscriptionOf(`/v1/companies/${companies[0]}`);
    const contact = await subscriptionOf(`/v1/contacts/${contactId}`);
    app.advanceDays(30);
    const later = [];
    for (const companyId of companies.slice(1)) later.push(await subscriptionOf(`/v1/companies/${companyId}`));
    const refunded = later.pop()!;
    expect((await app.admin('POST', `/admin/v1/accounts/${account.id}/refunds`, { subscription_id: refunded.id, reason: 'test' })).status).toBe(201);

    const list = async (query: string) => {
      const response = await app.api<{ data: Subscription[]; next_cursor: string | null }>('GET', `/v1/subscriptions${query}`, { key: account.key });
      expect(response.status, query).toBe(200);
      for (const item of response.body.data) expect(item).toMatchObject(subscriptionShape);
      return response.body.data.map((item) => item.id).sort();
    };
    const activeIds = [early.id, contact.id, ...later.map((item) => item.id)].sort();
    expect(await list('')).toEqual(activeIds);
    expect(await list('?active=true')).toEqual(activeIds);
    expect(await list('?active=false')).toEqual([refunded.id]);
    expect(await list('?record_type=contact')).toEqual([contact.id]);
    expect(await list('?record_type=company')).toEqual([early.id, ...later.map((item) => item.id)].sort());
    expect(await list('?record_type=contact&active=false')).toEqual([]);
    expect(await list(`?expiring_before=${encodeURIComponent('2027-01-16T00:00:00Z')}`)).toEqual([early.id, contact.id].sort());
    expect(await list('?expiring_before=2026-06-01T00:00:00Z')).toEqual([]);

    const paged = await collectPages<Subscription>(app, '/v1/subscriptions?limit=2', account.key);
    expect(paged.map((item) => item.id).sort()).toEqual(activeIds);
    const pagedCompanies = await collectPages<Subscription>(app, '/v1/subscriptions?limit=1&record_type=company', account.key);
    expect(pagedCompanies).toHaveLength(4);
  });

  it('operator accounts: create (with Idempotency-Key), get, list with q and pagination, change plan', async () => {
    const headers = { 'idempotency-key': 'open-acme' };
    const created = await app.admin('POST', '/admin/v1/accounts', { name: 'Acme Analytics', plan_id: 'web_visitors' }, headers);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      account: {
        id: expect.stringMatching(/^acct_/),
        name: 'Acme Analytics',
        plan: { id: 'web_visitors', features: ['web_app', 'api_basic', 'website_visitors'], credits_per_period: 100, period: 'month' },
        period: { start: startIso, end: firstPeriodEnd },
        credits: { balance: 100, granted: 100, used: 0, expiring: [{ credits: 100, expires_at: firstPeriodEnd }] },
      },
      api_key: expect.stringMatching(/^qry_/),
    });
    const replay = await app.admin('POST', '/admin/v1/accounts', { name: 'Acme Analytics', plan_id: 'web_visitors' }, headers);
    expect(replay.status).toBe(201);
    expect(replay.body.account.id).toBe(created.body.account.id);
    const id = created.body.account.id as string;
    expect((await app.api('GET', '/v1/account', { key: created.body.api_key })).body.id).toBe(id);

    const read = await app.admin('GET', `/admin/v1/accounts/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body.account);

    await app.createAccount('platform', 'Zenith Mining');
    await app.createAccount('platform', 'Acme Logistics');
    const found = await app.admin<{ data: Array<{ name: string }>; next_cursor: null }>('GET', '/admin/v1/accounts?q=acme');
    expect(found.body.data.map((item) => item.name).sort()).toEqual(['Acme Analytics', 'Acme Logistics']);
    expect(found.body.data[0]).toMatchObject({ id: expect.stringMatching(/^acct_/), plan_id: expect.any(String), balance: expect.any(Number), created_at: startIso });
    const byId = await app.admin<{ data: Array<{ id: string }> }>('GET', `/admin/v1/accounts?q=${id}`);
    expect(byId.body.data.map((item) => item.id)).toEqual([id]);
    const all = await collectPages<{ id: string }>(app, '/admin/v1/accounts?limit=1', testAdminToken);
    expect(all).toHaveLength(3);

    const patched = await app.admin('PATCH', `/admin/v1/accounts/${id}`, { plan_id: 'platform' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, plan: { id: 'platform', credits_per_period: 1000 }, credits: { balance: 1000 } });
  });

  it('operator API keys, top-ups, adjustments, refunds, ledger, clock and reconcile', async () => {
    const account = await app.createAccount('platform');
    const key = await app.admin('POST', `/admin/v1/accounts/${account.id}/api-keys`, { name: 'ci' });
    expect(key.status).toBe(201);
    expect(key.body).toEqual({ id: expect.stringMatching(/^key_/), account_id: account.id, name: 'ci', key: expect.stringMatching(/^qry_/), prefix: expect.any(String), created_at: startIso });
    expect(key.body.key.startsWith(key.body.prefix)).toBe(true);
    expect((await app.api('GET', '/v1/account', { key: key.body.key })).status).toBe(200);

    const topUp = await app.admin('POST', `/admin/v1/accounts/${account.id}/top-ups`, { credits: 20, note: 'pilot', expires_at: '2026-04-01T00:00:00Z' });
    expect(topUp.status).toBe(201);
    expect(topUp.body).toEqual({ grant: { ...grantShape, source: 'top_up', credits: 20, remaining: 20, expires_at: '2026-04-01T00:00:00.000Z', created_at: startIso, bundle_id: null, note: 'pilot' }, balance: 1020 });

    const adjustment = await app.admin('POST', `/admin/v1/accounts/${account.id}/adjustments`, { credits: -5, reason: 'correction' });
    expect(adjustment.status).toBe(201);
    expect(adjustment.body).toEqual({ entry: expect.objectContaining({ ...ledgerEntryShape, kind: 'adjust', credits: -5, balance_after: 1015, note: 'correction' }), balance: 1015 });

    const companyId = await insertCompany(app.store.db);
    const read = await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
    const refund = await app.admin('POST', `/admin/v1/accounts/${account.id}/refunds`, { subscription_id: read.body.subscription.id, reason: 'test' });
    expect(refund.status).toBe(201);
    expect(refund.body).toEqual({ entry: expect.objectContaining({ ...ledgerEntryShape, kind: 'refund', credits: 1, balance_after: 1015 }), balance: 1015 });

    const ledger = await app.admin<{ data: LedgerEntry[]; next_cursor: string | null }>('GET', `/admin/v1/accounts/${account.id}/ledger`);
    expect(ledger.status).toBe(200);
    expect(ledger.body.data.map((entry) => entry.kind)).toEqual(['refund', 'charge', 'adjust', 'grant', 'grant']);
    const customerLedger = await app.api<{ data: LedgerEntry[] }>('GET', '/v1/credits/ledger', { key: account.key });
    expect(customerLedger.body.data).toEqual(ledger.body.data);

    const clock = await app.admin('POST', '/admin/v1/clock', { advance_days: 1.5 });
    expect(clock.body).toEqual({ now: '2026-01-16T22:00:00.000Z' });
    const clockTo = await app.admin('POST', '/admin/v1/clock', { now: '2026-01-20T00:00:00+02:00' });
    expect(clockTo.body).toEqual({ now: '2026-01-19T22:00:00.000Z' });

    const reconcile = await app.admin('GET', '/admin/v1/reconcile');
    expect(reconcile.status).toBe(200);
    expect(reconcile.body).toEqual({ ok: true, accounts_checked: 1, differences: [] });
  });

  it('POST /admin/v1/accounts/{id}/api-keys without a body issues an unnamed key', async () => {
    // API.md documents no body for this endpoint, so a bare POST must work.
    const account = await app.createAccount('platform');
    const unnamed = await app.admin('POST', `/admin/v1/accounts/${account.id}/api-keys`);
    expect(unnamed.status, JSON.stringify(unnamed.body)).toBe(201);
    expect(unnamed.body).toMatchObject({ id: expect.stringMatching(/^key_/), account_id: account.id, name: null });
    expect((await app.api('GET', '/v1/account', { key: unnamed.body.key })).status).toBe(200);
  });

  it('POST /admin/v1/catalog/companies and /contacts: NDJSON import, re-import updates by id', async () => {
    const account = await app.createAccount('platform');
    const companies = [
      {
        id: 'cmp_import_1',
        name: 'Northwind Traders',
        domain: 'northwind.example',
        industry: 'Retail',
        employees: 250,
        revenue_usd: 40_000_000,
        country: 'us',
        city: 'Seattle',
        founded: 1998,
        description: 'Imports fine foods.',
        technologies: ['kafka', 'kafka', 'react'],
        ip_ranges: ['192.0.2.0/24'],
        signals: [{ type: 'funding_round', title: 'Series B', occurred_at: '2025-09-01T00:00:00Z' }],
        financials: [{ year: 2024, revenue_usd: 40_000_000, employees: 250 }],
        news: [{ title: 'Northwind opens in Lyon', url: 'https://news.example/nw', source: 'Wire', published_at: '2025-10-01', summary: 'A new office.' }],
      },
      { id: 'cmp_import_2', name: 'Contoso' },
      { id: 'cmp_import_3', name: 'Fabrikam', domain: '', country: null, extra_column: 'ignored' },
    ];
    const body = companies.map((company) => JSON.stringify(company)).join('\n') + '\n';
    const imported = await app.api('POST', '/admin/v1/catalog/companies', { key: testAdminToken, rawBody: body, headers: ndjson });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toEqual({ imported: 3, created: 3, updated: 0 });

    const read = await app.api('GET', '/v1/companies/cmp_import_1', { key: account.key });
    expect(read.body.data).toMatchObject({ id: 'cmp_import_1', name: 'Northwind Traders', country: 'US', technologies: ['kafka', 'react'], ip_ranges: ['192.0.2.0/24'] });
    const signals = await app.api('GET', '/v1/companies/cmp_import_1/signals', { key: account.key });
    expect(signals.body.data).toEqual([{ type: 'funding_round', title: 'Series B', occurred_at: '2025-09-01T00:00:00.000Z' }]);
    const minimal = await app.api('GET', '/v1/companies/cmp_import_3', { key: account.key });
    expect(minimal.body.data).toMatchObject({ name: 'Fabrikam', domain: null, country: null, technologies: [] });

    const contacts = [
      { id: 'cnt_import_1', company_id: 'cmp_import_1', first_name: 'Grace', last_name: 'Hopper', title: 'CTO', seniority: 'c_level', department: 'engineering', email: 'grace@northwind.example', phone: '+1 206 555 0100', country: 'US' },
      { id: 'cnt_import_2', company_id: 'cmp_import_2', last_name: 'Lovelace' },
    ];
    const contactBody = contacts.map((contact) => JSON.stringify(contact)).join('\n');
    const contactImport = await app.api('POST', '/admin/v1/catalog/contacts', { key: testAdminToken, rawBody: contactBody, headers: ndjson });
    expect(contactImport.body).toEqual({ imported: 2, created: 2, updated: 0 });
    const contact = await app.api('GET', '/v1/contacts/cnt_import_1', { key: account.key });
    expect(contact.body.data).toMatchObject({ first_name: 'Grace', email: 'grace@northwind.example' });
    // No email and no phone: delivered free.
    expect((await app.api('GET', '/v1/contacts/cnt_import_2', { key: account.key })).body.credits.charged).toBe(0);

    // Re-importing updates by id and keeps the subscription.
    const renamed = JSON.stringify({ ...companies[0], name: 'Northwind Traders Group' });
    const reimport = await app.api('POST', '/admin/v1/catalog/companies', { key: testAdminToken, rawBody: renamed, headers: ndjson });
    expect(reimport.body).toEqual({ imported: 1, created: 0, updated: 1 });
    const reread = await app.api('GET', '/v1/companies/cmp_import_1', { key: account.key });
    expect(reread.body.data.name).toBe('Northwind Traders Group');
    expect(reread.body.credits.charged).toBe(0);
    expect(reread.body.subscription.id).toBe(read.body.subscription.id);
  });

  it('reports every invalid import line with its number and imports nothing', async () => {
    const account = await app.createAccount('platform');
    const lines = [
      JSON.stringify({ id: 'cmp_valid_first', name: 'Valid First' }),
      JSON.stringify({ id: 'cmp_bad_employees', name: 'Negative', employees: -3 }),
      JSON.stringify({ id: 'cmp_valid_third', name: 'Valid Third' }),
      '{not json',
      JSON.stringify({ id: 'cmp_valid_first', name: 'Repeated id' }),
    ].join('\n');
    const response = await app.api('POST', '/admin/v1/catalog/companies', { key: testAdminToken, rawBody: lines, headers: ndjson });
    const error = expectError(response, 400, 'invalid_request') as ErrorBody['error'] & { lines?: Array<{ line: number; message: string; field?: string }> };
    expect(error.lines).toEqual([
      expect.objectContaining({ line: 2, field: 'employees', message: expect.any(String) }),
      expect.objectContaining({ line: 4, message: expect.stringContaining('JSON') }),
      expect.objectContaining({ line: 5, field: 'id' }),
    ]);
    expect(error.message).toContain('line 2');
    for (const id of ['cmp_valid_first', 'cmp_valid_third']) {
      expectError(await app.api('GET', `/v1/companies/${id}`, { key: account.key }), 404, 'not_found');
    }

    const orphan = JSON.stringify({ id: 'cnt_orphan', company_id: 'cmp_nowhere', first_name: 'Orphan' });
    const contactResponse = await app.api('POST', '/admin/v1/catalog/contacts', { key: testAdminToken, rawBody: `${orphan}\n`, headers: ndjson });
    const contactError = expectError(contactResponse, 400, 'invalid_request') as ErrorBody['error'] & { lines?: Array<{ line: number; field?: string }> };
    expect(contactError.lines).toEqual([expect.objectContaining({ line: 1, field: 'company_id' })]);
  });

  it('issues keys that share one account: a key from POST /admin/v1/accounts/{id}/api-keys reads the same ledger', async () => {
    const account = await app.createAccount('platform');
    const second = await addApiKey(app, account.id);
    const first = await app.api('GET', '/v1/credits/ledger', { key: account.key });
    const other = await app.api('GET', '/v1/credits/ledger', { key: second.key });
    expect(other.body).toEqual(first.body);
    expectError(await app.api('GET', '/v1/credits/ledger?cursor=bad', { key: second.key }), 400, 'invalid_request');
  });
});
