// Proves the whole path works end to end: an account, a first read that charges, a re-read that
// does not, and a ledger that adds up.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { insertCompany } from '../factories/catalog.ts';

describeEachDatabase('smoke', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => app.close());

  it('charges a first read once and re-reads free', async () => {
    const account = await app.createAccount('platform');
    const companyId = await insertCompany(app.store.db);
    const first = await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
    expect(first.status).toBe(200);
    expect(first.body.credits).toEqual({ charged: 1, balance: 999 });
    expect(first.headers['x-credits-charged']).toBe('1');
    expect(first.headers['x-credits-remaining']).toBe('999');
    const again = await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
    expect(again.body.credits).toEqual({ charged: 0, balance: 999 });
    expect(again.body.subscription.id).toBe(first.body.subscription.id);
    const ledger = await app.api('GET', '/v1/credits/ledger', { key: account.key });
    expect(ledger.body.data.map((entry: { kind: string }) => entry.kind)).toEqual(['charge', 'grant']);
    const reconcile = await app.admin('GET', '/admin/v1/reconcile');
    expect(reconcile.body).toMatchObject({ ok: true, differences: [] });
  });
});
