// PostgreSQL, for many stateless server processes sharing one database.
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.ts';
import type { Store } from './database.ts';
import { createHotReads, kyselyReadRunner } from './hot_reads.ts';

// Times and large numbers are BIGINT; they stay well inside 2^53, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function openPostgres(url: string, poolSize: number): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    writeTransaction: (work) => db.transaction().execute(work),
    reads: createHotReads(db, kyselyReadRunner(db)),
    close: () => db.destroy(),
  };
}
