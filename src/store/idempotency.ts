// Idempotency keys (STYLE.md rule 4): the key is a primary key, claimed inside the same
// transaction as the work it guards, so a repeat can only ever see the first result.
import type { Kysely, Selectable } from 'kysely';
import type { Database, IdempotencyKeysTable } from './schema.ts';
import { assert } from '../lib/assert.ts';

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

export interface IdempotencyClaim {
  /** The account the key belongs to; `_operator` for operator requests not about one account. */
  accountId: string;
  scope: 'customer' | 'operator';
  key: string;
  /** A hash of the request (method, path, body): the same key with another request is a conflict. */
  fingerprint: string;
}

/**
 * Claims the key, or returns the row of the request that claimed it first. On PostgreSQL a
 * concurrent claim of the same key waits for the first transaction and then sees its row.
 */
export async function claimIdempotencyKey(
  tx: Kysely<Database>,
  claim: IdempotencyClaim,
  now: number,
): Promise<{ claimed: true } | { claimed: false; row: IdempotencyRow }> {
  const inserted = await tx
    .insertInto('idempotency_keys')
    .values(keyRow(claim, { statusCode: 0, body: '' }, now))
    .onConflict((conflict) => conflict.columns(['account_id', 'scope', 'key']).doNothing())
    .executeTakeFirst();
  if (inserted.numInsertedOrUpdatedRows === 1n) return { claimed: true };
  const row = await findIdempotencyKey(tx, claim);
  assert(row && row.status_code !== 0, 'an idempotency key was seen claimed but not completed after its commit');
  return { claimed: false, row };
}

function keyRow(claim: IdempotencyClaim, response: { statusCode: number; body: string }, now: number): IdempotencyRow {
  return {
    account_id: claim.accountId,
    scope: claim.scope,
    key: claim.key,
    fingerprint: claim.fingerprint,
    status_code: response.statusCode,
    response_body: response.body,
    created_at: now,
  };
}

export async function completeIdempotencyKey(
  tx: Kysely<Database>,
  claim: IdempotencyClaim,
  statusCode: number,
  responseBody: string,
): Promise<void> {
  const result = await tx
    .updateTable('idempotency_keys')
    .set({ status_code: statusCode, response_body: responseBody })
    .where('account_id', '=', claim.accountId)
    .where('scope', '=', claim.scope)
    .where('key', '=', claim.key)
    .executeTakeFirst();
  assert(result.numUpdatedRows === 1n, 'completed an idempotency key that was not claimed');
}

/** The stored first response for a key, if the key has been used. */
export async function findIdempotencyKey(
  db: Kysely<Database>,
  claim: Omit<IdempotencyClaim, 'fingerprint'>,
): Promise<IdempotencyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('account_id', '=', claim.accountId)
    .where('scope', '=', claim.scope)
    .where('key', '=', claim.key)
    .executeTakeFirst();
}

/**
 * Gives back a key claimed in this transaction whose request failed: a failed request keeps no
 * key, so a retry after fixing the cause runs again. (Rolling the transaction back would too, but
 * an account transaction commits what fell due whatever the outcome.)
 */
export async function releaseIdempotencyKey(tx: Kysely<Database>, claim: IdempotencyClaim): Promise<void> {
  const result = await tx
    .deleteFrom('idempotency_keys')
    .where('account_id', '=', claim.accountId)
    .where('scope', '=', claim.scope)
    .where('key', '=', claim.key)
    .where('status_code', '=', 0)
    .executeTakeFirst();
  assert(result.numDeletedRows === 1n, 'released an idempotency key that this transaction had not claimed');
}
