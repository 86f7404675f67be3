// Writes one account transaction's buffered credit movements: new grants, ledger entries, their
// allocations, moves of existing grants, new subscriptions, and the account row, guarded by the
// ledger sequence read under the lock. On PostgreSQL it is one statement of data-modifying CTEs
// (one round trip per charge instead of six); on SQLite, where a statement costs no round trip,
// the same writes run one after another. Either way every constraint of the schema still checks
// every row.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.ts';
import { chunks } from '../lib/chunks.ts';
import type { Dialect } from './database.ts';
import type { GrantRow, LedgerEntryRow } from './credits.ts';
import type { SubscriptionRow } from './subscriptions.ts';
import type { AccountUpdate } from './accounts.ts';
import { updateAccount } from './accounts.ts';
import { assert } from '../lib/assert.ts';

export interface AllocationRow {
  account_id: string;
  entry_seq: number;
  grant_id: string;
  credits: number;
}

export interface LedgerBatch {
  accountId: string;
  /** The ledger sequence read under the lock: the account row must still have it. */
  expectedSeq: number;
  account: AccountUpdate;
  grants: GrantRow[];
  entries: LedgerEntryRow[];
  allocations: AllocationRow[];
  /** Signed changes to existing grants' remainders, by grant id. */
  grantMoves: Map<string, number>;
  subscriptions: SubscriptionRow[];
}

/** Rows per insert statement: far below both databases' limits on bound parameters. */
const rowsPerStatementMax = 100;
/** Above this many rows (a long catch-up of missed periods), write in several statements. */
const oneStatementRowsMax = 60;

export async function writeLedgerBatch(tx: Kysely<Database>, dialect: Dialect, batch: LedgerBatch): Promise<void> {
  const rowCount = batch.grants.length + batch.entries.length + batch.allocations.length + batch.subscriptions.length;
  if (dialect === 'postgres' && rowCount <= oneStatementRowsMax) await writeInOneStatement(tx, batch);
  else await writeInSequence(tx, batch);
}

async function writeInSequence(tx: Kysely<Database>, batch: LedgerBatch): Promise<void> {
  for (const rows of chunks(batch.grants, rowsPerStatementMax)) await tx.insertInto('credit_grants').values(rows).execute();
  for (const rows of chunks(batch.entries, rowsPerStatementMax)) await tx.insertInto('ledger_entries').values(rows).execute();
  for (const rows of chunks(batch.allocations, rowsPerStatementMax)) await tx.insertInto('ledger_allocations').values(rows).execute();
  for (const [grantId, credits] of batch.grantMoves) {
    const result = await tx
      .updateTable('credit_grants')
      .set((eb) => ({ remaining: eb('remaining', '+', credits) }))
      .where('account_id', '=', batch.accountId)
      .where('id', '=', grantId)
      .where('remaining', '>=', -credits)
      .executeTakeFirst();
    assert(result.numUpdatedRows === 1n, `grant ${grantId} cannot move by ${credits}`);
  }
  for (const rows of chunks(batch.subscriptions, rowsPerStatementMax)) await tx.insertInto('subscriptions').values(rows).execute();
  await updateAccount(tx, batch.accountId, batch.expectedSeq, batch.account);
}

function rows<T extends object>(items: readonly T[], columns: readonly (keyof T & string)[]): RawBuilder<unknown> {
  return sql.join(items.map((item) => sql`(${sql.join(columns.map((column) => sql`${item[column]}`))})`));
}

function insertCte<T extends object>(name: string, table: string, items: readonly T[], columns: readonly (keyof T & string)[]): RawBuilder<unknown> {
  return sql`${sql.id(name)} as (insert into ${sql.table(table)} (${sql.join(columns.map((column) => sql.id(column)))}) values ${rows(items, columns)})`;
}

const grantColumns = ['account_id', 'id', 'source', 'credits', 'remaining', 'expires_at', 'created_at', 'created_seq', 'period_epoch', 'period_index', 'bundle_id', 'note'] as const;
const entryColumns = ['account_id', 'seq', 'id', 'at', 'kind', 'credits', 'balance_after', 'grant_id', 'record_type', 'record_id', 'subscription_id', 'channel', 'actor_type', 'actor_id', 'note'] as const;
const allocationColumns = ['account_id', 'entry_seq', 'grant_id', 'credits'] as const;
const subscriptionColumns = ['account_id', 'id', 'record_type', 'record_id', 'generation', 'source', 'started_at', 'expires_at', 'ended_at', 'charge_seq', 'refund_seq'] as const;

async function writeInOneStatement(tx: Kysely<Database>, batch: LedgerBatch): Promise<void> {
  const ctes: RawBuilder<unknown>[] = [];
  if (batch.grants.length > 0) ctes.push(insertCte('new_grants', 'credit_grants', batch.grants, grantColumns));
  if (batch.entries.length > 0) ctes.push(insertCte('new_entries', 'ledger_entries', batch.entries, entryColumns));
  if (batch.allocations.length > 0) ctes.push(insertCte('new_allocations', 'ledger_allocations', batch.allocations, allocationColumns));
  if (batch.subscriptions.length > 0) ctes.push(insertCte('new_subscriptions', 'subscriptions', batch.subscriptions, subscriptionColumns));
  const moves = [...batch.grantMoves];
  if (moves.length > 0) {
    const values = sql.join(moves.map(([grantId, credits]) => sql`(${grantId}::text, ${credits}::integer)`));
    ctes.push(sql`moved_grants as (
      update credit_grants as grant_row set remaining = grant_row.remaining + move.credits
      from (values ${values}) as move(grant_id, credits)
      where grant_row.account_id = ${batch.accountId} and grant_row.id = move.grant_id
        and grant_row.remaining + move.credits >= 0
      returning grant_row.id)`);
  }
  const account = batch.account;
  ctes.push(sql`updated_account as (
    update accounts set balance = ${account.balance}, ledger_seq = ${account.ledger_seq},
      next_event_at = ${account.next_event_at}, period_anchor = ${account.period_anchor},
      period_epoch = ${account.period_epoch}, period_index = ${account.period_index}, plan_id = ${account.plan_id},
      ledger_at = ${account.ledger_at}
    where id = ${batch.accountId} and ledger_seq = ${batch.expectedSeq}
    returning id)`);
  const movedCount = moves.length > 0 ? sql`(select count(*) from moved_grants)` : sql`0`;
  const result = await sql<{ moved: number; accounts: number }>`
    with ${sql.join(ctes)}
    select ${movedCount}::integer as moved, (select count(*) from updated_account)::integer as accounts`.execute(tx);
  const counts = result.rows[0];
  assert(counts?.accounts === 1, `account ${batch.accountId} changed under its lock`);
  assert(counts.moved === moves.length, `a grant of account ${batch.accountId} could not cover its move`);
}
