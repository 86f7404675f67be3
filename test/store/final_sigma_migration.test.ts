// Proves that migration 0009, run on a database whose search documents and statistics were written
// before search words folded ς to σ, makes whole words typed in capitals find Greek records again
// on PostgreSQL (whose documents it rewrites), keeps SQLite's (which needed nothing) finding them,
// and samples the statistics again when a sampled word held a ς.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { migrate } from '../../src/store/database.ts';
import { searchDocumentsInStep } from '../catalog/catalog_fixtures.ts';
import { greekCompanyId, greekContactId, importGreekCatalog, listedIds } from '../search/greek_catalog.ts';
import { undoFinalSigma } from './undo_migrations.ts';

describeEachDatabase('migration 0009 on an existing Greek catalog', (kind) => {
  let app: TestApp;
  let key: string;

  beforeAll(async () => {
    app = await startTestApp(kind);
    await importGreekCatalog(app);
    ({ key } = await app.createAccount('platform'));
  });

  afterAll(async () => app?.close());

  /** The ids each search finds by whole words that end in a sigma, typed in capitals: name, description, news, contact title. */
  async function searches(): Promise<string[][]> {
    return [
      listedIds((await app.api('GET', `/v1/companies?q=${encodeURIComponent('ΟΔΥΣΣΕΥΣ')}`, { key })).body),
      listedIds((await app.api('POST', '/v1/companies/search', { key, body: { query: 'ΣΤΙΣ ΚΥΚΛΑΔΕΣ' } })).body),
      listedIds((await app.api('POST', '/v1/companies/search', { key, body: { news: { query: 'ΝΕΟΣ' } } })).body),
      listedIds((await app.api('GET', `/v1/contacts?title=${encodeURIComponent('ΔΙΕΥΘΥΝΤΗΣ')}`, { key })).body),
    ];
  }

  async function finalSigmaWords(): Promise<number> {
    const rows = await app.store.db.selectFrom('search_word_statistics').select('word').execute();
    return rows.filter((row) => row.word.includes('ς')).length;
  }

  async function statistics(): Promise<{ generation: number; folded: number | undefined }> {
    const scopes = await app.store.db.selectFrom('search_statistics').select('generation').execute();
    const folded = await app.store.db
      .selectFrom('search_word_statistics')
      .select('sampled_documents')
      .where('scope', '=', 'company_name_domain')
      .where('word', '=', 'οδυσσευσ')
      .executeTakeFirst();
    return { generation: Math.max(...scopes.map((scope) => scope.generation)), folded: folded?.sampled_documents };
  }

  it('finds the records typed in capitals again, and samples the statistics again', async () => {
    const found = [[greekCompanyId], [greekCompanyId], [greekCompanyId], [greekContactId]];
    expect(await searches()).toEqual(found);

    await undoFinalSigma(app.store);
    // A refresh of the search statistics before 0009 sampled words ending in ς (here, one more
    // document than the σ spelling the import's own refresh sampled).
    const sampled = (await statistics()).folded ?? 0;
    await sql`insert into search_word_statistics (scope, word, sampled_documents) values ('company_name_domain', 'οδυσσευς', ${sampled + 1})`.execute(app.store.db);
    const generation = (await statistics()).generation;
    // The state before 0009: PostgreSQL's documents end words in ς, which words typed in capitals (now σ) miss.
    expect(await searches()).toEqual(kind === 'postgres' ? [[], [], [], []] : found);
    expect(await finalSigmaWords()).toBe(1);

    await migrate(app.store.db);
    expect(await searches()).toEqual(found);
    expect(await finalSigmaWords()).toBe(0);
    // Merged into the σ spelling with the larger count, and every process reads them again.
    expect(await statistics()).toEqual({ generation: generation + 1, folded: sampled + 1 });
    expect(await searchDocumentsInStep(app.store)).toMatchObject({ ok: true });
    if (kind === 'postgres') {
      // The GIN indexes a large rewrite drops are back, from their own definitions.
      const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where indexname like '%\_document' order by indexname`.execute(app.store.db);
      expect(indexes.rows.map((row) => row.indexname)).toEqual(['company_names_document', 'company_search_document', 'contact_search_document', 'news_search_document']);
    }
  });
});
