// Proves the database itself refuses to edit or delete ledger entries and allocations.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';

describeEachDatabase('append-only ledger', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => app.close());

  it('refuses UPDATE and DELETE on ledger entries and allocations', async () => {
    const account = await app.createAccount('platform');
    const { db } = app.store;
    await expect(db.updateTable('ledger_entries').set({ credits: 5 }).where('account_id', '=', account.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('ledger_entries').where('account_id', '=', account.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable('ledger_allocations').set({ credits: 5 }).where('account_id', '=', account.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('ledger_allocations').where('account_id', '=', account.id).execute()).rejects.toThrow(/append-only/);
    const entries = await db.selectFrom('ledger_entries').selectAll().where('account_id', '=', account.id).execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.credits).toBe(1000);
  });
});
