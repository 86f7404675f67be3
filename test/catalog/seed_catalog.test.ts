// Proves the seed writes exactly the generator's catalog (with its search documents, on this
// thread or on worker threads alike), that seeding again updates the same ids in place (no
// duplicates) while a larger count adds the companies after them, and that on SQLite another
// writer gets the lock between the seed's batches.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { openStore, sqliteFileDefault } from '../../src/store/database.ts';
import { describeEachDatabase, openTestStore, type TestStore } from '../harness/databases.ts';
import { seedBatchCompanies, seedCatalog } from '../../src/app/catalog/seed_catalog.ts';
import { generateCompanies, generateContacts } from '../../src/app/catalog/generate_catalog.ts';
import { readCatalogVersion } from '../../src/store/catalog_version.ts';
import { countCompanies, countContacts, getCompany, getCompanySignals, getContact } from '../../src/store/catalog.ts';
import { companyRecordOf, searchDocumentsInStep, subscribe, tableCounts, testNow } from './catalog_fixtures.ts';

const seed = 3;
const companyCount = 1_250;
const generated = [...generateCompanies({ seed, count: companyCount })];
const contactCount = generated.reduce((sum, company) => sum + [...generateContacts(company, { seed })].length, 0);

describeEachDatabase('seedCatalog', (kind) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore(kind);
  });

  afterAll(async () => {
    await store.dropDatabase();
  });

  test("writes the generator's companies and contacts, reporting progress in batches, then its last steps", async () => {
    const progress: Array<[number, number]> = [];
    const stages: string[] = [];
    expect(await readCatalogVersion(store.db)).toBe(0);
    const result = await seedCatalog(store, {
      companies: companyCount,
      seed,
      now: testNow,
      onProgress: (done, total) => progress.push([done, total]),
      onStage: (stage) => stages.push(`${stage} after ${progress.length} batches`),
    });
    // Into the empty catalog: the indexes set aside come back after the last batch, then the statistics.
    const batches = Math.ceil(companyCount / seedBatchCompanies);
    expect(stages).toEqual([`indexes after ${batches} batches`, `statistics after ${batches} batches`]);
    expect(result).toEqual({ companies: companyCount, contacts: contactCount });
    // One report per batch (on PostgreSQL two batches commit at once, in either order).
    expect(progress).toHaveLength(batches);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual([companyCount, companyCount]);
    // What is built from the catalog in memory (the IP-to-company index) sees the version move.
    expect(await readCatalogVersion(store.db)).toBe(1);
    expect(await searchDocumentsInStep(store)).toMatchObject({ ok: true });
    expect(await countCompanies(store.db)).toBe(companyCount);
    expect(await countContacts(store.db)).toBe(contactCount);
    const last = generated.at(-1)!;
    expect(await getCompany(store.db, last.id)).toEqual(companyRecordOf(last));
    expect(await getCompanySignals(store.db, last.id)).toHaveLength(last.signals.length);
    const firstContact = [...generateContacts(last, { seed })][0];
    expect(await getContact(store.db, firstContact?.id ?? '')).toEqual(firstContact);
  });

  test('seeding again updates the same ids in place and keeps subscriptions', async () => {
    await subscribe(store, { type: 'company', id: 'cmp_0000001' });
    const before = await tableCounts(store);
    // Generated on a worker thread this time: the same records must come out. The catalog is
    // not empty, so nothing is set aside and there is nothing to rebuild.
    const stages: string[] = [];
    await seedCatalog(store, { companies: companyCount, seed, now: testNow + 1, workers: 1, onStage: (stage) => stages.push(stage) });
    expect(stages).toEqual(['statistics']);
    expect(await tableCounts(store)).toEqual(before);
    expect(await readCatalogVersion(store.db)).toBe(2);
    expect(await searchDocumentsInStep(store)).toMatchObject({ ok: true });
    const last = generated.at(-1)!;
    expect(await getCompany(store.db, last.id)).toEqual(companyRecordOf(last));
    const row = await store.db.selectFrom('companies').select('updated_at').where('id', '=', 'cmp_0000001').executeTakeFirst();
    expect(row?.updated_at).toBe(testNow + 1);
  });

  test('a larger count adds the companies after the existing ones', async () => {
    await seedCatalog(store, { companies: companyCount + 10, seed, now: testNow });
    expect(await countCompanies(store.db)).toBe(companyCount + 10);
    expect(await getCompany(store.db, 'cmp_0001260')).not.toBeNull();
    expect(await searchDocumentsInStep(store)).toMatchObject({ ok: true });
  });
});

