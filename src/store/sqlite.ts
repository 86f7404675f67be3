// The embedded default: one SQLite file through better-sqlite3, in WAL mode.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database } from './schema.ts';
import type { Store } from './database.ts';
import { createHotReads, kyselyReadRunner, sqliteReadRunner } from './hot_reads.ts';

/** How long a writer waits for another process's write lock before giving up. */
const busyTimeoutMs = 10_000;
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

export function openSqlite(path: string): Store {
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a crash of the process (kill -9) with every committed
  // transaction intact; only a power loss can drop the last commits, never corrupt the file.
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  // An in-memory database cannot be opened twice; its hot reads go through the one connection.
  const reads = createHotReads(db, path === ':memory:' ? kyselyReadRunner(db) : sqliteReadRunner(path, busyTimeoutMs));

  return {
    db,
    dialect: 'sqlite',
    writeTransaction: (work) =>
      // Kysely's SQLite driver hands one connection to one caller at a time, so everything
      // inside `work` runs alone; BEGIN IMMEDIATE takes the file's write lock up front.
      db.connection().execute(async (connectionDb) => {
        await sql`begin immediate`.execute(connectionDb);
        try {
          const result = await work(connectionDb);
          await sql`commit`.execute(connectionDb);
          return result;
        } catch (error) {
          await sql`rollback`.execute(connectionDb);
          throw error;
        }
      }),
    reads,
    close: async () => {
      reads.close();
      await db.destroy();
    },
  };
}
