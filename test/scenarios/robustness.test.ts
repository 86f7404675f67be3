// Proves the server stays exact and answers in the documented shape at the edges: clocks that lag
// between processes, HEAD requests, a century without traffic, a schema changed under running
// servers, 64-bit balances, crafted cursors, NUL characters and unknown /v1 paths.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { insertCompany } from '../factories/catalog.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { encodeCursor } from '../../src/lib/cursor.ts';

describeEachDatabase('robustness', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => app.close());

  it('does not charge again when a second server’s clock lags the first by a few milliseconds', async () => {
    const account = await app.createAccount('platform');
    const companyId = await insertCompany(app.store.db);
    const first = await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
    expect(first.body.credits.charged).toBe(1);
    const original = app.context.clock;
    app.context.clock = new ManualClock(original.now() - 5);
    try {
      const lagging = await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
      expect(lagging.body.credits.charged).toBe(0);
      // A charge made by the lagging server is still dated after the account's latest entry.
      const other = await insertCompany(app.store.db);
      const charged = await app.api('GET', `/v1/companies/${other}`, { key: account.key });
      expect(charged.body.credits.charged).toBe(1);
    } finally {
      app.context.clock = original;
    }
    expect((await app.admin('GET', '/admin/v1/reconcile')).body).toMatchObject({ ok: true, differences: [] });
  });

  it('answers HEAD on a record path with 404 and charges nothing', async () => {
    const account = await app.createAccount('platform');
    const companyId = await insertCompany(app.store.db);
    const head = await app.api('HEAD', `/v1/companies/${companyId}`, { key: account.key });
    expect(head.status).toBe(404);
    const ledger = await app.api('GET', '/v1/credits/ledger', { key: account.key });
    expect(ledger.body.data.map((entry: { kind: string }) => entry.kind)).toEqual(['grant']);
  });

  it('catches up a century of missed periods in one request', async () => {
    const account = await app.createAccount('platform');
    app.advanceDays(36_500);
    const response = await app.api('GET', '/v1/account', { key: account.key });
    expect(response.status).toBe(200);
    expect(response.body.credits.balance).toBe(1000);
    const grants = await app.api('GET', '/v1/credits/ledger?kind=grant&limit=500', { key: account.key });
    expect(grants.body.data.length).toBe(500);
    expect((await app.admin('GET', '/admin/v1/reconcile')).body).toMatchObject({ ok: true, differences: [] });
  });

  it('keeps balances beyond 32 bits', async () => {
    const account = await app.createAccount('platform');
    for (let index = 0; index < 215; index += 1) {
      const response = await app.admin('POST', `/admin/v1/accounts/${account.id}/top-ups`, { credits: 10_000_000 });
      expect(response.status).toBe(201);
    }
    const summary = await app.api('GET', '/v1/account', { key: account.key });
    expect(summary.body.credits.balance).toBe(215 * 10_000_000 + 1000);
  });

  it('refuses crafted cursors and NUL characters with 400', async () => {
    const account = await app.createAccount('platform');
    for (const before of [1.5, 1e300, -3]) {
      const response = await app.api('GET', `/v1/credits/ledger?cursor=${encodeCursor({ before })}`, { key: account.key });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
    }
    const named = await app.admin('POST', '/admin/v1/accounts', { name: 'A\u0000B', plan_id: 'platform' });
    expect(named.status).toBe(400);
    const topUp = await app.admin('POST', `/admin/v1/accounts/${account.id}/top-ups`, { credits: 5, note: 'x\u0000' });
    expect(topUp.status).toBe(400);
    const search = await app.admin('GET', '/admin/v1/accounts?q=%00');
    expect(search.status).toBe(400);
  });

  it('answers an unknown /v1 path after authentication, with the balance header', async () => {
    const account = await app.createAccount('platform');
    const known = await app.api('GET', '/v1/nope', { key: account.key });
    expect(known.status).toBe(404);
    expect(known.headers['x-credits-remaining']).toBe('1000');
    const anonymous = await app.api('GET', '/v1/nope');
    expect(anonymous.status).toBe(401);
  });

  it('keeps serving reads after a migration changes a table under it', async () => {
    const account = await app.createAccount('platform');
    const companyId = await insertCompany(app.store.db);
    expect((await app.api('GET', `/v1/companies/${companyId}`, { key: account.key })).status).toBe(200);
    await sql`alter table companies add column extra_for_test integer`.execute(app.store.db);
    await sql`alter table accounts add column extra_for_test integer`.execute(app.store.db);
    for (let index = 0; index < 12; index += 1) {
      expect((await app.api('GET', `/v1/companies/${companyId}`, { key: account.key })).status).toBe(200);
    }
  });
});
