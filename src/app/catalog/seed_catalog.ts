// Fills the catalog with the synthetic companies and contacts of generate_catalog.ts, for demos
// and benchmarks. Seeding the same seed again writes the same ids with the same values, so it
// updates rather than duplicates; a larger count adds the companies beyond the previous ones.
//
// A pipeline: worker threads generate and encode batches (seed_batch.ts) while this thread
// writes the ones before. Small seeds generate on this thread: starting workers would cost more
// than it saves.
//
// Into an EMPTY catalog (a fresh install, a benchmark) the seed takes the bulk path of
// store/catalog_bulk_load.ts: indexes (and on PostgreSQL foreign keys) are set aside and built
// again at the end in one pass each.
//   - SQLite: each batch in its own transaction, so a long seed never holds the write lock for
//     long (other writers, such as credit charges, interleave) and an interrupted seed can
//     simply be re-run; the indexes come back at the end, or at the next opening of the store
//     after a crash.
//   - PostgreSQL: every batch in ONE transaction on one connection (a failure or a crash
//     leaves no row of the seed); the indexes and foreign keys come back afterwards on two
//     sessions at once (half the time of one session rebuilding them in turn), or at the next
//     opening of the store after a crash. The seed holds an advisory lock meanwhile, so that
//     two bulk seeds never overlap and a server starting meanwhile leaves the rebuild to the
//     seed. Into a catalog that has records: a transaction a batch, two at once.
import { availableParallelism } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Store } from '../../store/database.ts';
import { openCatalogWriter, type CatalogRows, type CatalogWriter } from '../../store/catalog_writes.ts';
import {
  companyTables,
  contactTables,
  rebuildRemembered,
  restoreOnSessions,
  suspendIfEmpty,
  withBulkLoadLock,
  type LoadStage,
  type SuspendedSchema,
} from '../../store/catalog_bulk_load.ts';
import { analyzeOnSessions, refreshStatistics } from '../../store/statistics.ts';
import { bumpCatalogVersion } from '../../store/catalog_version.ts';
import { assert } from '../../lib/assert.ts';
import { generatedCompaniesMax } from './generate_catalog.ts';
import { generateSeedBatch, type SeedBatch, type SeedBatchRequest } from './seed_batch.ts';
import { CatalogWorkers } from './catalog_workers.ts';

export interface SeedOptions {
  /** How many companies (numbered from 1); each comes with 1–12 contacts. */
  companies: number;
  seed?: number;
  /** Stored as the records' update time. */
  now: number;
  /** The instant the synthetic history counts back from (default: the generator's fixed date). */
  referenceTime?: number;
  /** Companies written so far, after each batch. */
  onProgress?: (done: number, total: number) => void;
  /** The steps after the writing, as each begins (they take a fifth to a third of a large seed). */
  onStage?: (stage: LoadStage) => void;
  /** Generating worker threads; 0 generates on this thread (default: by size and cores). */
  workers?: number;
  /**
   * Into an empty catalog, set the indexes (and on PostgreSQL the foreign keys) aside and build
   * them at the end (default true; false writes row by row as into a filled catalog).
   */
  bulk?: boolean;
}

export type { LoadStage } from '../../store/catalog_bulk_load.ts';

export interface SeedResult {
  companies: number;
  contacts: number;
}

export const seedSeedDefault = 42;
export const seedCompaniesMax = generatedCompaniesMax;
/** Companies per transaction: large enough for multi-row statements, small enough to share the lock. */
export const seedBatchCompanies = 1_000;
/**
 * Each generating worker's young generation (MB): a batch of a thousand companies is some 10 MB
 * of short-lived objects, which V8's default nursery (16 MB a semi-space) copies over and over
 * before they die. Measured at 100,000–200,000 companies on 2 cores (noisy: three runs each),
 * the seed's CPU fell from 417–456 to 343–431 µs a company, most of it the workers' and V8's
 * collector threads'.
 */
const seedWorkerYoungGenerationMb = 192;
/** Below this many companies, generation stays on this thread. */
export const seedWorkersFromCompanies = 20_000;
export const seedWorkersMax = 4;
/**
 * SQLite: once batches have held the write lock this long in a row, it is left free for
 * seedLockPauseMs, so that a server writing to the same file gets its turn: its writers wait
 * for the lock polling at most 10 ms apart (a 20 ms busy timeout, then retries with backoff).
 */
export const seedLockHoldMsMax = 200;
export const seedLockPauseMs = 10;
/**
 * The same into an empty catalog (the bulk path): a server's writes then wait up to half a
 * second rather than a fifth, and the seed, which idles for every pause, loses 2% of its time
 * instead of 5% (about 5 s at a million companies).
 */
