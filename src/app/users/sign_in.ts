// Signs a person in by email and password: a customer user or an operator user. A wrong
// password and an unknown email give the same failure after the same work (an unknown email's
// guess is checked against a dummy hash), so neither the answer nor its timing says which part
// was wrong. On success a session starts; its token goes into the cookie and only its hash is
// stored.
import { wallNow } from '../../lib/clock.ts';
import { fail, type Result } from '../../lib/result.ts';
import {
  deleteExpiredOperatorSessions,
  deleteExpiredUserSessions,
  findOperatorByEmail,
  findUserByEmail,
  insertOperatorSession,
  insertUserSession,
  type OperatorUserRow,
  type UserRow,
} from '../../store/users.ts';
import type { AppContext } from '../context.ts';
import { normalizeEmail } from './emails.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
import { csrfTokenFor, hashSessionToken, newSessionToken, sessionLifetimeMs } from './session_tokens.ts';

export type SignedInPerson = { kind: 'user'; user: UserRow } | { kind: 'operator'; operator: OperatorUserRow };

export interface SignedIn {
  person: SignedInPerson;
  /** The session token, for the cookie only. */
  token: string;
  csrfToken: string;
  expiresAt: number;
}

export const wrongCredentialsMessage = 'wrong email or password';

/**
 * Both tables are read every time, whoever the email belongs to: reading the operators only when
 * no customer matched would make a customer's email one query faster than any other.
 */
async function findPerson(context: AppContext, email: string): Promise<SignedInPerson | undefined> {
  const { db } = context.store;
  const [user, operator] = await Promise.all([findUserByEmail(db, email), findOperatorByEmail(db, email)]);
  if (user) return { kind: 'user', user };
  return operator ? { kind: 'operator', operator } : undefined;
}

export async function signIn(context: AppContext, input: { email: string; password: string }): Promise<Result<SignedIn>> {
  const person = await findPerson(context, normalizeEmail(input.email));
  const storedHash = person?.kind === 'user' ? person.user.password_hash : person?.kind === 'operator' ? person.operator.password_hash : undefined;
  const matches = await verifyPassword(input.password, storedHash ?? (await dummyPasswordHash(context.passwordCost)));
  if (!person || !matches) return fail('unauthorized', wrongCredentialsMessage);
  const now = wallNow();
  const expiresAt = now + sessionLifetimeMs;
  const token = newSessionToken(person.kind);
  const tokenHash = hashSessionToken(token);
  await context.store.writeTransaction(async (tx) => {
    if (person.kind === 'user') {
      await deleteExpiredUserSessions(tx, person.user, now);
      await insertUserSession(tx, { account_id: person.user.account_id, token_hash: tokenHash, user_id: person.user.id, created_at: now, expires_at: expiresAt });
    } else {
      await deleteExpiredOperatorSessions(tx, person.operator.id, now);
      await insertOperatorSession(tx, { token_hash: tokenHash, operator_id: person.operator.id, created_at: now, expires_at: expiresAt });
    }
  });
  return { ok: true, person, token, csrfToken: csrfTokenFor(token), expiresAt };
}
