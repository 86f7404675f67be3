// Adds a customer user to an account, as owner or member. The password is hashed before the
// transaction opens (scrypt is slow on purpose and must not hold the write lock).
import type { Kysely } from 'kysely';
import type { Database, UserRole } from '../../store/schema.ts';
import { findAccount } from '../../store/accounts.ts';
import { insertUser, reserveSignInEmail } from '../../store/users.ts';
import { newId } from '../../lib/ids.ts';
import { fail, unprocessable, type Result } from '../../lib/result.ts';
import type { IdempotencyClaim } from '../../store/idempotency.ts';
import type { AppContext } from '../context.ts';
import { createOnce } from '../idempotency/create_once.ts';
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

/**
 * Inserts a user inside the caller's transaction; account creation uses it for the owner. The
 * email is reserved first in sign_in_emails, whose primary key makes it one person's across
 * customer and operator users (migration 0003); a taken email reserves nothing and writes nothing.
 */
export async function insertNewUser(tx: Kysely<Database>, input: NewUser): Promise<Result<{ user: UserView }>> {
  const email = normalizeEmail(input.email);
  // The message neither echoes the email nor says where it is used: an owner adding a member
  // must not learn which addresses have accounts elsewhere. (The 422 itself still says the
  // address is taken; invitations, which answer the same whatever the address, would not.)
  if (!(await reserveSignInEmail(tx, email, 'user'))) return unprocessable(emailUnavailableMessage, input.emailField);
  const row = { account_id: input.accountId, id: newId('user'), email, role: input.role, password_hash: input.passwordHash, created_at: input.now };
  await insertUser(tx, row);
  return { ok: true, user: userView(row) };
}

/**
 * With an Idempotency-Key (whose fingerprint leaves the password out), a repeat returns the user
 * made first; a refusal (a taken email) claims nothing, so a retry runs again.
 */
export async function createUser(
  context: AppContext,
  input: { accountId: string; email: string; password: string; role: UserRole; idempotency?: IdempotencyClaim | undefined },
): Promise<Result<{ user: UserView; replayed: boolean }>> {
  const problem = emailProblem(input.email) ?? passwordProblem(input.password);
  if (problem) return unprocessable(problem, emailProblem(input.email) ? 'email' : 'password');
  const passwordHash = await hashPassword(input.password, context.passwordCost);
  return createOnce<{ user: UserView }>(context, {
    claim: input.idempotency,
    work: async (tx) => {
      if (!(await findAccount(tx, input.accountId))) return fail('not_found', `account ${input.accountId} not found`);
      return insertNewUser(tx, {
        accountId: input.accountId,
        email: input.email,
        role: input.role,
        passwordHash,
        now: context.clock.now(),
        emailField: 'email',
      });
    },
  });
}
