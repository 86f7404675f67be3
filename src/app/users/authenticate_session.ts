// Finds who a session cookie belongs to. A customer user's account comes back up to date, as
// for an API key (src/app/keys/authenticate_api_key.ts). An expired session is deleted and
// refused like an unknown one.
import type { AccountRow } from '../../store/accounts.ts';
import { deleteOperatorSession, deleteUserSession, findOperatorSession, findUserSession, type OperatorUserRow, type UserRow } from '../../store/users.ts';
import { wallNow } from '../../lib/clock.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { bringAccountUpToDate } from '../accounts/bring_account_up_to_date.ts';
import { csrfTokenFor, hashSessionToken, sessionKindOf } from './session_tokens.ts';

export type SessionCaller =
  | { kind: 'user'; user: UserRow; account: AccountRow; expiresAt: number; csrfToken: string }
  | { kind: 'operator'; operator: OperatorUserRow; expiresAt: number; csrfToken: string };

const signedOut = 'the session has expired or was signed out: sign in again';

export async function authenticateSession(context: AppContext, token: string): Promise<Result<{ caller: SessionCaller }>> {
  const kind = sessionKindOf(token);
  if (!kind) return fail('unauthorized', 'invalid session cookie');
  const tokenHash = hashSessionToken(token);
  const { db } = context.store;
  const now = wallNow();
  if (kind === 'user') {
    const found = await findUserSession(db, tokenHash);
    if (!found) return fail('unauthorized', signedOut);
    if (found.expiresAt <= now) {
      await deleteUserSession(db, tokenHash);
      return fail('unauthorized', signedOut);
    }
    const account = await bringAccountUpToDate(context, found.account);
    return { ok: true, caller: { kind, user: found.user, account, expiresAt: found.expiresAt, csrfToken: csrfTokenFor(token) } };
  }
  const found = await findOperatorSession(db, tokenHash);
  if (!found) return fail('unauthorized', signedOut);
  if (found.expiresAt <= now) {
    await deleteOperatorSession(db, tokenHash);
    return fail('unauthorized', signedOut);
  }
  return { ok: true, caller: { kind, operator: found.operator, expiresAt: found.expiresAt, csrfToken: csrfTokenFor(token) } };
}
