// PostgreSQL, for many stateless server processes sharing one database.
import { createHash } from 'node:crypto';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Kysely, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient, type RawBuilder } from 'kysely';
import type { Database } from './schema.ts';
import { assert } from '../lib/assert.ts';
import type { Notifications, Store } from './database.ts';
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
    if (text.startsWith(copyMarker)) return copyIn(client, text, values);
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

/**
 * Kysely knows no COPY, so a COPY … FROM STDIN goes through it as a statement that starts with
 * this marker and carries its data as its one parameter; the pool above streams the data.
 */
const copyMarker = '/* quarry: copy from stdin */ ';

/** `copy <table> (<columns>) from stdin` with `data` (COPY's text format, UTF-8) as its data. */
export function copyFromStdin(copy: { table: string; columns: readonly string[]; data: Uint8Array }): RawBuilder<unknown> {
  const columnList = copy.columns.map(quoteIdentifier).join(', ');
  return sql`${sql.raw(`${copyMarker}copy ${quoteIdentifier(copy.table)} (${columnList}) from stdin`)} ${copy.data}`;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function copyIn(client: pg.PoolClient, text: string, values: unknown[]): Promise<pg.QueryResult> {
  const [data] = values;
  assert(values.length === 1 && data instanceof Uint8Array, 'a COPY carries its data as its one parameter');
  // The parameter's placeholder ($1) ends the statement Kysely compiled.
  const statement = text.slice(copyMarker.length).replace(/ \$1$/, '');
  const stream = client.query(copyFrom(statement));
  stream.end(data);
  await finished(stream);
  return { command: 'COPY', rowCount: stream.rowCount, rows: [], oid: 0, fields: [] };
}

/** How long a dropped LISTEN connection waits before it connects again, at most. */
const listenReconnectMsMax = 5_000;
/** NOTIFY payloads are limited by PostgreSQL to just under 8000 bytes. */
export const notifyPayloadBytesMax = 7_900;

/**
 * LISTEN needs a connection of its own, held open (a pooled one would be handed to other work).
 * If it drops, it connects again with backoff; messages sent meanwhile are lost, which the web
 * app tolerates (the next charge, or a reload, shows the balance).
 */
function postgresNotifications(url: string, db: Kysely<Database>): Notifications {
  return {
    async notify(channel, payload) {
      if (Buffer.byteLength(payload) > notifyPayloadBytesMax) throw new Error(`a NOTIFY payload over ${notifyPayloadBytesMax} bytes`);
      await sql`select pg_notify(${channel}, ${payload})`.execute(db);
    },
    async listen(channel, onPayload) {
      let stopped = false;
      let client: pg.Client | undefined;
      let failures = 0;
      const connect = async (): Promise<void> => {
        // A reconnect timer can fire after stop(): it must not open a connection nobody ends.
        if (stopped) return;
        // keepAlive: the listening connection is idle for long stretches, and a NAT or firewall
        // that silently drops it would leave this process deaf with no error to reconnect on.
        const fresh = new pg.Client({ connectionString: url, keepAlive: true });
        fresh.on('notification', (message) => {
          if (message.channel === channel && message.payload !== undefined) onPayload(message.payload);
        });
        const reconnect = () => {
          if (stopped || client !== fresh) return;
          client = undefined;
          failures += 1;
          setTimeout(() => void connect().catch(reconnect), Math.min(listenReconnectMsMax, 100 * 2 ** Math.min(failures, 6))).unref();
        };
        fresh.on('error', reconnect);
        fresh.on('end', reconnect);
        client = fresh;
        await fresh.connect();
        // stop() ran while connecting: it ended the client it saw (this one, or none yet), and
        // this one is ended here in case it was not.
        if (stopped) {
          await fresh.end().catch(() => undefined);
          return;
        }
        await fresh.query(`listen ${pg.escapeIdentifier(channel)}`);
        failures = 0;
      };
      await connect();
      return async () => {
        stopped = true;
        const last = client;
        client = undefined;
        await last?.end().catch(() => undefined);
      };
    },
  };
}

/**
 * Planner settings of Quarry's sessions. Its queries are short walks along indexes over data
 * that fits in memory, where PostgreSQL's defaults (made for spinning disks and long reports)
 * pick wrong plans: with random_page_cost at 4 a search walks a million companies in id order
 * rather than one country's index (86 ms against 5 ms at a million companies), and starting
 * parallel workers or compiling a plan (JIT) for a 25-row page costs more than it saves (JIT
 * alone added 8 ms to a search). 1.1 is the usual random_page_cost for SSDs.
 */
const sessionSettings = '-c random_page_cost=1.1 -c max_parallel_workers_per_gather=0 -c jit=off';

/**
 * How long a pooled connection may sit idle before it is closed (pg.Pool's default is 10 s). A
 * new backend is slow at first: each of its prepared statements is parsed again, and each page
 * of PostgreSQL's shared buffers costs it a page fault the first time it reads it (on a VM,
 * 10–20 µs a page: a search reading a thousand pages took 170 ms in a fresh backend against 22
 * ms in a warm one, at a million companies). Kept for minutes, the pool's backends stay warm
 * through the pauses of ordinary traffic.
 */
const poolIdleMs = 5 * 60_000;

export function openPostgres(url: string, poolSize: number): Store {
  // keepAlive: a connection idle for minutes must not be dropped silently by a NAT or firewall
  // on the way (some drop idle flows after four), to hang the request that takes it next.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: sessionSettings, idleTimeoutMillis: poolIdleMs, keepAlive: true });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });
  // Searches go unprepared on the same pool: a prepared statement may settle on one generic plan
  // for all values, where a search's best plan depends on them (a rare word is listed, a common
  // one walked). Planning a search costs a fraction of a millisecond.
  const readDb = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: { connect: () => pool.connect(), end: async () => undefined } }),
  });
  return {
    db,
    dialect: 'postgres',
    writeTransaction: (work) => db.transaction().execute(work),
    reads: createHotReads(db, kyselyReadRunner(db)),
    readDb,
    notifications: postgresNotifications(url, db),
    ownSession: async (work) => {
      const client = new pg.Client({ connectionString: url, options: sessionSettings, keepAlive: true });
      // As for the pool: a server that drops the connection must not crash the process.
      client.on('error', () => undefined);
      await client.connect();
      try {
        return await work(async (text, values) => (await client.query(text, [...values])).rows as Array<Record<string, unknown>>);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    close: async () => {
      await readDb.destroy();
      await db.destroy();
    },
  };
}
