// PostgreSQL, for many stateless server processes sharing one database.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { Database } from './schema.ts';
import type { Store } from './database.ts';
import { createHotReads, kyselyReadRunner } from './hot_reads.ts';

// Times and large numbers are BIGINT; they stay well inside 2^53, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Prepared statements kept per connection, and the longest statement worth preparing. */
const preparedStatementsPerConnectionMax = 256;
const preparedStatementCharsMax = 4_000;

/**
 * Kysely sends every query as an unnamed statement, which PostgreSQL parses and plans anew each
 * time; on the charge path that is most of the database's work. This pool names each repeated,
 * parameterised statement after a hash of its text, so each connection prepares it once. Each
 * connection prepares a bounded number (one-off statements, such as bulk imports with varying
 * row counts, stay unnamed).
 */
function withPreparedStatements(pool: pg.Pool): PostgresPool {
  const prepared = new WeakMap<pg.PoolClient, { generation: number; names: Set<string> }>();
  const run = async (client: pg.PoolClient, text: string, values: unknown[]): Promise<pg.QueryResult> => {
    let state = prepared.get(client);
    if (!state) prepared.set(client, (state = { generation: 0, names: new Set() }));
    if (values.length === 0 || text.length > preparedStatementCharsMax) return client.query(text, values);
    const name = `q${state.generation}_${createHash('sha1').update(text).digest('base64url')}`;
    if (!state.names.has(name)) {
      if (state.names.size >= preparedStatementsPerConnectionMax) return client.query(text, values);
      state.names.add(name);
    }
    try {
      return await client.query({ name, text, values });
    } catch (error) {
      // After a migration changed a table, a statement prepared before it fails with "cached
      // plan must not change result type": prepare everything again under new names.
      if ((error as { code?: string }).code !== '0A000') throw error;
      state.generation += 1;
      state.names.clear();
      return client.query(text, values);
    }
  };
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    query: ((text: string, values: unknown[]) => run(client, text, values)) as unknown as PostgresPoolClient['query'],
    release: () => client.release(),
  });
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}

export function openPostgres(url: string, poolSize: number): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });
  return {
    db,
    dialect: 'postgres',
    writeTransaction: (work) => db.transaction().execute(work),
    reads: createHotReads(db, kyselyReadRunner(db)),
    readDb: db,
    close: () => db.destroy(),
  };
}
