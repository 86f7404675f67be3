// The embedded default: one SQLite file through better-sqlite3, in WAL mode.
import { setTimeout as delay } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from './schema.ts';
import { wallNow } from '../lib/clock.ts';
import type { Store } from './database.ts';
import { createHotReads, kyselyReadRunner, sqliteReadRunner } from './hot_reads.ts';
import { DatabaseBusyError } from './store_errors.ts';

/**
 * better-sqlite3 waits for a lock synchronously, freezing the event loop: the connection itself
 * waits only briefly, and a transaction that finds the write lock taken (say, by a `quarry import`
 * in another process) retries asynchronously, with backoff, up to `writeLockWaitMsMax`.
 */
const busyTimeoutMs = 20;
const writeLockWaitMsMax = 10_000;
const writeLockRetryMsMax = 100;
/** Readers in WAL mode do not wait for writers; this only bounds rare recovery waits. */
const readBusyTimeoutMs = 1_000;
/** Prepared statements kept per connection; the cache starts over when full. */
const statementCacheSize = 500;

/**
 * Kysely prepares every query anew; preparing costs more than running a point lookup. The hot
 * paths run the same few statements, so keep them prepared. better-sqlite3 re-prepares a cached
 * statement itself if the schema changes, and Kysely's connection mutex means one statement is
 * never used by two queries at once.
 */
function withStatementCache(connection: BetterSqlite3.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => connection.close(),
    prepare: (text: string) => {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= statementCacheSize) statements.clear();
        statement = connection.prepare(text) as unknown as SqliteStatement;
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

/** Each store's write connection, for the catalog's bulk writes (store/catalog_bulk_sqlite.ts). */
const writeConnections = new WeakMap<Kysely<Database>, BetterSqlite3.Database>();

/**
 * The better-sqlite3 connection behind a SQLite store's `db`, or undefined for another engine.
 * Statements run on it take part in the transaction that `writeTransaction` has open, since
 * that transaction holds this very connection; use it only inside one.
 */
export function sqliteWriteConnection(db: Kysely<Database>): BetterSqlite3.Database | undefined {
  return writeConnections.get(db);
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

export function openSqlite(path: string, options: { writeLockWaitMs?: number | undefined } = {}): Store {
  const writeLockWaitMs = options.writeLockWaitMs ?? writeLockWaitMsMax;
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a crash of the process (kill -9) with every committed
  // transaction intact; only a power loss can drop the last commits, never corrupt the file.
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  writeConnections.set(db, connection);
  // An in-memory database cannot be opened twice; its hot reads go through the one connection.
  const reads = createHotReads(db, path === ':memory:' ? kyselyReadRunner(db) : sqliteReadRunner(path, readBusyTimeoutMs));
  // Opened on first use: the file's schema (migrations) must exist before a read-only connection.
  let readDb: Kysely<Database> | undefined;
  const openReadDb = (): Kysely<Database> => {
    if (path === ':memory:') return db;
    readDb ??= new Kysely<Database>({
      dialect: new SqliteDialect({
        database: async () => withStatementCache(new BetterSqlite3(path, { readonly: true, timeout: readBusyTimeoutMs })),
      }),
    });
    return readDb;
  };

  const attempt = <T>(work: (tx: Kysely<Database>) => Promise<T>): Promise<{ busy: true } | { busy: false; result: T }> =>
    // Kysely's SQLite driver hands one connection to one caller at a time, so everything
    // inside `work` runs alone; BEGIN IMMEDIATE takes the file's write lock up front.
    db.connection().execute(async (connectionDb) => {
      try {
        await sql`begin immediate`.execute(connectionDb);
      } catch (error) {
        if (isBusy(error)) return { busy: true as const };
        throw error;
      }
      try {
        const result = await work(connectionDb);
        await sql`commit`.execute(connectionDb);
        return { busy: false as const, result };
      } catch (error) {
        await sql`rollback`.execute(connectionDb);
        throw error;
      }
    });

  return {
    db,
    dialect: 'sqlite',
    async writeTransaction(work) {
      const deadline = wallNow() + writeLockWaitMs;
      for (let retry = 0; ; retry += 1) {
        const outcome = await attempt(work);
        if (!outcome.busy) return outcome.result;
        if (wallNow() >= deadline) throw new DatabaseBusyError(`the database stayed locked by another process for ${writeLockWaitMs} ms`);
        // The connection is released while waiting, so this process's reads go on.
        await delay(Math.min(writeLockRetryMsMax, 5 * 2 ** Math.min(retry, 5)));
      }
    },
    reads,
    get readDb() {
      return openReadDb();
    },
    close: async () => {
      reads.close();
      await readDb?.destroy();
      await db.destroy();
    },
  };
}
