// Per-test databases on every database the run covers (see global_setup.ts). Each test store is
// its own database: a fresh PostgreSQL database inside the run's cluster, or a SQLite file in a
// fresh temporary folder. A suite written once with describeEachDatabase runs on each of them.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, inject } from 'vitest';
import { openStore, type Store, type StoreOptions } from '../../src/store/database.ts';
import type { TestDatabaseKind } from './global_setup.ts';

export type { TestDatabaseKind };

export interface TestDatabase {
  /** The database's URL on PostgreSQL; undefined on SQLite (the file lives in dataDir). */
  readonly url: string | undefined;
  readonly dataDir: string;
  drop(): Promise<void>;
}

export type TestStore = Store & {
  dropDatabase(): Promise<void>;
  /** SQLite: the folder of the database file (quarry.db); PostgreSQL: a local folder. */
  dataDir: string;
};

const postgresAdminUrl = inject('postgresAdminUrl');

export const testDatabases: TestDatabaseKind[] = enabledDatabases();

function enabledDatabases(): TestDatabaseKind[] {
  const provided = inject('testDatabases');
  if (!provided) throw new Error('the test databases were not provided: run through vitest with test/harness/global_setup.ts');
  // PostgreSQL counts only when the global setup has a server for it.
  return provided.filter((kind) => kind === 'sqlite' || postgresAdminUrl !== null);
}

/** Runs the suite `fn` once per database of the run, named `<name> (<kind>)`. */
export function describeEachDatabase(name: string, fn: (kind: TestDatabaseKind) => void): void {
  describe.each(testDatabases)(`${name} (%s)`, fn);
}

export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'quarry-test-'));
  if (kind === 'sqlite') {
    return { url: undefined, dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  try {
    return await createPostgresDatabase(dataDir);
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function createPostgresDatabase(dataDir: string): Promise<TestDatabase> {
  if (postgresAdminUrl === null) throw new Error('PostgreSQL is not part of this run (QUARRY_TEST_DATABASES)');
  const name = `quarry_test_${randomBytes(6).toString('hex')}`;
  await runAsAdmin(`create database ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    drop: async () => {
      // FORCE terminates the connections still open on the database (PostgreSQL 13 and later).
      await runAsAdmin(`drop database if exists ${name} with (force)`);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** CREATE and DROP DATABASE cannot run inside a transaction, so they get a client of their own. */
async function runAsAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl ?? undefined });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A migrated store on a database of its own. SQLite uses a real file (not `:memory:`), so WAL
 * and locking behave as in production. dropDatabase() closes the store and removes the database.
 */
export async function openTestStore(kind: TestDatabaseKind, options: Pick<StoreOptions, 'sqliteWriteLockWaitMs'> = {}): Promise<TestStore> {
  const database = await createTestDatabase(kind);
  let store: Store;
  try {
    store = await openStore({ databaseUrl: database.url, dataDir: database.dataDir, ...options });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const close = onlyOnce(() => store.close());
  return {
    db: store.db,
    dialect: store.dialect,
    writeTransaction: (work) => store.writeTransaction(work),
    reads: store.reads,
    get readDb() {
      return store.readDb;
    },
    ...(store.notifications ? { notifications: store.notifications } : {}),
    ...(store.ownSession ? { ownSession: store.ownSession } : {}),
    close,
    dataDir: database.dataDir,
    dropDatabase: onlyOnce(async () => {
      await close();
      await database.drop();
    }),
  };
}

function onlyOnce(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= work());
}
