// Proves that migration 0008, run on a database that already holds a catalog, keeps every
// full-text document of SQLite's company_search, news_search and contact_search (same rowid,
// same text) while dropping the word positions no query reads, and that searches by words,
// news words and contact titles find the same records before and after. PostgreSQL: a no-op.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { seedCatalog } from '../../src/app/catalog/seed_catalog.ts';
import { searchCompanies, searchContacts } from '../../src/store/catalog_search.ts';
import { migrate } from '../../src/store/database.ts';
import { searchDocumentsInStep } from '../catalog/catalog_fixtures.ts';
import { undoFinalSigma, undoSearchDetail } from './undo_migrations.ts';

const companyCount = 200;
const words = [['tech'], ['sol'], ['a'], ['group', 'in'], ['zzz']];
const titleWords = [['engineer'], ['head'], ['sales', 'man'], ['vp'], ['zzz']];

describeEachDatabase('migration 0008 on an existing catalog', (kind) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(kind);
    await seedCatalog(app.store, { companies: companyCount, seed: 11, now: app.clock.now() });
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  /** Every SQLite document (rowid and text), table by table; PostgreSQL's document counts. */
  async function documents(): Promise<Record<string, unknown[]>> {
    const found: Record<string, unknown[]> = {};
    for (const table of ['company_search', 'news_search', 'contact_search']) {
      const query = kind === 'sqlite' ? `select rowid as key, * from ${table} order by rowid` : `select count(*) as count from ${table}`;
      found[table] = (await sql`${sql.raw(query)}`.execute(app.store.db)).rows;
    }
    return found;
  }

  /** The ids every search finds, listed and probed (and collected for words). */
  async function searches(): Promise<string[][]> {
    const found: string[][] = [];
    const limit = { limit: companyCount * 6 };
    for (const strategy of ['listed', 'probed', 'collected'] as const) {
      for (const query of words) {
        for (const fields of ['name_description', 'name_domain'] as const) {
          const page = await searchCompanies(app.store.db, { text: { words: query, fields } }, limit, { strategy });
          found.push(page.hits.map((hit) => hit.id));
        }
        const news = await searchCompanies(app.store.db, { news: { words: query } }, limit, { strategy });
        found.push(news.hits.map((hit) => hit.id));
      }
    }
    for (const strategy of ['listed', 'probed'] as const) {
      for (const words of titleWords) {
        const page = await searchContacts(app.store.db, { titleWords: words }, limit, { strategy });
        found.push(page.hits.map((hit) => hit.id));
      }
    }
    return found;
  }

  it('keeps every document and every search result', async () => {
    const before = await documents();
    const found = await searches();
    expect(found.filter((ids) => ids.length > 0).length).toBeGreaterThan(found.length / 2);

    await undoFinalSigma(app.store);
    await undoSearchDetail(app.store);
    if (kind === 'sqlite') expect(await searches()).toEqual(found);
    await migrate(app.store.db);

    expect(await documents()).toEqual(before);
    expect(await searches()).toEqual(found);
    expect(await searchDocumentsInStep(app.store)).toMatchObject({ ok: true });
    if (kind === 'sqlite') {
      const definitions = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
        where name in ('company_search', 'news_search', 'contact_search') order by name`.execute(app.store.db);
      expect(definitions.rows.map((row) => [row.name, /detail=(\w+)/.exec(row.sql)?.[1]])).toEqual([
        ['company_search', 'column'],
        ['contact_search', 'none'],
        ['news_search', 'none'],
      ]);
    }
  });
});
