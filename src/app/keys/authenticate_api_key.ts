// Finds the account behind an API key secret. The account comes back up to date: if a period
// boundary or an expiry fell due since its last credit movement, it is written first, so the
// balance every response reports is the balance at `now`.
import type { AccountRow } from '../../store/accounts.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { hashSecret } from './api_key_secret.ts';
import { bringAccountUpToDate } from '../accounts/bring_account_up_to_date.ts';

/** Secrets longer than this are not ours: refuse before hashing. */
export const apiKeySecretCharsMax = 200;

export async function authenticateApiKey(
  context: AppContext,
  secret: string,
): Promise<Result<{ keyId: string; account: AccountRow }>> {
  if (secret.length === 0 || secret.length > apiKeySecretCharsMax) return fail('unauthorized', 'invalid API key');
  const found = await context.store.reads.apiKeyWithAccount(hashSecret(secret));
  if (!found || found.revokedAt !== null) return fail('unauthorized', 'invalid or revoked API key');
  const account = await bringAccountUpToDate(context, found.account);
  return { ok: true, keyId: found.keyId, account };
}
