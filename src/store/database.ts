// Opens the database: SQLite (better-sqlite3, one file under the data directory, WAL) by default,
// PostgreSQL when a URL is given. Both sit behind one Kysely instance and run the same migrations.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { HotReads } from './hot_reads.ts';
import { migrations } from './migrations/index.ts';
import { openSqlite } from './sqlite.ts';
import { openPostgres } from './postgres.ts';
import { repairSuspendedSchema } from './catalog_bulk_load.ts';

export type Dialect = 'sqlite' | 'postgres';

/** PostgreSQL's LISTEN/NOTIFY: messages between the server processes sharing one database. */
export interface Notifications {
  notify(channel: string, payload: string): Promise<void>;
  /** Calls `onPayload` for every message on `channel` (reconnecting if the connection drops); resolves to a stop function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
}

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /**
   * Runs `work` in one write transaction. On SQLite it is `BEGIN IMMEDIATE`, so a transaction
   * never has to upgrade a read lock (which could fail under another process's write); on
   * PostgreSQL it is READ COMMITTED, and credit use cases lock the account row first.
   */
  writeTransaction<T>(work: (tx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** The reads on every request's path; they see committed data only. */
  readonly reads: HotReads;
  /**
   * For reads outside transactions that may take a while (search): on SQLite a read-only
   * connection of its own, so a search never waits behind a write nor holds writes up; on
   * PostgreSQL the same pool as `db`.
   */
  readonly readDb: Kysely<Database>;
  /** Only on PostgreSQL: SQLite serves one process, whose events need no relay. */
  readonly notifications?: Notifications;
  /**
   * Only on PostgreSQL: runs `work` on a connection of its own, opened for it and closed after,
   * outside the pool. For session-level advisory locks held through work that itself needs the
   * pool's connections: held on a pooled one, they could take the last of them.
   */
  readonly ownSession?: <T>(work: (query: SessionQuery) => Promise<T>) => Promise<T>;
  close(): Promise<void>;
}

/** One statement on a session of its own, with parameters ($1, $2, …); its rows. */
export type SessionQuery = (text: string, values: readonly unknown[]) => Promise<Array<Record<string, unknown>>>;

export interface StoreOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  /** SQLite only: a file name other than `quarry.db` (tests use `:memory:`). */
  sqliteFile?: string;
  /** SQLite only: how long a write waits for the lock another process holds (default 10 s; tests shorten it). */
  sqliteWriteLockWaitMs?: number;
}

export const sqliteFileDefault = 'quarry.db';

export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10)
    : openSqlite(sqlitePath(options), { writeLockWaitMs: options.sqliteWriteLockWaitMs });
  await migrate(store.db);
  // A bulk catalog load that crashed may have left indexes set aside: never run without them.
  await repairSuspendedSchema(store);
  return store;
}

function sqlitePath(options: StoreOptions): string {
  if (options.sqliteFile === ':memory:') return ':memory:';
  mkdirSync(options.dataDir, { recursive: true });
  return join(options.dataDir, options.sqliteFile ?? sqliteFileDefault);
}

/** Applies every pending migration; fails loudly (with the migration's name) if one fails. */
export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed`, { cause: error });
  }
}
