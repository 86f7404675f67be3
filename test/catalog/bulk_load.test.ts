// Proves the bulk path of catalog loads into an empty catalog (store/catalog_bulk_load.ts): a
// seed or an import that sets indexes and foreign keys aside writes exactly the rows and search
// documents of the row-by-row path, and afterwards, whether the load succeeded, failed or (on
// SQLite) crashed half-way, every index and constraint of the migrations is there as before.
import { rm } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openStore, type Store } from '../../src/store/database.ts';
import { seedCatalog } from '../../src/app/catalog/seed_catalog.ts';
import { importCatalog } from '../../src/app/catalog/import_catalog.ts';
import { generateCompanies, generateContacts } from '../../src/app/catalog/generate_catalog.ts';
import { companyTables, contactTables, restoreCatalogSchema, suspendCatalogSchema, suspendedSchemaKey, withBulkLoadLock } from '../../src/store/catalog_bulk_load.ts';
import { createTestDatabase, describeEachDatabase, openTestStore, testDatabases, type TestStore } from '../harness/databases.ts';
import { getCompany, getCompanyNews, getContact } from '../../src/store/catalog.ts';
import { sqliteWriteConnection } from '../../src/store/sqlite.ts';
import { openCatalogWriter } from '../../src/store/catalog_writes.ts';
import { generateSeedBatch } from '../../src/app/catalog/seed_batch.ts';
import { chunked, ndjson, searchDocumentsInStep, technologyPairs, testNow } from './catalog_fixtures.ts';

const seed = 7;
const companyCount = 1_100;
const companies = [...generateCompanies({ seed, count: 300 })];
const contacts = companies.flatMap((company) => [...generateContacts(company, { seed })]);

const catalogTables = [...companyTables, ...contactTables];

/** Every row of every catalog table (SQLite: with rowids, which the FTS documents key on), sorted. */
async function catalogRows(store: Store): Promise<Record<string, string[]>> {
  const rows: Record<string, string[]> = {};
  for (const table of catalogTables) {
    if (!(await tableExists(store, table))) continue;
    const select = store.dialect === 'sqlite' ? `select rowid as row_key, * from ${table}` : `select * from ${table}`;
    const result = await sql<Record<string, unknown>>`${sql.raw(select)}`.execute(store.db);
    rows[table] = result.rows.map((row) => JSON.stringify(row)).sort();
  }
  // SQLite's technology documents keep no text (contentless): their tokens are read from the index.
  rows.technology_pairs = (await technologyPairs(store)).indexed;
  return rows;
}

async function tableExists(store: Store, table: string): Promise<boolean> {
  const query =
    store.dialect === 'sqlite'
      ? sql`select 1 from sqlite_master where type = 'table' and name = ${table}`
      : sql`select 1 where to_regclass(${table}) is not null`;
  return (await query.execute(store.db)).rows.length > 0;
}

/**
 * The database's schema: every table, index and trigger (SQLite; but the statistics tables that
 * ANALYZE creates); every index and constraint (PostgreSQL).
 */
async function schema(store: Store): Promise<string[]> {
  const query =
    store.dialect === 'sqlite'
      ? sql<Record<string, unknown>>`select type, name, tbl_name, sql from sqlite_master
          where name not like 'sqlite_stat%' order by type, name`
      : sql<Record<string, unknown>>`select 'index' as kind, indexname as name, indexdef as definition, null as valid
          from pg_indexes where schemaname = 'public'
        union all
        select 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid), convalidated::text
          from pg_constraint where connamespace = 'public'::regnamespace
        order by 1, 2`;
  const rows = (await query.execute(store.db)).rows.map((row) => JSON.stringify(row));
  return store.dialect === 'sqlite' ? [...rows, ...(await fullTextMergeSettings(store))] : rows;
}

/**
 * SQLite: each FTS5 table's merge settings in effect (a setting never changed has FTS5's
 * default), which a bulk load turns down while it writes and must give back.
 */
async function fullTextMergeSettings(store: Store): Promise<string[]> {
  const settings: string[] = [];
  for (const name of await fullTextTables(store)) {
    const rows = await sql<{ k: string; v: number }>`select k, v from ${sql.table(`${name}_config`)}`.execute(store.db);
    const value = (key: string, fallback: number): number => Number(rows.rows.find((row) => row.k === key)?.v ?? fallback);
    settings.push(JSON.stringify({ fts5: name, automerge: value('automerge', 4), crisismerge: value('crisismerge', 16) }));
  }
  return settings;
}

