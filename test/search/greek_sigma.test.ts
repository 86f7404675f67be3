// Proves that Greek sigma is one letter to search, on every database: a word ends in ς and is
// written σ inside a word, and capitals (Σ) lowercase to either by position, so a query typed in
// capitals, or a whole word typed with σ, must still find the name, the description, the news
// and the contact title that hold it. SQLite's tokenizer folded ς to σ by itself; PostgreSQL
// keeps the words Quarry gives it, which used to keep ς (domain/search/text.ts).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { greekCompanyId, greekContactId, importGreekCatalog, listedIds } from './greek_catalog.ts';

describeEachDatabase('Greek sigma in search', (kind) => {
  let app: TestApp;
  let key: string;

  beforeAll(async () => {
    app = await startTestApp(kind);
    await importGreekCatalog(app);
    ({ key } = await app.createAccount('platform'));
  });

  afterAll(async () => app?.close());

  it.each(['ΟΔΥΣ', 'οδυς', 'Οδυσσευσ', 'ΟΔΥΣΣΕΥΣ', 'οδυσσεύς'])('basic search q=%s finds the name', async (q) => {
    const found = await app.api('GET', `/v1/companies?q=${encodeURIComponent(q)}`, { key });
    expect(found.status).toBe(200);
    expect(listedIds(found.body)).toEqual([greekCompanyId]);
  });

  it('advanced search finds the description and the news with either sigma', async () => {
    for (const body of [{ query: 'ΣΤΙΣ ΚΥΚΛΑΔΕΣ' }, { query: 'στισ κυκλαδεσ' }, { news: { query: 'ΝΕΟΣ ΣΤΟΛΟΣ' } }, { news: { query: 'νεοσ' } }]) {
      const found = await app.api('POST', '/v1/companies/search', { key, body });
      expect(found.status, JSON.stringify(body)).toBe(200);
      expect(listedIds(found.body), JSON.stringify(body)).toEqual([greekCompanyId]);
    }
  });

  it('contact search by title finds the title with either sigma', async () => {
    for (const title of ['ΔΙΕΥΘΥΝΤΗΣ', 'διευθυντησ', 'ΠΩΛΗΣ', 'πωλησ']) {
      const found = await app.api('GET', `/v1/contacts?title=${encodeURIComponent(title)}`, { key });
      expect(found.status, title).toBe(200);
      expect(listedIds(found.body), title).toEqual([greekContactId]);
    }
  });
});
