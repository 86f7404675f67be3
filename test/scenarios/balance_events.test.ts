// Proves every credit movement is announced after its commit with the new balance (what the web
// app's live balance will listen to), and that a free re-read announces nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { insertCompany } from '../factories/catalog.ts';
import type { BalanceChanged } from '../../src/app/credits/credit_events.ts';

describeEachDatabase('balance events', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => app.close());

  it('announces charges and top-ups after commit, and nothing for a free re-read', async () => {
    const account = await app.createAccount('platform');
    const companyId = await insertCompany(app.store.db);
    const seen: BalanceChanged[] = [];
    const stop = app.context.events.onBalanceChanged((event) => {
      if (event.accountId === account.id) seen.push(event);
    });
    // A failing listener must not turn a committed charge into an error.
    const stopFailing = app.context.events.onBalanceChanged(() => {
      throw new Error('listener failure');
    });
    try {
      expect((await app.api('GET', `/v1/companies/${companyId}`, { key: account.key })).status).toBe(200);
      await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
      await app.admin('POST', `/admin/v1/accounts/${account.id}/top-ups`, { credits: 10 });
    } finally {
      stop();
      stopFailing();
    }
    expect(seen.map((event) => event.balance)).toEqual([999, 1009]);
    // Announced after commit: the stored balance already says so.
    const row = await app.store.db.selectFrom('accounts').select('balance').where('id', '=', account.id).executeTakeFirstOrThrow();
    expect(row.balance).toBe(1009);
  });
});
