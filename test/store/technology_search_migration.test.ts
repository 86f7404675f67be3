// Proves that migration 0007, run on a database that already holds a catalog, gives SQLite's
// technology documents exactly the pairs the catalog writers write (and drops the old rows), so
// a technology search finds the same companies before and after an upgrade. On PostgreSQL the
// migration changes nothing, and running it leaves the catalog's technology rows as they were.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { seedCatalog } from '../../src/app/catalog/seed_catalog.ts';
import { importCatalog } from '../../src/app/catalog/import_catalog.ts';
import { searchCompanies } from '../../src/store/catalog_search.ts';
import { migrate } from '../../src/store/database.ts';
import { chunked, ndjson, technologyPairs } from '../catalog/catalog_fixtures.ts';
import { undoFinalSigma, undoSearchDetail, undoTechnologySearch } from './undo_migrations.ts';

const companyCount = 150;
/** Common and rare technologies of the generated catalog, names only the import below has, and near misses. */
const searched = [['React'], ['Rust', 'Go'], ['Looker'], ['C#'], ['c#'], ['x', '{x}'], ['Ruby on Rails', 'AWS'], ['react'], ['']];

describeEachDatabase('migration 0007 on an existing catalog', (kind) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(kind);
    await seedCatalog(app.store, { companies: companyCount, seed: 7, now: app.clock.now() });
    const unusual = [
      { id: 'cmp_9000001', name: 'Sharp', technologies: ['C#', 'x', '{x}', 'Ünïcode', 'React'] },
      { id: 'cmp_9000002', name: 'None' },
    ];
    const imported = await importCatalog(app.store, { type: 'companies', input: chunked(ndjson(unusual)), now: app.clock.now() });
    expect(imported).toMatchObject({ ok: true, created: unusual.length });
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  /** The ids each searched set of technologies finds, listed and probed. */
  async function searches(): Promise<string[][]> {
    const found: string[][] = [];
    for (const technologies of searched) {
      for (const strategy of ['listed', 'probed'] as const) {
        const page = await searchCompanies(app.store.db, { technologies }, { limit: companyCount + 10 }, { strategy });
        found.push(page.hits.map((hit) => hit.id));
      }
    }
    return found;
  }

  it('fills the technology documents as the writers do, and search finds the same companies', async () => {
    const pairs = await technologyPairs(app.store);
    expect(pairs.indexed).toEqual(pairs.listed);
    expect(pairs.indexed.length).toBeGreaterThan(companyCount * 3);
    const before = await searches();
    expect(before.filter((ids) => ids.length > 0).length).toBeGreaterThan(searched.length);
    // ['C#'], listed and probed.
    expect(before.slice(6, 8)).toEqual([['cmp_9000001'], ['cmp_9000001']]);

    // Back to the schema of migration 0006, with the technology rows the writers wrote then.
    await undoFinalSigma(app.store);
    await undoSearchDetail(app.store);
    await undoTechnologySearch(app.store);
    await migrate(app.store.db);

    if (kind === 'sqlite') {
      const left = await sql`select name from sqlite_master where name = 'company_technologies'`.execute(app.store.db);
      expect(left.rows).toEqual([]);
    }
    expect(await technologyPairs(app.store)).toEqual(pairs);
    expect(await searches()).toEqual(before);
  });
});