/** SQLite: FTS5's own check that each full-text index agrees with its documents (throws if not). */
async function checkFullTextIntegrity(store: Store): Promise<void> {
  if (store.dialect !== 'sqlite') return;
  const tables = await fullTextTables(store);
  expect(tables.length).toBeGreaterThan(0);
  for (const name of tables) await sql.raw(`insert into "${name}" ("${name}") values ('integrity-check')`).execute(store.db);
}

/** SQLite: the FTS5 tables, by name. */
async function fullTextTables(store: Store): Promise<string[]> {
  const tables = await sql<{ name: string }>`select name from sqlite_master
    where type = 'table' and sql like 'create virtual table%using fts5%' order by name`.execute(store.db);
  return tables.rows.map((row) => row.name);
}

async function importBoth(store: Store): Promise<void> {
  expect(await importCatalog(store, { type: 'companies', input: chunked(ndjson(companies)), now: testNow })).toMatchObject({ ok: true });
  expect(await importCatalog(store, { type: 'contacts', input: chunked(ndjson(contacts)), now: testNow })).toMatchObject({ ok: true });
}

describeEachDatabase('catalog bulk loads', (kind) => {
  let bulk: TestStore;
  let rowByRow: TestStore;
  let migrated: string[];

  beforeEach(async () => {
    [bulk, rowByRow] = await Promise.all([openTestStore(kind), openTestStore(kind)]);
    migrated = await schema(bulk);
  });

  afterEach(async () => {
    await Promise.all([bulk.dropDatabase(), rowByRow.dropDatabase()]);
  });

  test('a seed into an empty catalog writes what the row-by-row seed writes, and restores the schema', async () => {
    await seedCatalog(bulk, { companies: companyCount, seed, now: testNow });
    await seedCatalog(rowByRow, { companies: companyCount, seed, now: testNow, bulk: false });
    expect(await catalogRows(bulk)).toEqual(await catalogRows(rowByRow));
    expect(await searchDocumentsInStep(bulk)).toMatchObject({ ok: true });
    await checkFullTextIntegrity(bulk);
    expect(await schema(bulk)).toEqual(migrated);
    expect(await bulk.db.selectFrom('settings').select('key').where('key', '=', suspendedSchemaKey).execute()).toEqual([]);
  });

  test.runIf(kind === 'sqlite')('turns the full-text merging down while the load writes, and back afterwards', async () => {
    const before = await fullTextMergeSettings(bulk);
    expect(before.length).toBe(5);
    const suspended = await bulk.writeTransaction((tx) => suspendCatalogSchema(tx, { tables: catalogTables }));
    const during = (await fullTextMergeSettings(bulk)).map((row) => JSON.parse(row) as { automerge: number; crisismerge: number });
    expect(during.map((row) => [row.automerge, row.crisismerge])).toEqual(before.map(() => [0, 64]));
    await bulk.writeTransaction((tx) => restoreCatalogSchema(tx, suspended));
    expect(await fullTextMergeSettings(bulk)).toEqual(before);
    // Settings a vendor chose are given back too, not FTS5's defaults.
    await sql.raw(`insert into company_search (company_search, rank) values ('automerge', 8)`).execute(bulk.db);
    const chosen = await fullTextMergeSettings(bulk);
    const again = await bulk.writeTransaction((tx) => suspendCatalogSchema(tx, { tables: catalogTables }));
    await bulk.writeTransaction((tx) => restoreCatalogSchema(tx, again));
    expect(await fullTextMergeSettings(bulk)).toEqual(chosen);
    expect(chosen).toContain(JSON.stringify({ fts5: 'company_search', automerge: 8, crisismerge: 16 }));
  });

  test.runIf(kind === 'sqlite')('a batch written as all new fails whole on a record that exists, and overwrites nothing', async () => {
    await seedCatalog(bulk, { companies: 3, seed, now: testNow });
    const before = await catalogRows(bulk);
    const writer = openCatalogWriter(bulk);
    try {
      const batch = generateSeedBatch({ engine: 'sqlite', seed, offset: 2, count: 2, now: testNow + 1 });
      const writing = bulk.writeTransaction((tx) => writer.write(tx, batch.rows, testNow + 1, { allNew: true }));
      await expect(writing).rejects.toThrow(/UNIQUE constraint failed: companies\.id/);
    } finally {
      await writer.close();
    }
    expect(await catalogRows(bulk)).toEqual(before);
  });

  test.runIf(kind === 'sqlite')('keeps the contacts\' index by company through a seed, which writes contacts in company order', async () => {
    const indexes = async (): Promise<string[]> =>
      (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and sql is not null and tbl_name in ('contacts', 'companies') order by name`.execute(bulk.db)).rows.map((row) => row.name);
    expect(await indexes()).toEqual(['companies_by_country', 'companies_by_domain', 'companies_by_industry', 'contacts_by_company']);
    // Read on the writing connection itself, synchronously, between two of the seed's batches.
    const connection = sqliteWriteConnection(bulk.db)!;
    const listed = connection.prepare(`select name from sqlite_master where type = 'index' and sql is not null and tbl_name in ('contacts', 'companies') order by name`).pluck();
    const during: string[][] = [];
    await seedCatalog(bulk, { companies: companyCount, seed, now: testNow, onProgress: () => during.push(listed.all() as string[]) });
    expect(during.length).toBeGreaterThan(0);
    for (const names of during) expect(names).toEqual(['contacts_by_company']);
    expect(await indexes()).toEqual(['companies_by_country', 'companies_by_domain', 'companies_by_industry', 'contacts_by_company']);
    expect(await schema(bulk)).toEqual(migrated);
  });

  test('an import into an empty catalog writes what the row-by-row seed of the same records writes', async () => {
    await importBoth(bulk);
    await seedCatalog(rowByRow, { companies: companies.length, seed, now: testNow, bulk: false });
    expect(await catalogRows(bulk)).toEqual(await catalogRows(rowByRow));
    expect(await schema(bulk)).toEqual(migrated);
    // Importing again goes row by row (the catalog is no longer empty) and changes nothing.
    await importBoth(bulk);
    expect(await catalogRows(bulk)).toEqual(await catalogRows(rowByRow));
  });

  test('values with tabs, line breaks, backslashes, quotes and any Unicode come back as written', async () => {
    const awkward = 'a\tb\nc\r\\N \\ "quoted" \'single\' {braces} ünïcödé 東京 🚀';
    const company = { ...companies[0]!, name: awkward, description: awkward, technologies: [awkward], news: [{ ...companies[0]!.news[0]!, title: awkward }] };
    const [contact] = contacts.filter((item) => item.company_id === company.id);
    const awkwardContact = { ...contact!, title: awkward, first_name: '\\N' };
    for (let pass = 0; pass < 2; pass += 1) {
      // The first pass copies into empty tables, the second upserts over the records.
      expect(await importCatalog(bulk, { type: 'companies', input: chunked(ndjson([company])), now: testNow })).toMatchObject({ ok: true });
      expect(await importCatalog(bulk, { type: 'contacts', input: chunked(ndjson([awkwardContact])), now: testNow })).toMatchObject({ ok: true });
      expect(await getCompany(bulk.db, company.id)).toMatchObject({ name: awkward, description: awkward, technologies: [awkward] });
      expect((await getCompanyNews(bulk.db, company.id)).map((item) => item.title)).toContain(awkward);
      expect(await getContact(bulk.db, awkwardContact.id)).toEqual(awkwardContact);
    }
  });

  test('a failed bulk import leaves the catalog empty and every index and constraint in place', async () => {
    const lines = [...companies.map((company) => JSON.stringify(company)), '{"id": "cmp_broken"}'];
    const result = await importCatalog(bulk, { type: 'companies', input: chunked(ndjson(lines)), now: testNow, workers: 1 });
    expect(result.ok).toBe(false);
    expect(Object.values(await catalogRows(bulk)).every((rows) => rows.length === 0)).toBe(true);
    expect(await schema(bulk)).toEqual(migrated);
  });

  test('a seed that fails half-way restores the schema (and on PostgreSQL writes nothing)', async () => {
    const failing = seedCatalog(bulk, {
      companies: companyCount,
      seed,
      now: testNow,
      onProgress: () => {
        throw new Error('stop the seed');
      },
    });
    await expect(failing).rejects.toThrow('stop the seed');
    expect(await schema(bulk)).toEqual(migrated);
    expect(await bulk.db.selectFrom('settings').select('key').where('key', '=', suspendedSchemaKey).execute()).toEqual([]);
    // SQLite commits batch by batch (a seed is re-runnable, not all or nothing); PostgreSQL's
    // bulk seed writes in one transaction, its rebuild in others.
    const counts = Object.values(await catalogRows(bulk)).map((rows) => rows.length);
    if (kind === 'postgres') expect(counts.every((count) => count === 0)).toBe(true);
    else expect(counts.some((count) => count > 0)).toBe(true);
    await seedCatalog(bulk, { companies: companyCount, seed, now: testNow });
    await seedCatalog(rowByRow, { companies: companyCount, seed, now: testNow, bulk: false });
    expect(await catalogRows(bulk)).toEqual(await catalogRows(rowByRow));
  });
});

/** Runs `work` on a fresh database of `kind`, which it opens stores on; drops the database and its folder after. */
async function withFreshDatabase(kind: 'sqlite' | 'postgres', work: (open: () => Promise<Store>) => Promise<void>): Promise<void> {
  const database = await createTestDatabase(kind);
  try {
    await work(() => openStore({ dataDir: database.dataDir, databaseUrl: database.url }));
  } finally {
    await database.drop();
    await rm(database.dataDir, { recursive: true, force: true });
  }
}

/** A store opened after a load crashed has rebuilt what the load set aside: the schema is `migrated` again and nothing stays remembered. */
async function expectRepairedAtOpening(open: () => Promise<Store>, migrated: string[]): Promise<void> {
  const reopened = await open();
  try {
    expect(await schema(reopened)).toEqual(migrated);
    expect(await reopened.db.selectFrom('settings').select('key').where('key', '=', suspendedSchemaKey).execute()).toEqual([]);
  } finally {
    await reopened.close();
  }
}

describeEachDatabase('a crash in the middle of a bulk seed', (kind) => {
  test.runIf(kind === 'sqlite')('what a crashed load set aside of a table a migration has since dropped is not rebuilt, and the store opens', async () => {
    await withFreshDatabase(kind, async (open) => {
      const first = await open();
      const migrated = await schema(first);
      await first.writeTransaction((tx) => suspendCatalogSchema(tx, { tables: catalogTables, remember: true }));
      // As a seed that crashed before migration 0007 would have left it: the index of the
      // technology rows, which 0007 drops, and a full-text table's commands for a table gone too.
      const row = await first.db.selectFrom('settings').select('value').where('key', '=', suspendedSchemaKey).executeTakeFirstOrThrow();
      const stored = JSON.parse(row.value) as { statements: string[] };
      stored.statements.unshift(
        'CREATE INDEX "company_technologies_by_technology" ON "company_technologies" ("technology", "company_id")',
        `insert into "retired_search" ("retired_search") values ('optimize')`,
      );
      await first.db.updateTable('settings').set({ value: JSON.stringify(stored) }).where('key', '=', suspendedSchemaKey).execute();
      await first.close();
      await expectRepairedAtOpening(open, migrated);
    });
  });

  test('the next opening of the store builds the indexes and foreign keys the seed had set aside', async () => {
    await withFreshDatabase(kind, async (open) => {
      const first = await open();
      const migrated = await schema(first);
      // What the seed's first transaction does; then the process "dies" before the last one.
      await first.writeTransaction((tx) => suspendCatalogSchema(tx, { tables: catalogTables, remember: true }));
      const suspended = await schema(first);
      expect(suspended).not.toEqual(migrated);
      if (kind === 'postgres') {
        // While a load holds the bulk-load lock (it is still running), a store that opens leaves the rebuild to it.
        await withBulkLoadLock(first, async () => {
          const meanwhile = await open();
          try {
            expect(await schema(meanwhile)).toEqual(suspended);
          } finally {
            await meanwhile.close();
          }
        });
      }
      await first.close();
      await expectRepairedAtOpening(open, migrated);
    });
  });

  test('a seed or an import after a crashed seed builds what the crashed one had set aside too', async () => {
    for (const load of ['seed', 'import'] as const) {
      const database = await createTestDatabase(kind);
      // Opened before the crash, as a running server is: its opening found nothing to repair.
      const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.url });
      try {
        const migrated = await schema(store);
        await store.writeTransaction((tx) => suspendCatalogSchema(tx, { tables: catalogTables, remember: true }));
        expect(await schema(store), load).not.toEqual(migrated);
        if (load === 'seed') await seedCatalog(store, { companies: 30, seed, now: testNow });
        else expect(await importCatalog(store, { type: 'companies', input: chunked(ndjson(companies.slice(0, 30))), now: testNow })).toMatchObject({ ok: true });
        expect(await schema(store), load).toEqual(migrated);
        expect(await store.db.selectFrom('settings').select('key').where('key', '=', suspendedSchemaKey).execute(), load).toEqual([]);
      } finally {
        await store.close();
        await database.drop();
        await rm(database.dataDir, { recursive: true, force: true });
      }
    }
  });
});

describe.runIf(testDatabases.includes('postgres'))('a bulk seed on a pool of one connection (postgres)', () => {
  test('completes: the bulk-load lock holds a connection of its own, not the pool\'s only one', async () => {
    const database = await createTestDatabase('postgres');
    const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.url, poolSize: 1 });
    try {
      const migrated = await schema(store);
      const seeded = seedCatalog(store, { companies: 30, seed, now: testNow });
      const stuck = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 30_000).unref());
      expect(await Promise.race([seeded, stuck])).toMatchObject({ companies: 30 });
      expect(await schema(store)).toEqual(migrated);
    } finally {
      await store.close();
      await database.drop();
      await rm(database.dataDir, { recursive: true, force: true });
    }
  });
});
