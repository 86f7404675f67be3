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

/** The key and its account in one round trip: this runs on every API request. */
export async function findApiKeyWithAccount(
  db: Kysely<Database>,
  tokenHash: string,
): Promise<ApiKeyWithAccount | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
    .select(['api_keys.id as key_id', 'api_keys.revoked_at as key_revoked_at'])
    .selectAll('accounts')
    .where('api_keys.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { key_id: keyId, key_revoked_at: revokedAt, ...account } = row;
  return { keyId, revokedAt, account };
}

export async function listApiKeys(db: Kysely<Database>, accountId: string): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
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
