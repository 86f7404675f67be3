// The catalog at scale (issue #3): seeding a million companies and importing NDJSON, on SQLite
// and on PostgreSQL, beside the floor of the same machine measured in the same run:
//   - SQLite: raw better-sqlite3 inserts of a trivial table (an integer key and two values),
//     prepared once, 10,000 rows a transaction, in WAL mode as Quarry runs it;
//   - PostgreSQL: the same trivial table filled by `insert … select from unnest($1, $2, $3)`,
//     10,000 rows a statement (the statement Quarry's bulk writes use).
// The seed and the import run in this process through the same functions as `quarry seed` and
// `quarry import` (src/app/catalog/), on a fresh database each.
//
// seedCatalogDatabase() is also the way to get a seeded database for other benchmarks (search):
// it seeds a given data directory or PostgreSQL URL and reuses it when already seeded.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openStore, sqliteFileDefault, type Store } from '../src/store/database.ts';
import { countCompanies, countContacts } from '../src/store/catalog.ts';
import { seedCatalog, seedSeedDefault } from '../src/app/catalog/seed_catalog.ts';
import { importCatalog, importChunkLines, loadRecords, type CatalogRecordType } from '../src/app/catalog/import_catalog.ts';
import { checkChunk } from '../src/app/catalog/import_lines.ts';
import type { CatalogRows, WriteCounts } from '../src/store/catalog_writes.ts';
import { companyTables, contactTables } from '../src/store/catalog_bulk_load.ts';
import { generateCompanies, generateContacts } from '../src/app/catalog/generate_catalog.ts';
import { cpuWindow, type CpuUse } from './cpu.ts';
import { startServer } from './child_process.ts';
import { createAccount } from './quarry_api.ts';
import { benchSearch, type SearchFigures } from './search_bench.ts';

/** The stamp of a seeded bench database: which seed and how many companies it holds. */
const seededMarkerKey = 'bench_seeded_catalog';
const floorRows = 2_000_000;
const floorRowsPerTransaction = 10_000;
const postgresFloorRows = 1_000_000;

export interface CatalogBenchSettings {
  /** Companies seeded (about 5 contacts each). */
  seedCompanies: number;
  /** Companies of the imported files; their contacts (about 5 each) are a second file. */
  importCompanies: number;
}

export interface SeedFigures {
  /** The seeded PostgreSQL database (undefined on SQLite: the data directory's file). */
  databaseUrl?: string | undefined;
  companies: number;
  contacts: number;
  seconds: number;
  companiesPerSecond: number;
  databaseBytes: number;
  cpu: CpuUse;
  /** PostgreSQL: the VACUUM and CHECKPOINT of the seeded catalog before the searches (not part of the seed). */
  settleSeconds?: number;
}

export interface ImportFigures {
  type: CatalogRecordType | 'both';
  lines: number;
  seconds: number;
  linesPerSecond: number;
}

export interface CatalogFigures {
  floorRowsPerSecond: number;
  seed: SeedFigures;
  imports: ImportFigures[];
  /** The database's part of the same imports alone: their lines checked and encoded beforehand. */
  importFloor: ImportFigures[];
  search: SearchFigures;
}

export interface CatalogTarget {
  /** DATABASE_URL factory for PostgreSQL (a fresh database per call); undefined for SQLite. */
  createDatabase?: (name: string) => Promise<string>;
  databasePid?: number;
  log: (line: string) => void;
}

