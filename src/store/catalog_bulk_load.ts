// Loading an EMPTY catalog in bulk (a vendor's first import, a fresh seed): the secondary
// indexes, the full-text GIN indexes and the foreign keys of the tables being filled are set
// aside at the start and built again at the end, each in one pass over the loaded rows, instead
// of being kept up to date row by row (on PostgreSQL the foreign-key triggers alone cost more
// than a third of a load).
//
// What is set aside is read from the database's own catalog (sqlite_master; pg_index and
// pg_constraint) and rebuilt from the very same definitions, so the schema the migrations made
// comes back exactly: same names, same columns, same options. Primary keys and unique
// constraints stay, since they guard what is being written.
//
// The schema must never be left changed, even by a crash:
//   - PostgreSQL: set aside, load and rebuild inside ONE transaction (DDL is transactional). A
//     crash or an error rolls it all back, the DROPs with it. The tables are locked meanwhile.
//   - SQLite, inside one transaction (the import): the same, SQLite's DDL is transactional too.
//   - Over many transactions (the seed: on SQLite so that it leaves the write lock free between
//     its batches; on PostgreSQL so that the rebuild can run on two sessions at once, each index
//     in a transaction of its own, which halves its time): the statements that rebuild what was
//     set aside are stored in `settings`, in the transaction that drops them, and removed once
//     everything is rebuilt. Opening the store (database.ts) rebuilds whatever a crashed load
//     left behind, before anything else runs; on PostgreSQL the load holds an advisory lock
//     meanwhile (withBulkLoadLock), so that a server opening while it runs leaves its rebuild
//     to it.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Store } from './database.ts';
import { isPostgres } from './search_documents.ts';
import { assert } from '../lib/assert.ts';

/**
 * The tables written for each kind of record, the search tables with them. A table that the
 * database does not have (yet) is skipped.
 */
export const companyTables = [
  'companies',
  // PostgreSQL's technologies; SQLite's are company_technology_search (migration 0007).
  'company_technologies',
  'company_ip_ranges',
  'company_signals',
  'company_financials',
  'company_news',
  'company_search',
  'company_names',
  'company_technology_search',
  'news_search',
] as const;
export const contactTables = ['contacts', 'contact_search'] as const;

export type CatalogTable = (typeof companyTables)[number] | (typeof contactTables)[number];

/** The `settings` key under which SQLite keeps what a bulk load over many transactions set aside. */
export const suspendedSchemaKey = 'catalog_bulk_load_suspended';

/**
 * PostgreSQL's memory during the rebuild (KiB; SET LOCAL, this transaction only): for building
 * one index (a GIN index built in one pass needs it), and for the join that validates a foreign
 * key (with the default 4 MB, validating five million contacts spills to disk in many batches).
 */
const postgresIndexBuildMemoryKib = 512 * 1024;
const postgresValidationMemoryKib = 256 * 1024;
/** SQLite's helper threads for sorting while it builds an index. */
const sqliteSortThreads = 2;

/** The steps of a load after its rows: rebuilding what the bulk path set aside, then the statistics. */
export type LoadStage = 'indexes' | 'statistics';

/**
 * What a bulk load set aside: the statements that rebuild it, in order (on SQLite also those
 * that merge the full-text tables and give them back their merge settings).
 */
export interface SuspendedSchema {
  statements: string[];
  /** PostgreSQL: the same by kind, for a rebuild over several sessions (restoreOnSessions). */
  postgres?: {
    indexes: Array<{ table: string; name: string; definition: string }>;
    foreignKeys: Array<{ table: string; name: string; definition: string }>;
  };
}

export interface SuspendOptions {
  tables: readonly CatalogTable[];
  /** Store what rebuilds the schema in `settings` (a load over many transactions). */
  remember?: boolean;
  /**
   * SQLite: indexes kept up to date during the load, for a load whose rows arrive in the index's
   * order. Each new entry then lands on the index's last page, which costs SQLite next to
   * nothing, while building the index afterwards would read and sort the whole table. (An entry
   * landing anywhere else splits pages in the middle of the tree: several times dearer than a
   * rebuild.)
   */
  sqliteKept?: readonly string[];
}

/** PostgreSQL: sessions rebuilding at once after a load over many transactions. */
const postgresRebuildSessions = 2;
/** PostgreSQL: the advisory lock key of bulk loads over many transactions ('quarry bulk'). */
const bulkLoadLockKey = 0x7175_6172_7279;

