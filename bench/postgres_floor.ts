// The floor of PostgreSQL on this machine: how many short write transactions a pool of the
// server's size commits per second, with nothing of Quarry in the way. Each transaction is the
// skeleton of a charge: BEGIN; UPDATE one account row; INSERT one ledger row; COMMIT. Every
// worker owns one account row (as every connection of the charged-reads load owns one account),
// so rows are never contended and the figure is bounded by round trips and commits (fsync).
import pg from 'pg';
import { cpuWindow, type CpuUse } from './cpu.ts';

export interface FloorOptions {
  url: string;
  /** The pool's size: the server's default (QUARRY_DB_POOL_SIZE = 10). */
  poolSize: number;
  /** Concurrent callers queuing on the pool: the load's connection count. */
  workers: number;
  warmupSeconds: number;
  seconds: number;
  /** The postmaster's pid, to account the database's CPU. */
  databasePid?: number;
}

export interface FloorResult {
  transactions: number;
  seconds: number;
  transactionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export type MeasuredFloor = FloorResult & { cpu: CpuUse };

/** A bound on transactions per run, far above what one machine commits in a few seconds. */
const transactionsMax = 5_000_000;

export async function measureTransactionFloor(options: FloorOptions): Promise<MeasuredFloor> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize });
  try {
    await pool.query(`create table floor_accounts (id integer primary key, balance bigint not null, seq integer not null)`);
    await pool.query(`create table floor_ledger (
      account_id integer not null references floor_accounts (id), seq integer not null, at bigint not null,
      credits integer not null, balance_after bigint not null, primary key (account_id, seq))`);
    await pool.query(`insert into floor_accounts select id, 1000000000, 0 from generate_series(1, $1::int) as id`, [options.workers]);
    await runWorkers(pool, options, options.warmupSeconds);
    const cpu = cpuWindow({ databasePid: options.databasePid });
    const result = await runWorkers(pool, options, options.seconds);
    return { ...result, cpu: cpu() };
  } finally {
    await pool.end();
  }
}

async function runWorkers(pool: pg.Pool, options: FloorOptions, seconds: number): Promise<FloorResult> {
  const latencies: number[] = [];
  const startedAt = performance.now();
  const stopAt = startedAt + seconds * 1000;
  const worker = async (accountId: number): Promise<void> => {
    while (performance.now() < stopAt && latencies.length < transactionsMax) {
      const began = performance.now();
      const client = await pool.connect();
      try {
        await client.query('begin');
        const updated = await client.query<{ seq: number; balance: string }>(
          'update floor_accounts set balance = balance - 1, seq = seq + 1 where id = $1 returning seq, balance',
          [accountId],
        );
        const row = updated.rows[0]!;
        await client.query('insert into floor_ledger (account_id, seq, at, credits, balance_after) values ($1, $2, $3, -1, $4)', [
          accountId,
          row.seq,
          Date.now(),
          row.balance,
        ]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: options.workers }, (_, index) => worker(index + 1)));
  const elapsed = (performance.now() - startedAt) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (fraction: number): number => latencies[Math.max(0, Math.ceil(fraction * latencies.length) - 1)] ?? Number.NaN;
  return {
    transactions: latencies.length,
    seconds: elapsed,
    transactionsPerSecond: latencies.length / elapsed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}
