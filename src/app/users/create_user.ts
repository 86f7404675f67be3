// Adds a customer user to an account, as owner or member. The password is hashed before the
// transaction opens (scrypt is slow on purpose and must not hold the write lock).
import type { Kysely } from 'kysely';
import type { Database, UserRole } from '../../store/schema.ts';
import type { Dialect } from '../../store/database.ts';
import { findAccount } from '../../store/accounts.ts';
import { emailTaken, insertUser, lockEmail } from '../../store/users.ts';
import { newId } from '../../lib/ids.ts';
import { fail, unprocessable, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { emailProblem, normalizeEmail } from './emails.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { userView, type UserView } from './views.ts';

/** The answer to an email that is already some user's, in this account or any other. */
export const emailUnavailableMessage = 'this email cannot be used for a new user: choose another';

export interface NewUser {
  accountId: string;
  email: string;
  role: UserRole;
  passwordHash: string;
  now: number;
  /** The request field a taken email is reported against (`email`, `owner_email`). */
  emailField: string;
}

/** Inserts a user inside the caller's transaction; account creation uses it for the owner. */
export async function insertNewUser(tx: Kysely<Database>, dialect: Dialect, input: NewUser): Promise<Result<{ user: UserView }>> {
  const email = normalizeEmail(input.email);
  await lockEmail(tx, dialect, email);
  // The message neither echoes the email nor says where it is used: an owner adding a member
  // must not learn which addresses have accounts elsewhere. (The 422 itself still says the
  // address is taken; invitations, which answer the same whatever the address, would not.)
  if (await emailTaken(tx, email)) return unprocessable(emailUnavailableMessage, input.emailField);
  const row = { account_id: input.accountId, id: newId('user'), email, role: input.role, password_hash: input.passwordHash, created_at: input.now };
  await insertUser(tx, row);
  return { ok: true, user: userView(row) };
}

export async function createUser(
  context: AppContext,
  input: { accountId: string; email: string; password: string; role: UserRole },
): Promise<Result<{ user: UserView }>> {
  const problem = emailProblem(input.email) ?? passwordProblem(input.password);
  if (problem) return unprocessable(problem, emailProblem(input.email) ? 'email' : 'password');
  const passwordHash = await hashPassword(input.password, context.passwordCost);
  return context.store.writeTransaction(async (tx) => {
    if (!(await findAccount(tx, input.accountId))) return fail('not_found', `account ${input.accountId} not found`);
    return insertNewUser(tx, context.store.dialect, {
      accountId: input.accountId,
      email: input.email,
      role: input.role,
      passwordHash,
      now: context.clock.now(),
      emailField: 'email',
    });
  });
}
