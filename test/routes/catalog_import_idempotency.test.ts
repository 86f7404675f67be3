// Proves API.md's Idempotency-Key on the catalog import: a repeat with the same key and body gets
// the first answer (Idempotent-Replayed) and writes nothing (what it wrote again is rolled
// back), the same NDJSON sent gzipped is the same body, another body with the key is 409 and
// writes nothing, and a refused import keeps no key.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, testAdminToken, type TestApp } from '../harness/test_app.ts';
import { getCompany } from '../../src/store/catalog.ts';

const ndjson = { 'content-type': 'application/x-ndjson' };

describeEachDatabase('Idempotency-Key on the catalog import', (kind) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(kind);
  });

  afterAll(async () => app?.close());

  function importCompanies(lines: object[], headers: Record<string, string> = {}, gzip = false) {
    const text = lines.map((line) => JSON.stringify(line)).join('\n');
    return app.api('POST', '/admin/v1/catalog/companies', {
      key: testAdminToken,
      rawBody: gzip ? gzipSync(text) : text,
      headers: { ...ndjson, ...(gzip ? { 'content-encoding': 'gzip' } : {}), ...headers },
    });
  }

  it('answers a repeat with the first answer and writes nothing, and another body with 409', async () => {
    const first = await importCompanies([{ id: 'cmp_idem', name: 'Original' }], { 'idempotency-key': 'import-1' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ imported: 1, created: 1, updated: 0 });

    // The record changes since (an import without a key); the repeat must not write it back.
    expect((await importCompanies([{ id: 'cmp_idem', name: 'Changed' }])).status).toBe(200);
    for (const gzip of [false, true]) {
      const repeat = await importCompanies([{ id: 'cmp_idem', name: 'Original' }], { 'idempotency-key': 'import-1' }, gzip);
      expect(repeat.status).toBe(200);
      expect(repeat.headers['idempotent-replayed']).toBe('true');
      expect(repeat.body).toEqual(first.body);
    }
    expect((await getCompany(app.store.db, 'cmp_idem'))?.name).toBe('Changed');

    const other = await importCompanies([{ id: 'cmp_idem_other', name: 'Other' }], { 'idempotency-key': 'import-1' });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ error: { code: 'idempotency_conflict' } });
    expect(await getCompany(app.store.db, 'cmp_idem_other')).toBeNull();
  });

  it('keeps no key for a refused import, and refuses a malformed key before reading the body', async () => {
    const refused = await importCompanies([{ id: 'cmp_idem_bad', name: 5 }], { 'idempotency-key': 'import-2' });
    expect(refused.status).toBe(400);
    const fixed = await importCompanies([{ id: 'cmp_idem_bad', name: 'Fixed' }], { 'idempotency-key': 'import-2' });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toEqual({ imported: 1, created: 1, updated: 0 });
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();

    const malformed = await importCompanies([{ id: 'cmp_idem_key', name: 'Key' }], { 'idempotency-key': 'x'.repeat(300) });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { code: 'invalid_request', field: 'Idempotency-Key' } });
    expect(await getCompany(app.store.db, 'cmp_idem_key')).toBeNull();
  });
});
