// Proves the harness: each database of the run gets a migrated store of its own, and drop removes it.
import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import type { Store } from '../../src/store/database.ts';
import { createTestDatabase, describeEachDatabase, openTestStore, testDatabases, type TestStore } from './databases.ts';
import { startPostgresCluster } from './postgres_cluster.ts';

/** Beyond 2^31, so a BIGINT column that came back as a string or was cut to 32 bits would show. */
const createdAt = 1_767_225_600_000;

test('the run covers PostgreSQL exactly when the global setup provided a server', () => {
  expect(testDatabases.includes('postgres')).toBe(inject('postgresAdminUrl') !== null);
  expect(testDatabases.length).toBeGreaterThan(0);
});

test.skipIf(!testDatabases.includes('postgres'))('a cluster started with settings runs with them (the bench sets shared_buffers so)', async () => {
  const cluster = await startPostgresCluster({ settings: { shared_buffers: '48MB', cluster_name: "it's the harness" } });
  try {
    const client = new pg.Client(cluster.url);
    await client.connect();
    try {
      expect((await client.query<{ shared_buffers: string }>('show shared_buffers')).rows[0]?.shared_buffers).toBe('48MB');
      expect((await client.query<{ cluster_name: string }>('show cluster_name')).rows[0]?.cluster_name).toBe("it's the harness");
    } finally {
      await client.end();
    }
  } finally {
    await cluster.stop();
  }
});

describeEachDatabase('test harness', (kind) => {
  let store: TestStore;
  let other: TestStore;

  beforeAll(async () => {
    [store, other] = await Promise.all([openTestStore(kind), openTestStore(kind)]);
  });

  afterAll(async () => {
    await Promise.all([store?.dropDatabase(), other?.dropDatabase()]);
  });

  test('opens a store on the requested dialect', () => {
    expect(store.dialect).toBe(kind);
  });

  test('the migrations created the accounts table', async () => {
    await insertAccount(store, 'acct_harness_one');
    const account = await store.db
      .selectFrom('accounts')
      .innerJoin('plans', 'plans.id', 'accounts.plan_id')
      .select(['accounts.id', 'accounts.created_at', 'accounts.balance', 'plans.name as plan_name'])
      .where('accounts.id', '=', 'acct_harness_one')
      .executeTakeFirstOrThrow();
    expect(account).toEqual({ id: 'acct_harness_one', created_at: createdAt, balance: 0, plan_name: 'Harness plan' });
  });

  test('two test stores are different databases', async () => {
    await insertAccount(store, 'acct_harness_isolated');
    const seen = await other.db.selectFrom('accounts').select('id').where('id', '=', 'acct_harness_isolated').execute();
    expect(seen).toEqual([]);
    if (kind === 'postgres') {
      expect(await currentDatabase(store)).not.toBe(await currentDatabase(other));
    }
  });

  test('write transactions commit through the store', async () => {
    await store.writeTransaction((tx) =>
      tx.insertInto('settings').values({ key: 'harness', value: kind }).execute(),
    );
    const setting = await store.db.selectFrom('settings').select('value').where('key', '=', 'harness').executeTakeFirst();
    expect(setting?.value).toBe(kind);
  });

  test('dropping a test database removes it', async () => {
    const database = await createTestDatabase(kind);
    await database.drop();
    expect(existsSync(database.dataDir)).toBe(false);
    if (database.url !== undefined) {
      expect(await postgresDatabaseExists(new URL(database.url).pathname.slice(1))).toBe(false);
    }
  });
});

async function insertAccount(store: Store, accountId: string): Promise<void> {
  const planId = `plan_${accountId}`;
  await store.db
    .insertInto('plans')
    .values({
      id: planId,
      name: 'Harness plan',
      features: '[]',
      credits_per_period: 100,
      period: 'month',
      rate_limit_per_second: null,
      updated_at: createdAt,
    })
    .execute();
  await store.db
    .insertInto('accounts')
    .values({
      id: accountId,
      name: 'Harness account',
      plan_id: planId,
      created_at: createdAt,
      period_anchor: createdAt,
      period_epoch: 0,
      period_index: 0,
      balance: 0,
      ledger_seq: 0,
      ledger_at: 0,
      next_event_at: createdAt,
    })
    .execute();
}

async function currentDatabase(store: Store): Promise<string> {
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(store.db);
  return rows[0]?.name ?? '';
}

async function postgresDatabaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: inject('postgresAdminUrl') ?? undefined });
  await client.connect();
  try {
    const result = await client.query('select 1 from pg_database where datname = $1', [name]);
    return result.rowCount === 1;
  } finally {
    await client.end();
  }
}
