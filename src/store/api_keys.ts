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
