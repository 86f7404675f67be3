// Proves that on SQLite a write transaction waiting for another process's write lock (a CLI
// import, say) waits without freezing the server's event loop, and goes through once it is free.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openStore, sqliteFileDefault, type Store } from '../../src/store/database.ts';

let dataDir: string;
let store: Store;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quarry-lock-'));
  store = await openStore({ dataDir });
});
afterAll(async () => {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

it('waits for a held write lock asynchronously, then commits', async () => {
  const other = new BetterSqlite3(join(dataDir, sqliteFileDefault));
  other.exec('begin immediate');
  let ticks = 0;
  let ticksWhileLocked = -1;
  let released = false;
  const timer = setInterval(() => (ticks += 1), 10);
  // The lock is released from a timer: a wait that froze the event loop would never let it run.
  const release = setTimeout(() => {
    ticksWhileLocked = ticks;
    other.exec('commit');
    released = true;
  }, 300);
  let writtenAfterRelease = false;
  try {
    await store.writeTransaction(async (tx) => {
      writtenAfterRelease = released;
      await tx.insertInto('settings').values({ key: 'lock_test', value: 'done' }).execute();
    });
  } finally {
    clearInterval(timer);
    clearTimeout(release);
    other.close();
  }
  expect(writtenAfterRelease).toBe(true);
  // Other work of the process went on while the transaction waited for the lock.
  expect(ticksWhileLocked).toBeGreaterThan(0);
  const row = await store.db.selectFrom('settings').selectAll().where('key', '=', 'lock_test').executeTakeFirst();
  expect(row?.value).toBe('done');
});
