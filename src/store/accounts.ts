// Account rows: read, lock for a credit transaction, write back.
import type { Kysely, Selectable } from 'kysely';
import type { AccountsTable, Database } from './schema.ts';
import type { Dialect } from './database.ts';
import { assert } from '../lib/assert.ts';

export type AccountRow = Selectable<AccountsTable>;

export async function findAccount(db: Kysely<Database>, accountId: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
}

/**
 * Reads the account row inside a write transaction and holds it until commit. On PostgreSQL
 * this is `SELECT … FOR UPDATE`: every credit movement of one account queues here, which is what
 * makes concurrent first reads on many server processes charge once. SQLite's BEGIN IMMEDIATE
 * already holds the database's only write lock.
 */
export async function lockAccount(
  tx: Kysely<Database>,
  dialect: Dialect,
  accountId: string,
): Promise<AccountRow | undefined> {
  const query = tx.selectFrom('accounts').selectAll().where('id', '=', accountId);
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

export async function insertAccount(db: Kysely<Database>, row: AccountRow): Promise<void> {
  await db.insertInto('accounts').values(row).execute();
}

export interface AccountUpdate {
  balance: number;
  ledger_seq: number;
  next_event_at: number;
  period_anchor: number;
  period_epoch: number;
  period_index: number;
  plan_id: string;
  ledger_at: number;
}

/**
 * Writes the account's new state. `expectedSeq` is the ledger sequence read under the lock:
 * matching it is a checked assertion that nobody else wrote in between.
 */
export async function updateAccount(
  tx: Kysely<Database>,
  accountId: string,
  expectedSeq: number,
  update: AccountUpdate,
): Promise<void> {
  const result = await tx
    .updateTable('accounts')
    .set(update)
    .where('id', '=', accountId)
    .where('ledger_seq', '=', expectedSeq)
    .executeTakeFirst();
  assert(result.numUpdatedRows === 1n, `account ${accountId} changed under its lock`);
}

export async function listAccounts(
  db: Kysely<Database>,
  options: { limit: number; afterId?: string | undefined; query?: string | undefined },
): Promise<AccountRow[]> {
  let query = db.selectFrom('accounts').selectAll().orderBy('id').limit(options.limit);
  if (options.afterId) query = query.where('id', '>', options.afterId);
  if (options.query) {
    const pattern = `%${options.query.toLowerCase()}%`;
    query = query.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', pattern), eb('id', '=', options.query!)]));
  }
  return query.execute();
}