describe('seedCatalog beside another writer (sqlite)', () => {
  // A server's writer as Quarry runs one (store/sqlite.ts): a 20 ms busy timeout, then retries
  // with backoff up to 10 s. In a thread of its own, so it competes for the lock while the seed
  // writes from this one. It writes from the seed's first batch until the seed stops writing
  // batches (signal[1]), noting for each write how long it waited and how many batches the seed
  // had written when it committed (signal[0]). How many writes fit depends on the machine's
  // speed, so the test counts on none of it beyond a few.
  const otherWriter = `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require(workerData.module);
    const db = new Database(workerData.path, { timeout: 20 });
    const signal = workerData.signal;
    const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    const seedStopped = () => Atomics.load(signal, 1) === 1;
    const writes = [];
    Atomics.wait(signal, 0, 0, 60000);
    for (let write = 0; !seedStopped(); write += 1) {
      const startedAt = Date.now();
      let outcome = 'locked';
      for (let retry = 0; ; retry += 1) {
        try { db.exec('begin immediate'); break; } catch (error) {
          if (error.code !== 'SQLITE_BUSY') throw error;
          if (seedStopped()) { outcome = 'stopped'; break; }
          if (Date.now() - startedAt > 10000) { outcome = 'gave up'; break; }
          sleep(Math.min(100, 5 * 2 ** Math.min(retry, 5)));
        }
      }
      if (outcome === 'locked') {
        db.prepare('insert into settings (key, value) values (?, ?)').run('other_writer_' + write, 'x');
        db.exec('commit');
        writes.push({ waitedMs: Date.now() - startedAt, seedBatches: Atomics.load(signal, 0) });
        sleep(50);
      } else if (outcome === 'gave up') {
        writes.push({ waitedMs: -1, seedBatches: Atomics.load(signal, 0) });
      }
    }
    db.close();
    parentPort.postMessage(writes);
  `;

  it('lets a writer in another thread through between batches, every time', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'quarry-seed-lock-'));
    const lockStore = await openStore({ dataDir });
    try {
      const signal = new Int32Array(new SharedArrayBuffer(8));
      const stopWriting = (): void => {
        Atomics.store(signal, 1, 1);
        Atomics.store(signal, 0, Math.max(1, Atomics.load(signal, 0)));
        Atomics.notify(signal, 0);
      };
      const worker = new Worker(otherWriter, {
        eval: true,
        workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), path: join(dataDir, sqliteFileDefault), signal },
      });
      const writes = new Promise<Array<{ waitedMs: number; seedBatches: number }>>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      let seedBatches = 0;
      const seeding = seedCatalog(lockStore, {
        companies: 40_000,
        seed,
        now: testNow,
        workers: 1,
        onProgress: () => {
          seedBatches += 1;
          Atomics.store(signal, 0, seedBatches);
          Atomics.notify(signal, 0);
        },
        // The batches are written: what follows (the index rebuild) is one transaction by design.
        onStage: (stage) => {
          if (stage === 'indexes') stopWriting();
        },
      });
      await seeding.finally(stopWriting);
      const result = await writes;
      expect(seedBatches).toBeGreaterThan(10);
      // Every write went through (none gave up after 10 s), none waiting long…
      expect(result.map((write) => write.waitedMs).filter((waited) => waited < 0 || waited >= 3_000)).toEqual([]);
      // …and they went through between the seed's batches: several batches apart, before its last.
      const between = new Set(result.map((write) => write.seedBatches).filter((batches) => batches < seedBatches));
      expect(between.size).toBeGreaterThanOrEqual(3);
    } finally {
      await lockStore.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