export const seedBulkLockHoldMsMax = 500;
/** PostgreSQL: batches written at once, each on its own connection. */
const postgresWritesAtOnce = 2;

export async function seedCatalog(store: Store, options: SeedOptions): Promise<SeedResult> {
  const seed = options.seed ?? seedSeedDefault;
  assert(
    Number.isSafeInteger(options.companies) && options.companies >= 0 && options.companies <= seedCompaniesMax,
    `companies must be an integer from 0 to ${seedCompaniesMax}`,
  );
  const requests: SeedBatchRequest[] = [];
  for (let offset = 0; offset < options.companies; offset += seedBatchCompanies) {
    const count = Math.min(seedBatchCompanies, options.companies - offset);
    requests.push({ engine: store.dialect, seed, offset, count, referenceTime: options.referenceTime, now: options.now });
  }
  const workerCount = options.workers ?? defaultWorkers(options.companies);
  const workers =
    workerCount > 0
      ? new CatalogWorkers<SeedBatchRequest, SeedBatch>(new URL('./seed_worker.ts', import.meta.url), workerCount, {
          youngGenerationMb: seedWorkerYoungGenerationMb,
        })
      : null;
  const writer = openCatalogWriter(store);
  try {
    const batches = workers ? generateThere(workers, requests) : generateHere(requests);
    const load = { store, writer, batches, options };
    const result = store.dialect === 'postgres' ? await seedPostgres(load) : await seedSqlite(load);
    // The planners know nothing of the new rows until told (store/statistics.ts).
    // What is derived from the catalog in memory is rebuilt when its version moves (store/catalog_version.ts).
    if (result.companies > 0) {
      announceStage(options, 'statistics');
      // PostgreSQL's ANALYZE first, on two sessions (seconds at a million companies).
      await analyzeOnSessions(store, postgresWritesAtOnce);
      await store.writeTransaction(async (tx) => {
        await refreshStatistics(tx, undefined, { analyzed: store.dialect === 'postgres' });
        await bumpCatalogVersion(tx);
      });
    }
    return result;
  } finally {
    await writer.close();
    await workers?.close();
  }
}

interface SeedLoad {
  store: Store;
  writer: CatalogWriter;
  batches: AsyncIterable<SeedBatch>;
  options: SeedOptions;
}

/**
 * PostgreSQL: into an empty catalog, the indexes and foreign keys are set aside first (the
 * statements that rebuild them stored in `settings`, committed), every batch is written in ONE
 * transaction (a failure or a crash leaves no row of the seed), and then, committed or not,
 * what was set aside is built again on two sessions at once. One writing session rather than
 * two: the generating workers and PostgreSQL's backend already keep both cores busy, and
 * batches committed one by one wake autovacuum on the tables being filled. Into a catalog that
 * has records, a transaction a batch, two at once.
 */
async function seedPostgres(load: SeedLoad): Promise<SeedResult> {
  const { store, writer, options } = load;
  const writeEach = (): Promise<SeedResult> =>
    writeBatches(load, {
      writesAtOnce: postgresWritesAtOnce,
      write: (rows) => store.writeTransaction((tx) => writer.write(tx, rows, options.now)),
    });
  if (options.bulk === false || options.companies === 0) return writeEach();
  return withBulkLoadLock(store, async () => {
    await rebuildRemembered(store);
    const suspended = await store.writeTransaction((tx) => suspendIfEmpty(tx, { records: 'companies', tables: catalogTables, remember: true }));
    if (suspended === null) return writeEach();
    return writeThenRebuild(load, suspended, () =>
      store.writeTransaction((tx) => writeBatches(load, { writesAtOnce: 1, write: (rows) => writer.write(tx, rows, options.now) })),
    );
  });
}

async function seedSqlite(load: SeedLoad): Promise<SeedResult> {
  const { store, writer, options } = load;
  // `bulk`: into a catalog that was empty, where every record is new (the writer need not look
  // ids up) and the lock is held longer between pauses.
  const writeEach = (bulk: boolean): Promise<SeedResult> =>
    writeBatches(load, {
      writesAtOnce: 1,
      write: (rows) => store.writeTransaction((tx) => writer.write(tx, rows, options.now, { allNew: bulk })),
      lockHoldMsMax: bulk ? seedBulkLockHoldMsMax : seedLockHoldMsMax,
    });
  if (options.bulk === false || options.companies === 0) return writeEach(false);
  await rebuildRemembered(store);
  const suspended = await store.writeTransaction((tx) =>
    suspendIfEmpty(tx, { records: 'companies', tables: catalogTables, remember: true, sqliteKept: seedSqliteKeptIndexes }),
  );
  return suspended === null ? writeEach(false) : writeThenRebuild(load, suspended, () => writeEach(true));
}

