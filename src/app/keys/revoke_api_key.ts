// Revokes an API key: from the next request on, it is refused with 401.
import { revokeApiKey as revokeApiKeyRow } from '../../store/api_keys.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';

export async function revokeApiKey(
  context: AppContext,
  input: { accountId: string; keyId: string },
): Promise<Result<{ revoked: true }>> {
  // In a write transaction, which on SQLite waits its turn for the write lock (store/sqlite.ts).
  const revoked = await context.store.writeTransaction((tx) => revokeApiKeyRow(tx, input.accountId, input.keyId, context.clock.now()));
  if (!revoked) return fail('not_found', `active API key ${input.keyId} not found for this account`);
  return { ok: true, revoked: true };
}
