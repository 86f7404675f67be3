// The embedded default: one SQLite file through better-sqlite3, in WAL mode.
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.ts';
import type { Store } from './database.ts';

/** How long a writer waits for another process's write lock before giving up. */
const busyTimeoutMs = 10_000;

export function openSqlite(path: string): Store {
  const connection = new BetterSqlite3(path);
  connection.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a crash of the process (kill -9) with every committed
  // transaction intact; only a power loss can drop the last commits, never corrupt the file.
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });

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
    close: () => db.destroy(),
  };
}
