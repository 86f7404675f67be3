// Ends a session: its row is deleted, so the cookie (even a copy of it) is refused from now on.
import { deleteOperatorSession, deleteUserSession } from '../../store/users.ts';
import type { AppContext } from '../context.ts';
import { hashSessionToken, sessionKindOf } from './session_tokens.ts';

export async function signOut(context: AppContext, token: string): Promise<void> {
  const kind = sessionKindOf(token);
  if (kind === 'user') await deleteUserSession(context.store.db, hashSessionToken(token));
  else if (kind === 'operator') await deleteOperatorSession(context.store.db, hashSessionToken(token));
}