/**
 * When `records` (the table of the records being loaded) has no row at all, sets the schema of
 * `tables` aside (suspendCatalogSchema) and returns what rebuilds it; otherwise null. The bulk
 * path is only for tables that start empty: rebuilding an index over rows already there costs
 * more than it saves. On PostgreSQL the tables are locked against other writers first, so that
 * two loads starting at once cannot both take it.
 */
export async function suspendIfEmpty(
  tx: Kysely<Database>,
  options: { records: 'companies' | 'contacts' } & SuspendOptions,
): Promise<SuspendedSchema | null> {
  if (isPostgres(tx)) {
    const tables = await existingPostgresTables(tx, options.tables);
    await sql`lock table ${sql.join(tables.map((table) => sql.table(table)))} in share row exclusive mode`.execute(tx);
  }
  const row = await sql<{ found: number }>`select 1 as found from ${sql.table(options.records)} limit 1`.execute(tx);
  if (row.rows.length > 0) return null;
  return suspendCatalogSchema(tx, options);
}

/**
 * Drops the secondary indexes and foreign keys of `tables` inside `tx` and returns what rebuilds
 * them. With `remember` (a load over many transactions: the seed), what rebuilds them is also
 * stored in `settings` in the same transaction, for a crash to be repaired at the next start.
 */
export async function suspendCatalogSchema(
  tx: Kysely<Database>,
  options: SuspendOptions,
): Promise<SuspendedSchema> {
  const suspended = isPostgres(tx) ? await suspendPostgres(tx, options.tables) : await suspendSqlite(tx, options.tables, options.sqliteKept ?? []);
  if (options.remember) await rememberSuspended(tx, suspended);
  return suspended;
}

/** Builds again what suspendCatalogSchema set aside, inside `tx`, and forgets the stored copy. */
export async function restoreCatalogSchema(tx: Kysely<Database>, suspended: SuspendedSchema): Promise<void> {
  if (isPostgres(tx)) {
    await sql.raw(`set local maintenance_work_mem = '${postgresIndexBuildMemoryKib}kB'`).execute(tx);
    await sql.raw(`set local work_mem = '${postgresValidationMemoryKib}kB'`).execute(tx);
    for (const statement of suspended.statements) await sql.raw(statement).execute(tx);
    return;
  }
  const threadsBefore = (await sql<{ threads: number }>`pragma threads`.execute(tx)).rows[0]?.threads ?? 0;
  await sql.raw(`pragma threads = ${sqliteSortThreads}`).execute(tx);
  try {
    for (const statement of suspended.statements) {
      // A store opened while the load ran may have rebuilt some indexes already
      // (repairSuspendedSchema); the full-text commands can run again harmlessly. A load that
      // crashed before an upgrade may have set aside what a migration has since dropped with
      // its table (migration 0007: company_technologies): nothing to rebuild there.
      const index = isIndexDefinition(statement) ? indexNameOf(statement) : null;
      if (!(await sqliteTableExists(tx, sqliteTableOf(statement)))) continue;
      if (index === null || !(await sqliteIndexExists(tx, index))) await sql.raw(statement).execute(tx);
    }
  } finally {
    await sql.raw(`pragma threads = ${threadsBefore}`).execute(tx);
  }
  await tx.deleteFrom('settings').where('key', '=', suspendedSchemaKey).execute();
}

/**
 * Rebuilds what a bulk load over many transactions set aside (restoreCatalogSchema on SQLite),
 * and forgets the stored copy. On PostgreSQL each index is built in a transaction of its own,
 * `postgresRebuildSessions` at once (largest table first); then the foreign keys are added
 * NOT VALID, one after another (adding one locks both tables briefly), and validated at once.
 * What exists already (a rebuild that stopped half-way) is skipped.
 */
