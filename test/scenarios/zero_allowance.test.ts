// Proves a plan that grants nothing still moves through its periods: the period advances, the
// account's next due event moves past `now`, and later requests need no catch-up transaction.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { defaultPlanCatalog } from '../../src/domain/plans/plans.ts';

describeEachDatabase('plan without an allowance', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind, {
      plans: {
        plans: [...defaultPlanCatalog.plans, { id: 'pay_as_you_go', name: 'Pay as you go', features: ['api_basic'], creditsPerPeriod: 0, period: 'month' }],
        bundles: defaultPlanCatalog.bundles,
      },
    });
  });
  afterAll(async () => app.close());

  it('advances the period without entries and keeps the next due event in the future', async () => {
    const account = await app.createAccount('pay_as_you_go');
    const before = await app.api('GET', '/v1/account', { key: account.key });
    expect(before.body.credits.balance).toBe(0);
    app.advanceDays(40);
    const after = await app.api('GET', '/v1/account', { key: account.key });
    expect(after.body.period.start).not.toBe(before.body.period.start);
    expect(Date.parse(after.body.period.start)).toBeLessThanOrEqual(app.clock.now());
    const row = await app.store.db.selectFrom('accounts').selectAll().where('id', '=', account.id).executeTakeFirstOrThrow();
    expect(row.period_index).toBe(1);
    expect(row.next_event_at).toBeGreaterThan(app.clock.now());
    const ledger = await app.api('GET', '/v1/credits/ledger', { key: account.key });
    expect(ledger.body.data).toEqual([]);
  });
});
