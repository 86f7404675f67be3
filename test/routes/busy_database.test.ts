// Proves that on SQLite a request whose write finds the database locked by another process for
// longer than a write waits (a large `quarry import` holds the lock for the whole load) answers
// 503 `unavailable` with Retry-After, charges nothing, and works again once the lock is free.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testAdminToken, type TestApp } from '../harness/test_app.ts';
import { balanceOf } from '../factories/accounts.ts';
import { insertCompany } from '../factories/catalog.ts';
import { sqliteFileDefault } from '../../src/store/database.ts';

describe('a database locked by another process (SQLite)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('sqlite', { sqliteWriteLockWaitMs: 300 });
  });
  afterAll(async () => app?.close());

  /** Runs `work` while a connection of its own (as another process would) holds the write lock. */
  async function whileAnotherProcessHoldsTheLock(work: () => Promise<void>): Promise<void> {
    const importer = new BetterSqlite3(join(app.store.dataDir, sqliteFileDefault));
    try {
      importer.exec('begin immediate');
      await work();
      importer.exec('rollback');
    } finally {
      importer.close();
    }
  }

  it('answers 503 unavailable with Retry-After and charges nothing, then serves the same request', async () => {
    const account = await app.createAccount('platform');
    const companyId = await insertCompany(app.store.db, { name: 'Locked Out Ltd' });
    await whileAnotherProcessHoldsTheLock(async () => {
      const refused = await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body).toMatchObject({ error: { code: 'unavailable' } });
    });
    expect(await balanceOf(app, account.id)).toBe(1000);
    const served = await app.api<{ credits: { charged: number } }>('GET', `/v1/companies/${companyId}`, { key: account.key });
    expect(served.status).toBe(200);
    expect(served.body.credits.charged).toBe(1);
  });

  it('answers 503 with Retry-After on the import endpoint and on writes outside an account transaction', async () => {
    const account = await app.createAccount('platform');
    const issued = await app.admin<{ id: string }>('POST', `/admin/v1/accounts/${account.id}/api-keys`, { name: 'spare' });
    expect(issued.status).toBe(201);
    await whileAnotherProcessHoldsTheLock(async () => {
      const refusals = [
        await app.api('POST', '/admin/v1/catalog/companies', { key: testAdminToken, rawBody: '{"id":"cmp_busy","name":"Busy"}\n', headers: { 'content-type': 'application/x-ndjson' } }),
        await app.admin('DELETE', `/admin/v1/accounts/${account.id}/api-keys/${issued.body.id}`),
      ];
      for (const refused of refusals) {
        expect(refused.status).toBe(503);
        expect(refused.headers['retry-after']).toBe('5');
        expect(refused.body).toMatchObject({ error: { code: 'unavailable' } });
      }
    });
    expect((await app.admin('DELETE', `/admin/v1/accounts/${account.id}/api-keys/${issued.body.id}`)).status).toBe(200);
  });
});