export async function restoreOnSessions(store: Store, suspended: SuspendedSchema): Promise<void> {
  if (store.dialect === 'sqlite') {
    await store.writeTransaction((tx) => restoreCatalogSchema(tx, suspended));
    return;
  }
  assert(suspended.postgres !== undefined, 'a PostgreSQL schema set aside without its parts');
  const { indexes, foreignKeys } = suspended.postgres;
  const tables = [...new Set(indexes.map((index) => index.table))];
  const sizes = await sql<{ table: string; bytes: string }>`select t as table, pg_total_relation_size(t::regclass)::text as bytes
    from unnest(${tables}::text[]) as t`.execute(store.db);
  const bytes = new Map(sizes.rows.map((row) => [row.table, Number(row.bytes)]));
  const largestFirst = [...indexes].sort((a, b) => (bytes.get(b.table) ?? 0) - (bytes.get(a.table) ?? 0));
  await eachOnSessions(largestFirst, postgresRebuildSessions, (index) =>
    store.writeTransaction(async (tx) => {
      if (await postgresRelationExists(tx, index.name)) return;
      await sql.raw(`set local maintenance_work_mem = '${postgresIndexBuildMemoryKib}kB'`).execute(tx);
      await sql.raw(index.definition).execute(tx);
    }),
  );
  for (const key of foreignKeys) {
    await store.writeTransaction(async (tx) => {
      if (await postgresConstraintExists(tx, key.table, key.name)) return;
      await sql.raw(`alter table ${key.table} add constraint ${quoteIdentifier(key.name)} ${key.definition} not valid`).execute(tx);
    });
  }
  await eachOnSessions(foreignKeys, postgresRebuildSessions, (key) =>
    store.writeTransaction(async (tx) => {
      await sql.raw(`set local work_mem = '${postgresValidationMemoryKib}kB'`).execute(tx);
      await sql.raw(`alter table ${key.table} validate constraint ${quoteIdentifier(key.name)}`).execute(tx);
    }),
  );
  await store.db.deleteFrom('settings').where('key', '=', suspendedSchemaKey).execute();
}

/** Runs `work` for every item, `sessions` at a time, in the items' order; the first failure is thrown once all have stopped. */
export async function eachOnSessions<Item>(items: readonly Item[], sessions: number, work: (item: Item) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const session = async (): Promise<void> => {
    while (next < items.length && failures.length === 0) {
      const item = items[next]!;
      next += 1;
      await work(item).catch((error: unknown) => {
        failures.push(error);
      });
    }
  };
  await Promise.all(Array.from({ length: sessions }, session));
  if (failures.length > 0) throw failures[0];
}

/**
 * PostgreSQL: runs `work` while holding the advisory lock of bulk loads (waiting for another load
 * to finish first), on a connection of its own outside the pool, so that the load's own work can
 * have every pooled connection (a pool of one included). The lock goes with the connection, so a
 * load that crashes releases it. SQLite: runs `work` (its loads are serialized by the write lock).
 */
export async function withBulkLoadLock<T>(store: Store, work: () => Promise<T>): Promise<T> {
  if (store.dialect === 'sqlite') return work();
  assert(store.ownSession !== undefined, 'a PostgreSQL store opens sessions of its own');
  return store.ownSession(async (query) => {
    await query('select pg_advisory_lock($1)', [bulkLoadLockKey]);
    try {
      return await work();
    } finally {
      await query('select pg_advisory_unlock($1)', [bulkLoadLockKey]);
    }
  });
}

/**
 * Rebuilds what an earlier bulk load over many transactions left set aside (stored in
 * `settings`) and forgets it; a no-op when nothing was left. The caller keeps other bulk loads
 * out (withBulkLoadLock). A seed runs it before it sets anything aside itself: setting aside
 * again what is already gone would store an empty list over the crashed load's, and its
 * indexes would never come back. Returns how many statements it ran.
 */
export async function rebuildRemembered(store: Store): Promise<number> {
  const row = await store.db.selectFrom('settings').select('value').where('key', '=', suspendedSchemaKey).executeTakeFirst();
  if (row === undefined) return 0;
  const suspended = JSON.parse(row.value) as SuspendedSchema;
  await restoreOnSessions(store, suspended);
  return suspended.statements.length;
}

/**
 * Rebuilds what a bulk load that did not finish (a crash, a kill) left set aside. Runs when the
 * store opens; a no-op when nothing was left, and on PostgreSQL while a load still runs (it holds
 * the advisory lock and rebuilds at its end). Returns how many statements it ran.
 */
