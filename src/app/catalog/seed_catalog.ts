// Fills the catalog with the synthetic companies and contacts of generate_catalog.ts, for demos
// and benchmarks. Seeding the same seed again writes the same ids with the same values, so it
// updates rather than duplicates; a larger count adds the companies beyond the previous ones.
//
// A pipeline: worker threads generate and encode batches (seed_batch.ts) while this thread
// writes the ones before, each batch in its own transaction, so a long seed never holds the
// write lock for long (other writers, such as credit charges, interleave) and an interrupted
// seed can simply be re-run. On PostgreSQL two batches are written at once, on two connections.
// Small seeds generate on this thread: starting workers would cost more than it saves.
import { availableParallelism } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Store } from '../../store/database.ts';
import { openCatalogWriter, type CatalogWriter } from '../../store/catalog_writes.ts';
import { refreshStatistics } from '../../store/statistics.ts';
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
  /** Generating worker threads; 0 generates on this thread (default: by size and cores). */
  workers?: number;
}

export interface SeedResult {
  companies: number;
  contacts: number;
}

export const seedSeedDefault = 42;
export const seedCompaniesMax = generatedCompaniesMax;
/** Companies per transaction: large enough for multi-row statements, small enough to share the lock. */
export const seedBatchCompanies = 1_000;
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
    requests.push({ engine: store.dialect, seed, offset, count, referenceTime: options.referenceTime });
  }
  const workerCount = options.workers ?? defaultWorkers(options.companies);
  const workers = workerCount > 0 ? new CatalogWorkers<SeedBatchRequest, SeedBatch>(new URL('./seed_worker.ts', import.meta.url), workerCount) : null;
  const writer = openCatalogWriter(store);
  try {
    const batches = workers ? generateThere(workers, requests) : generateHere(requests);
    const result = await writeBatches(store, writer, batches, options);
    // The planners know nothing of the new rows until told (store/statistics.ts).
    if (result.companies > 0) await store.writeTransaction((tx) => refreshStatistics(tx));
    return result;
  } finally {
    await writer.close();
    await workers?.close();
  }
}

function defaultWorkers(companies: number): number {
  if (companies < seedWorkersFromCompanies) return 0;
  // One core stays with the writing thread (and, on PostgreSQL, the database).
  return Math.max(1, Math.min(seedWorkersMax, availableParallelism() - 1));
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

async function writeBatches(
  store: Store,
  writer: CatalogWriter,
  batches: AsyncIterable<SeedBatch>,
  options: SeedOptions,
): Promise<SeedResult> {
  const writesAtOnce = store.dialect === 'postgres' ? postgresWritesAtOnce : 1;
  const writing = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  let heldMs = 0;
  let companies = 0;
  let contacts = 0;
  for await (const batch of batches) {
    while (writing.size >= writesAtOnce) await Promise.race(writing);
    if (failure !== null) break;
    const startedAt = performance.now();
    const write: Promise<void> = store
      .writeTransaction((tx) => writer.write(tx, batch.rows, options.now))
      .then(async () => {
        companies += batch.companies;
        contacts += batch.contacts;
        options.onProgress?.(companies, options.companies);
        heldMs += performance.now() - startedAt;
        if (store.dialect === 'sqlite' && heldMs >= seedLockHoldMsMax && companies < options.companies) {
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
