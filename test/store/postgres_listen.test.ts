// Proves that stopping a PostgreSQL LISTEN while its connection waits to reconnect leaves no connection behind: the pending reconnect does not open one that nobody would end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestStore, testDatabases, type TestStore } from '../harness/databases.ts';

const channel = 'quarry_listen_test';

describe.skipIf(!testDatabases.includes('postgres'))('PostgreSQL notifications', () => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore('postgres');
  });
  afterAll(async () => store.dropDatabase());

  /** Backends of this database whose last statement was the LISTEN of `channel`. */
  async function listeningBackends(): Promise<number[]> {
    const result = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and query = ${`listen "${channel}"`}`.execute(store.db);
    return result.rows.map((row) => row.pid);
  }

  it('opens no connection after stop() during a reconnect wait', async () => {
    const stop = await store.notifications!.listen(channel, () => undefined);
    const [pid] = await listeningBackends();
    expect(pid).toBeDefined();
    await sql`select pg_terminate_backend(${pid})`.execute(store.db);
    // The client sees its connection end and schedules a reconnect (at least 200 ms away).
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stop();
    // Past the reconnect delay: a reconnect that ignored stop() would be listening by now.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await listeningBackends()).toEqual([]);
  });
});