/**
 * Writes, then rebuilds what was set aside, whether the writing succeeded or not: a failed seed
 * must not leave the catalog without its indexes. When both fail, both errors are thrown.
 */
async function writeThenRebuild(load: SeedLoad, suspended: SuspendedSchema, write: () => Promise<SeedResult>): Promise<SeedResult> {
  const rebuild = async (): Promise<void> => {
    announceStage(load.options, 'indexes');
    await restoreOnSessions(load.store, suspended);
  };
  let result: SeedResult;
  try {
    result = await write();
  } catch (writeError) {
    await rebuild().catch((rebuildError: unknown) => {
      throw new AggregateError([writeError, rebuildError], 'the seed failed, and so did rebuilding the indexes it had set aside');
    });
    throw writeError;
  }
  await rebuild();
  return result;
}

/**
 * Tells onStage that `stage` begins. It is only a progress display: one that fails must not keep
 * the indexes from coming back, nor the statistics from being refreshed.
 */
function announceStage(options: SeedOptions, stage: LoadStage): void {
  try {
    options.onStage?.(stage);
  } catch {
    // Nothing to undo: the seed goes on.
  }
}

const catalogTables = [...companyTables, ...contactTables];
/**
 * SQLite: the seed writes contacts in company order, so their index by company only ever grows
 * at its end and is kept during the seed (store/catalog_bulk_load.ts, sqliteKept): at a million
 * companies that spares a 4-second rebuild for no measurable cost while writing. The seed's other
 * indexes would receive entries all over (by technology, by domain, …) and are rebuilt.
 */
const seedSqliteKeptIndexes = ['contacts_by_company'];

function defaultWorkers(companies: number): number {
  if (companies < seedWorkersFromCompanies) return 0;
  // One per core: generating costs more CPU than writing (SQLite) or than the database's work
  // (PostgreSQL), and while the writer waits on the database a second generator fills the gap.
  // Measured on 2 cores: 2 workers seeded 10–20% faster than 1.
  return Math.max(1, Math.min(seedWorkersMax, availableParallelism()));
}

/** Batches asked of each worker ahead of the one being written: enough to never leave it idle. */
const batchesAheadPerWorker = 2;

/** The batches of `requests` from the workers, in order, a few requests ahead. */
async function* generateThere(workers: CatalogWorkers<SeedBatchRequest, SeedBatch>, requests: readonly SeedBatchRequest[]): AsyncGenerator<SeedBatch> {
  const ahead = workers.size * batchesAheadPerWorker;
  const results: Array<Promise<SeedBatch>> = [];
  for (let index = 0; index < requests.length; index += 1) {
    while (results.length < requests.length && results.length <= index + ahead) results.push(workers.submit(requests[results.length]!));
    const result = results[index]!;
    delete results[index];
    yield await result;
  }
}

async function* generateHere(requests: readonly SeedBatchRequest[]): AsyncGenerator<SeedBatch> {
  for (const request of requests) yield generateSeedBatch(request);
}

interface BatchWrites {
  /** Batches written at once (each in its own transaction). */
  writesAtOnce: number;
  write: (rows: CatalogRows) => Promise<unknown>;
  /** SQLite: after holding the write lock this long, leave it free for seedLockPauseMs. */
  lockHoldMsMax?: number;
}

async function writeBatches(load: SeedLoad, writes: BatchWrites): Promise<SeedResult> {
  const { options } = load;
  const writing = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  let heldMs = 0;
  let companies = 0;
  let contacts = 0;
  for await (const batch of load.batches) {
    while (writing.size >= writes.writesAtOnce) await Promise.race(writing);
    if (failure !== null) break;
    const startedAt = performance.now();
    const write: Promise<void> = writes
      .write(batch.rows)
      .then(async () => {
        companies += batch.companies;
        contacts += batch.contacts;
        options.onProgress?.(companies, options.companies);
        heldMs += performance.now() - startedAt;
        if (writes.lockHoldMsMax !== undefined && heldMs >= writes.lockHoldMsMax && companies < options.companies) {
          await delay(seedLockPauseMs);
          heldMs = 0;
        }
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => writing.delete(write));
    writing.add(write);
  }
  await Promise.all(writing);
  if (failure !== null) throw (failure as { error: unknown }).error;
  return { companies, contacts };
}