export async function repairSuspendedSchema(store: Store): Promise<number> {
  if (store.dialect === 'sqlite') return rebuildRemembered(store);
  const remembered = await store.db.selectFrom('settings').select('key').where('key', '=', suspendedSchemaKey).executeTakeFirst();
  if (remembered === undefined) return 0;
  assert(store.ownSession !== undefined, 'a PostgreSQL store opens sessions of its own');
  return store.ownSession(async (query) => {
    const [locked] = await query('select pg_try_advisory_lock($1) as locked', [bulkLoadLockKey]);
    if (locked?.locked !== true) return 0;
    try {
      // Read again under the lock: the load may have finished in between.
      return await rebuildRemembered(store);
    } finally {
      await query('select pg_advisory_unlock($1)', [bulkLoadLockKey]);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// SQLite.

async function suspendSqlite(tx: Kysely<Database>, tables: readonly CatalogTable[], kept: readonly string[]): Promise<SuspendedSchema> {
  // Indexes with SQL text are those created by CREATE INDEX; the automatic ones (primary keys,
  // unique constraints) have none and stay. FTS5 tables have no indexes of this kind.
  const indexes = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
    where type = 'index' and sql is not null and tbl_name in (${sql.join([...tables])}) order by name`.execute(tx);
  const setAside = indexes.rows.filter((index) => !kept.includes(index.name));
  for (const index of setAside) await sql`drop index ${sql.id(index.name)}`.execute(tx);
  // SQLite's foreign keys have no index of their own and are checked by lookups in the parent's
  // primary key, which stays: they are kept.
  const fullText = await suspendFullTextMerging(tx, tables);
  return { statements: [...setAside.map((index) => index.sql), ...fullText] };
}

/**
 * FTS5 writes each transaction's documents as a new segment and, by default, merges segments
 * as it goes (automerge 4: every document is rewritten once per level, about five times over a
 * million-company seed of a thousand companies a transaction). For the load, automatic merging
 * is off and only a pile of `bulkCrisisMerge` segments forces one; at the end one 'optimize'
 * merges everything once, into one segment, which also suits searching best, and the settings
 * come back. Measured at 300,000 companies: 54 µs of full-text writing a company with merging as
 * usual, 38 µs this way, the optimize included. Returns the statements that merge and restore
 * the settings, which work whatever state a crash left behind.
 */
async function suspendFullTextMerging(tx: Kysely<Database>, tables: readonly CatalogTable[]): Promise<string[]> {
  const result = await sql<{ name: string }>`select name from sqlite_master
    where type = 'table' and name in (${sql.join([...tables])}) and sql like 'create virtual table%using fts5%' order by name`.execute(tx);
  const statements: string[] = [];
  for (const { name } of result.rows) {
    const settings = await sql<{ k: string; v: number }>`select k, v from ${sql.table(`${name}_config`)}
      where k in ('automerge', 'crisismerge')`.execute(tx);
    const before = new Map(settings.rows.map((row) => [row.k, Number(row.v)]));
    const table = quoteIdentifier(name);
    const setting = (key: string, value: number): string => `insert into ${table} (${table}, rank) values ('${key}', ${value})`;
    await sql.raw(setting('automerge', 0)).execute(tx);
    await sql.raw(setting('crisismerge', bulkCrisisMerge)).execute(tx);
    statements.push(
      `insert into ${table} (${table}) values ('optimize')`,
      setting('automerge', before.get('automerge') ?? fts5Defaults.automerge),
      setting('crisismerge', before.get('crisismerge') ?? fts5Defaults.crisismerge),
    );
  }
  return statements;
}

/** FTS5's own defaults (sqlite.org/fts5.html), for a table whose settings were never changed. */
const fts5Defaults = { automerge: 4, crisismerge: 16 } as const;
/**
 * Segments of one level that force a merge during a bulk load. The merge runs inside the
 * transaction that reaches it, holding the write lock, so it must stay short: 64 segments of a
 * seed are some 64,000 companies' documents, where 1,000 (a whole million-company seed at once,
 * 6–10 s on 2 cores, measured) would hold up a server's writes for as long as a
 * write waits before it gives up. It also keeps the segment count (a 3.5-million-company seed
 * writes 3,500 transactions) near a hundred, far below FTS5's 2,000. Measured at 300,000
 * companies: 38 µs a company, against 35 µs with merging left to the end entirely.
 */
const bulkCrisisMerge = 64;

async function rememberSuspended(tx: Kysely<Database>, suspended: SuspendedSchema): Promise<void> {
  const value = JSON.stringify(suspended);
  await tx
    .insertInto('settings')
    .values({ key: suspendedSchemaKey, value })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
    .execute();
}

async function sqliteIndexExists(db: Kysely<Database>, name: string): Promise<boolean> {
  const result = await sql`select 1 from sqlite_master where type = 'index' and name = ${name}`.execute(db);
  return result.rows.length > 0;
}

async function sqliteTableExists(db: Kysely<Database>, name: string): Promise<boolean> {
  const result = await sql`select 1 from sqlite_master where type = 'table' and name = ${name}`.execute(db);
  return result.rows.length > 0;
}

/**
 * The table a statement of a SQLite SuspendedSchema works on: `create index … on <table> (…)`
 * (as sqlite_master keeps it) or the full-text commands' `insert into "<table>" …`.
 */
function sqliteTableOf(statement: string): string {
  const match =
    /^\s*create\s+(?:unique\s+)?index\s+.*?\s+on\s+(?:"((?:[^"]|"")+)"|`([^`]+)`|\[([^\]]+)\]|([^\s(]+))\s*\(/is.exec(statement) ??
    /^\s*insert\s+into\s+(?:"((?:[^"]|"")+)"|`([^`]+)`|\[([^\]]+)\]|([^\s(]+))/i.exec(statement);
  assert(match !== null, `no table in: ${statement}`);
  return (match[1]?.replace(/""/g, '"') ?? match[2] ?? match[3] ?? match[4])!;
}

function isIndexDefinition(statement: string): boolean {
  return /^\s*create\s+(?:unique\s+)?index\s/i.test(statement);
}

/** The index's name in `create index "name" on …` (as sqlite_master keeps it). */
function indexNameOf(statement: string): string {
  const match = /^\s*create\s+(?:unique\s+)?index\s+(?:if\s+not\s+exists\s+)?(?:"((?:[^"]|"")+)"|`([^`]+)`|\[([^\]]+)\]|(\S+))/i.exec(statement);
  assert(match !== null, `not an index definition: ${statement}`);
  return (match[1]?.replace(/""/g, '"') ?? match[2] ?? match[3] ?? match[4])!;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL.

async function existingPostgresTables(tx: Kysely<Database>, tables: readonly CatalogTable[]): Promise<CatalogTable[]> {
  const result = await sql<{ name: CatalogTable }>`select name from unnest(${`{${tables.join(',')}}`}::text[]) as name
    where to_regclass(name) is not null`.execute(tx);
  return result.rows.map((row) => row.name);
}

/** The tables of `tables` the database has (an older database may lack the newest), in their order. */
export async function existingCatalogTables(db: Kysely<Database>, tables: readonly CatalogTable[]): Promise<CatalogTable[]> {
  if (isPostgres(db)) {
    const existing = new Set(await existingPostgresTables(db, tables));
    return tables.filter((table) => existing.has(table));
  }
  const result = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name in (${sql.join([...tables])})`.execute(db);
  const existing = new Set(result.rows.map((row) => row.name));
  return tables.filter((table) => existing.has(table));
}

async function suspendPostgres(tx: Kysely<Database>, tables: readonly CatalogTable[]): Promise<SuspendedSchema> {
  const names = sql.join((await existingPostgresTables(tx, tables)).map((table) => sql`${table}::regclass`));
  // Foreign keys declared by the tables being filled (those pointing at them from other tables
  // stay: their rows, if any, keep being checked).
  const foreignKeys = await sql<{ table_name: string; name: string; definition: string }>`
    select conrelid::regclass::text as table_name, conname as name, pg_get_constraintdef(oid) as definition
    from pg_constraint where contype = 'f' and conrelid in (${names}) order by conrelid::regclass::text, conname`.execute(tx);
  // Indexes that back no constraint: the secondary btrees and the full-text GIN indexes.
  const indexes = await sql<{ table_name: string; name: string; definition: string }>`
    select indrelid::regclass::text as table_name, indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as definition
    from pg_index where indrelid in (${names})
      and not exists (select 1 from pg_constraint where conindid = pg_index.indexrelid)
    order by indexrelid::regclass::text`.execute(tx);
  for (const key of foreignKeys.rows) await sql`alter table ${sql.raw(key.table_name)} drop constraint ${sql.id(key.name)}`.execute(tx);
  for (const index of indexes.rows) await sql`drop index ${sql.raw(index.name)}`.execute(tx);
  return {
    statements: [
      ...indexes.rows.map((index) => index.definition),
      ...foreignKeys.rows.map((key) => `alter table ${key.table_name} add constraint ${quoteIdentifier(key.name)} ${key.definition}`),
    ],
    postgres: {
      indexes: indexes.rows.map((index) => ({ table: index.table_name, name: index.name, definition: index.definition })),
      foreignKeys: foreignKeys.rows.map((key) => ({ table: key.table_name, name: key.name, definition: key.definition })),
    },
  };
}

async function postgresRelationExists(tx: Kysely<Database>, name: string): Promise<boolean> {
  const result = await sql`select 1 where to_regclass(${name}) is not null`.execute(tx);
  return result.rows.length > 0;
}

async function postgresConstraintExists(tx: Kysely<Database>, table: string, name: string): Promise<boolean> {
  const result = await sql`select 1 from pg_constraint where conrelid = ${table}::regclass and conname = ${name}`.execute(tx);
  return result.rows.length > 0;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