export async function benchCatalog(settings: CatalogBenchSettings, target: CatalogTarget): Promise<CatalogFigures> {
  const workDir = await mkdtemp(join(tmpdir(), 'quarry-catalog-bench-'));
  try {
    target.log('floor: trivial inserts');
    const floorRowsPerSecond = target.createDatabase
      ? await postgresInsertFloor(await target.createDatabase('catalog_floor'))
      : sqliteInsertFloor(workDir);
    target.log(`seeding ${settings.seedCompanies.toLocaleString('en-US')} companies`);
    const seedPlace = { ...target, dataDir: join(workDir, 'seed') };
    const seed = await measureSeed(settings.seedCompanies, seedPlace);
    if (seed.databaseUrl) {
      target.log('settling the seeded catalog (VACUUM and CHECKPOINT, as autovacuum and the checkpointer would in the minutes after a large load)');
      seed.settleSeconds = await settlePostgres(seed.databaseUrl);
    }
    target.log(`search on the ${settings.seedCompanies.toLocaleString('en-US')} seeded companies`);
    const search = await measureSearch({ dataDir: seedPlace.dataDir, databaseUrl: seed.databaseUrl, companies: seed.companies });
    const files = await writeCatalogFiles(settings.importCompanies, workDir);
    const imports = await measureImports(files, { ...target, dataDir: join(workDir, 'import') });
    const importFloor = await measureImportFloor(files, { ...target, dataDir: join(workDir, 'import_floor') });
    return { floorRowsPerSecond, seed, imports, importFloor, search };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Floors.

function sqliteInsertFloor(workDir: string): number {
  const db = new BetterSqlite3(join(workDir, 'floor.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('create table floor (id integer primary key, name text not null, value integer not null)');
    const insert = db.prepare('insert into floor (name, value) values (?, ?)');
    const startedAt = performance.now();
    for (let start = 0; start < floorRows; start += floorRowsPerTransaction) {
      db.exec('begin immediate');
      for (let row = start; row < start + floorRowsPerTransaction; row += 1) insert.run(`row ${row}`, row);
      db.exec('commit');
    }
    return floorRows / ((performance.now() - startedAt) / 1_000);
  } finally {
    db.close();
  }
}

async function postgresInsertFloor(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('create table floor (id bigint primary key, name text not null, value bigint not null)');
    const startedAt = performance.now();
    for (let start = 0; start < postgresFloorRows; start += floorRowsPerTransaction) {
      const ids = Array.from({ length: floorRowsPerTransaction }, (_, index) => start + index);
      await client.query('insert into floor select * from unnest($1::bigint[], $2::text[], $3::bigint[])', [
        ids,
        ids.map((id) => `row ${id}`),
        ids,
      ]);
    }
    return postgresFloorRows / ((performance.now() - startedAt) / 1_000);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Seed.

interface Place extends CatalogTarget {
  dataDir: string;
}

async function measureSeed(companies: number, place: Place): Promise<SeedFigures> {
  const databaseUrl = await place.createDatabase?.('catalog_seed');
  const store = await openStore({ dataDir: place.dataDir, databaseUrl });
  try {
    const cpu = cpuWindow({ databasePid: place.databasePid });
    const startedAt = performance.now();
    let reportedAt = startedAt;
    const result = await seedCatalog(store, {
      companies,
      now: Date.now(),
      onProgress: (done) => {
        if (performance.now() - reportedAt < 15_000) return;
        reportedAt = performance.now();
        const seconds = (reportedAt - startedAt) / 1_000;
        place.log(`  ${done.toLocaleString('en-US')} companies in ${seconds.toFixed(0)} s (${Math.round(done / seconds).toLocaleString('en-US')}/s)`);
      },
    });
    const seconds = (performance.now() - startedAt) / 1_000;
    return {
      databaseUrl,
      companies: result.companies,
      contacts: result.contacts,
      seconds,
      companiesPerSecond: result.companies / seconds,
      databaseBytes: await databaseBytes(store, place.dataDir),
      cpu: cpu(),
    };
  } finally {
    await store.close();
  }
}

/**
 * PostgreSQL: VACUUMs the catalog's tables, one session, unthrottled, then checkpoints. After a
 * load of millions of rows autovacuum spends minutes on them (setting hint bits and the
 * visibility map, so every page is written once more); searches measured meanwhile measure that,
 * not the searches. This does the same work at once, so that the searches run on the catalog as
 * it settles anyway.
 */
async function settlePostgres(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const startedAt = performance.now();
    // The catalog's tables this engine has (SQLite's FTS5 tables are not PostgreSQL's).
    const tables = await client.query<{ name: string }>('select name from unnest($1::text[]) as name where to_regclass(name) is not null', [[...companyTables, ...contactTables]]);
    for (const { name } of tables.rows) await client.query(`vacuum ${name}`);
    // The seed and the VACUUM leave gigabytes written but not yet flushed: the checkpointer
    // would spend the next minutes writing them out (the cluster runs with fsync on), which is
    // the load's aftermath, not the searches. A checkpoint flushes them now. (It did not move
    // the search figures of the runs in bench/README, "evening": shared_buffers did.)
    await client.query('checkpoint');
    return (performance.now() - startedAt) / 1_000;
  } finally {
    await client.end();
  }
}

async function databaseBytes(store: Store, dataDir: string): Promise<number> {
  if (store.dialect === 'postgres') {
    const result = await store.db.selectNoFrom((select) => select.fn<string>('pg_database_size', [select.fn('current_database')]).as('bytes')).executeTakeFirstOrThrow();
    return Number(result.bytes);
  }
  const file = join(dataDir, sqliteFileDefault);
  return statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
}

/**
 * A database holding the synthetic catalog of `companies` companies (seed `seed`), for benchmarks
 * that need a large catalog: SQLite in `dataDir` (its quarry.db), or PostgreSQL at `databaseUrl`.
 * A database this function already seeded with the same seed and at least as many companies is
 * reused as it is; otherwise it is seeded (which updates what is there in place).
 *
 *   await seedCatalogDatabase({ dataDir: '/var/tmp/quarry-1m', companies: 1_000_000 });
 *   QUARRY_DATA_DIR=/var/tmp/quarry-1m npx quarry serve
 */
export async function seedCatalogDatabase(options: {
  dataDir: string;
  databaseUrl?: string;
  companies: number;
  seed?: number;
  log?: (line: string) => void;
}): Promise<{ companies: number; contacts: number; reused: boolean; seconds: number }> {
  const seed = options.seed ?? seedSeedDefault;
  await mkdir(options.dataDir, { recursive: true });
  const store = await openStore({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  try {
    const marker = await store.db.selectFrom('settings').select('value').where('key', '=', seededMarkerKey).executeTakeFirst();
    const seeded = marker ? (JSON.parse(marker.value) as { seed: number; companies: number }) : null;
    if (seeded && seeded.seed === seed && seeded.companies >= options.companies) {
      return { companies: await countCompanies(store.db), contacts: await countContacts(store.db), reused: true, seconds: 0 };
    }
    const startedAt = performance.now();
    const result = await seedCatalog(store, {
      companies: options.companies,
      seed,
      now: Date.now(),
      onProgress: (done, total) => {
        if (done % 100_000 === 0 || done === total) options.log?.(`seeded ${done} of ${total} companies`);
      },
    });
    const value = JSON.stringify({ seed, companies: options.companies });
    await store.db
      .insertInto('settings')
      .values({ key: seededMarkerKey, value })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
      .execute();
    return { ...result, reused: false, seconds: (performance.now() - startedAt) / 1_000 };
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Import.

type CatalogFiles = Record<CatalogRecordType, { path: string; lines: number }>;

async function measureImports(files: CatalogFiles, place: Place): Promise<ImportFigures[]> {
  const databaseUrl = await place.createDatabase?.('catalog_import');
  const store = await openStore({ dataDir: place.dataDir, databaseUrl });
  try {
    const figures: ImportFigures[] = [];
    for (const type of ['companies', 'contacts'] as const) {
      place.log(`importing ${files[type].lines.toLocaleString('en-US')} ${type} lines`);
      const startedAt = performance.now();
      const result = await importCatalog(store, { type, input: createReadStream(files[type].path), now: Date.now(), localInput: true });
      if (!result.ok) throw new Error(`the bench's ${type} file did not import: ${JSON.stringify(result.errors.slice(0, 3))}`);
      const seconds = (performance.now() - startedAt) / 1_000;
      figures.push({ type, lines: files[type].lines, seconds, linesPerSecond: files[type].lines / seconds });
    }
    return withBoth(figures);
  } finally {
    await store.close();
  }
}

/**
 * The import's floor: the same files' lines checked and encoded beforehand (untimed, by the
 * import's own checkChunk, in chunks of its size), then only the database's part timed, as the
 * import runs it (loadRecords: one transaction a file, the bulk path's index rebuild, the
 * statistics), into another empty database. No import can beat it on this machine: it is what
 * is left with reading, parsing and checking free.
 */
async function measureImportFloor(files: CatalogFiles, place: Place): Promise<ImportFigures[]> {
  const databaseUrl = await place.createDatabase?.('catalog_import_floor');
  const store = await openStore({ dataDir: place.dataDir, databaseUrl });
  try {
    const figures: ImportFigures[] = [];
    for (const type of ['companies', 'contacts'] as const) {
      place.log(`import floor: writing ${files[type].lines.toLocaleString('en-US')} ${type} checked beforehand`);
      const now = Date.now();
      const chunks = await checkedRows(files[type].path, type, store.dialect, now);
      const startedAt = performance.now();
      const counts = await loadRecords(store, { type }, async (tx, writer) => {
        const total: WriteCounts = { created: 0, updated: 0 };
        for (const rows of chunks) {
          const written = await writer.write(tx, rows, now);
          total.created += written[type].created;
          total.updated += written[type].updated;
        }
        return total;
      });
      const seconds = (performance.now() - startedAt) / 1_000;
      if (counts.created !== files[type].lines) throw new Error(`the import floor wrote ${counts.created} ${type} of ${files[type].lines}`);
      figures.push({ type, lines: files[type].lines, seconds, linesPerSecond: files[type].lines / seconds });
    }
    return withBoth(figures);
  } finally {
    await store.close();
  }
}

/**
 * A file's lines checked and encoded as the import's workers do, a chunk of the import's size at
 * a time, read line by line (a file of a few hundred thousand companies is longer than a string
 * may be). The encoded rows are kept in memory to be written in a timed pass.
 */
async function checkedRows(path: string, type: CatalogRecordType, engine: Store['dialect'], now: number): Promise<CatalogRows[]> {
  const chunks: CatalogRows[] = [];
  let chunk = { numbers: [] as number[], texts: [] as string[] };
  const check = (): void => {
    const checked = checkChunk({ type, engine, encode: true, now, ...chunk });
    if (checked.rows === null || checked.invalid.length > 0) throw new Error(`the bench's ${type} file has invalid lines from ${chunk.numbers[0]}`);
    chunks.push(checked.rows);
    chunk = { numbers: [], texts: [] };
  };
  let number = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    number += 1;
    if (line === '') continue;
    chunk.numbers.push(number);
    chunk.texts.push(line);
    if (chunk.texts.length === importChunkLines) check();
  }
  if (chunk.texts.length > 0) check();
  return chunks;
}

function withBoth(figures: ImportFigures[]): ImportFigures[] {
  const lines = figures.reduce((sum, figure) => sum + figure.lines, 0);
  const seconds = figures.reduce((sum, figure) => sum + figure.seconds, 0);
  return [...figures, { type: 'both', lines, seconds, linesPerSecond: lines / seconds }];
}

/** The generated catalog as two NDJSON files, as a vendor would export it. */
async function writeCatalogFiles(companies: number, dir: string): Promise<CatalogFiles> {
  const paths = { companies: join(dir, 'companies.ndjson'), contacts: join(dir, 'contacts.ndjson') };
  const companyFile = createWriteStream(paths.companies);
  const contactFile = createWriteStream(paths.contacts);
  let contactLines = 0;
  const write = async (file: NodeJS.WritableStream, line: string): Promise<void> => {
    if (!file.write(`${line}\n`)) await once(file, 'drain');
  };
  for (const company of generateCompanies({ seed: seedSeedDefault, count: companies })) {
    await write(companyFile, JSON.stringify(company));
    for (const contact of generateContacts(company, { seed: seedSeedDefault })) {
      await write(contactFile, JSON.stringify(contact));
      contactLines += 1;
    }
  }
  companyFile.end();
  contactFile.end();
  await Promise.all([once(companyFile, 'finish'), once(contactFile, 'finish')]);
  return { companies: { path: paths.companies, lines: companies }, contacts: { path: paths.contacts, lines: contactLines } };
}

// ---------------------------------------------------------------------------------------------
// Search, on the database just seeded, through the real server in its own process.

async function measureSearch(place: { dataDir: string; databaseUrl: string | undefined; companies: number }): Promise<SearchFigures> {
  const adminToken = randomBytes(24).toString('hex');
  const server = await startServer({
    name: 'quarry serve (search)',
    args: () => ['bin/quarry.js', 'serve'],
    env: (port) => ({
      PORT: String(port),
      HOST: '127.0.0.1',
      QUARRY_DATA_DIR: place.dataDir,
      QUARRY_ADMIN_TOKEN: adminToken,
      QUARRY_DEMO: 'false',
      QUARRY_RATE_LIMIT: '0',
      QUARRY_LOG_LEVEL: 'warn',
      ...(place.databaseUrl ? { DATABASE_URL: place.databaseUrl } : {}),
    }),
    healthPath: '/health',
  });
  try {
    // api_standalone has api_advanced.
    const account = await createAccount({ origin: server.origin, adminToken }, 'search bench', 1);
    return await benchSearch({ origin: server.origin, apiKey: account.apiKey, serverPid: server.pid, companies: place.companies });
  } finally {
    await server.stop();
  }
}
