// Issues a new API key for an account. The secret is returned once and never stored: only its
// SHA-256 hash and its display prefix are. With an Idempotency-Key, a repeat returns the same
// key's id, name and prefix with `key: null` (a hash cannot give the secret back, and keeping the
// secret for replays would store it in a form that leaks it).
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { findAccount } from '../../store/accounts.ts';
import { insertApiKey } from '../../store/api_keys.ts';
import { newId } from '../../lib/ids.ts';
import { toIso } from '../../lib/clock.ts';
import { fail, type Result } from '../../lib/result.ts';
import { boundedText } from '../../lib/bounded_text.ts';
import type { IdempotencyClaim } from '../../store/idempotency.ts';
import type { AppContext } from '../context.ts';
import { createOnce } from '../idempotency/create_once.ts';
import { apiKeyDisplayChars, hashSecret, newApiKeySecret } from './api_key_secret.ts';

/** An API key's label. */
export const apiKeyNameCharsMax = 100;

export interface CreatedApiKey {
  id: string;
  account_id: string;
  name: string | null;
  /** The secret: shown this once; null on an idempotent replay. */
  key: string | null;
  prefix: string;
  created_at: string;
}

/** Inserts a key; used by account creation inside its own transaction too. */
export async function insertNewApiKey(
  db: Kysely<Database>,
  accountId: string,
  name: string | null,
  now: number,
): Promise<CreatedApiKey & { key: string }> {
  const secret = newApiKeySecret();
  const row = {
    account_id: accountId,
    id: newId('apiKey'),
    token_hash: hashSecret(secret),
    token_prefix: secret.slice(0, apiKeyDisplayChars),
    name,
    created_at: now,
    revoked_at: null,
  };
  await insertApiKey(db, row);
  return { id: row.id, account_id: accountId, name, key: secret, prefix: row.token_prefix, created_at: toIso(now) };
}

export async function createApiKey(
  context: AppContext,
  input: { accountId: string; name?: string | undefined; idempotency?: IdempotencyClaim | undefined },
): Promise<Result<{ apiKey: CreatedApiKey; replayed: boolean }>> {
  const name = input.name === undefined ? undefined : boundedText('name', input.name, apiKeyNameCharsMax);
  if (typeof name === 'object') return name;
  return createOnce<{ apiKey: CreatedApiKey }>(context, {
    claim: input.idempotency,
    work: async (tx) => {
      if (!(await findAccount(tx, input.accountId))) return fail('not_found', `account ${input.accountId} not found`);
      return { ok: true, apiKey: await insertNewApiKey(tx, input.accountId, name ?? null, context.clock.now()) };
    },
    stored: ({ apiKey }) => ({ apiKey: { ...apiKey, key: null } }),
  });
}
