// Ends a session: its row is deleted, so the cookie (even a copy of it) is refused from now on.
import { deleteOperatorSession, deleteUserSession } from '../../store/users.ts';
import type { AppContext } from '../context.ts';
import { hashSessionToken, sessionKindOf } from './session_tokens.ts';

export async function signOut(context: AppContext, token: string): Promise<void> {
  const kind = sessionKindOf(token);
  if (kind === undefined) return;
  // In a write transaction, which on SQLite waits its turn for the write lock (store/sqlite.ts).
  await context.store.writeTransaction(async (tx) => {
    if (kind === 'user') await deleteUserSession(tx, hashSessionToken(token));
    else await deleteOperatorSession(tx, hashSessionToken(token));
  });
}
