// Proves that migration 0004 (and on PostgreSQL 0006, which rewrites its documents with each
// word joined to the country), run on a database that already holds a catalog, fill the name
// documents exactly as the catalog writers write them, so basic search finds the same companies
// before and after an upgrade.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { seedCatalog } from '../../src/app/catalog/seed_catalog.ts';
import { importCatalog } from '../../src/app/catalog/import_catalog.ts';
import { chunked, ndjson } from '../catalog/catalog_fixtures.ts';
import { migrate } from '../../src/store/database.ts';
import { undoFinalSigma, undoSearchDetail, undoTechnologySearch } from './undo_migrations.ts';

const companyCount = 150;

describeEachDatabase('migrations 0004 and 0006 on an existing catalog', (kind) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(kind);
    await seedCatalog(app.store, { companies: companyCount, seed: 5, now: app.clock.now() });
    // What the generator never makes: no country (and words that start like the old country
    // lexeme, which must survive), and no word at all.
    const unusual = [
      { id: 'cmp_9000001', name: 'Country Countryside country_de' },
      { id: 'cmp_9000002', name: '&', country: 'DE' },
    ];
    const imported = await importCatalog(app.store, { type: 'companies', input: chunked(ndjson(unusual)), now: app.clock.now() });
    expect(imported).toMatchObject({ ok: true, created: unusual.length });
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  /** The name documents, in a form both engines can compare: SQLite's text, PostgreSQL's tsvector text. */
  async function nameDocuments(): Promise<unknown[]> {
    if (kind === 'sqlite') {
      const rows = await sql<{ key: number; name: string; domain: string }>`select rowid as key, name, domain from company_names order by rowid`.execute(app.store.db);
      return rows.rows;
    }
    const rows = await sql<{ key: string; document: string }>`select company_id as key, document::text as document from company_names order by company_id`.execute(app.store.db);
    return rows.rows;
  }

  it('backfills every company as the writers do', async () => {
    const written = await nameDocuments();
    expect(written).toHaveLength(companyCount + 2);
    // Back to the schema of migration 0003, with the catalog still there, then up again (the
    // later migrations are undone first: Kysely runs migrations only after the last one run).
    await undoFinalSigma(app.store);
    await undoSearchDetail(app.store);
    await undoTechnologySearch(app.store);
    await sql`delete from kysely_migration where name = '0006_country_words'`.execute(app.store.db);
    await sql`drop table site_visits`.execute(app.store.db);
    await sql`drop table sites`.execute(app.store.db);
    await sql`delete from kysely_migration where name = '0005_visitors'`.execute(app.store.db);
    await sql`drop table search_word_statistics`.execute(app.store.db);
    await sql`drop table search_statistics`.execute(app.store.db);
    await sql`drop table company_names`.execute(app.store.db);
    await sql`delete from kysely_migration where name = '0004_name_search'`.execute(app.store.db);
    await migrate(app.store.db);
    expect(await nameDocuments()).toEqual(written);
  });
});
