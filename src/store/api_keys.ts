// API keys: stored as a SHA-256 hash of the secret; the secret is shown once, at creation.
import type { Kysely, Selectable } from 'kysely';
import type { AccountsTable, ApiKeysTable, Database } from './schema.ts';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export async function insertApiKey(db: Kysely<Database>, row: ApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export interface ApiKeyWithAccount {
  keyId: string;
  revokedAt: number | null;
  account: Selectable<AccountsTable>;
}

export async function revokeApiKey(db: Kysely<Database>, accountId: string, keyId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('account_id', '=', accountId)
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** An account's keys, newest first, without their hashes. */
export async function listApiKeys(
  db: Kysely<Database>,
  accountId: string,
  options: { limit: number; beforeId?: string | undefined; includeRevoked: boolean },
): Promise<Array<Omit<ApiKeyRow, 'token_hash'>>> {
  let query = db
    .selectFrom('api_keys')
    .select(['account_id', 'id', 'token_prefix', 'name', 'created_at', 'revoked_at'])
    .where('account_id', '=', accountId);
  if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}
