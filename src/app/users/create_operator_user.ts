// Adds an operator user (a person of the vendor, for the operator console). From the CLI
// (`quarry operators create`) and the demo; there is no HTTP endpoint that creates operators.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { insertOperatorUser, reserveSignInEmail } from '../../store/users.ts';
import { newId } from '../../lib/ids.ts';
import { unprocessable, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { emailProblem, normalizeEmail } from './emails.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { operatorUserView, type OperatorUserView } from './views.ts';

/**
 * Inserts an operator user inside the caller's transaction; the demo makes its users in one. The
 * email is reserved in sign_in_emails first, as for customer users (src/app/users/create_user.ts).
 */
export async function insertNewOperatorUser(
  tx: Kysely<Database>,
  input: { email: string; passwordHash: string; now: number },
): Promise<Result<{ operator: OperatorUserView }>> {
  const email = normalizeEmail(input.email);
  if (!(await reserveSignInEmail(tx, email, 'operator'))) return unprocessable(`a user with the email ${email} already exists`, 'email');
  const row = { id: newId('operator'), email, password_hash: input.passwordHash, created_at: input.now };
  await insertOperatorUser(tx, row);
  return { ok: true, operator: operatorUserView(row) };
}

export async function createOperatorUser(
  context: AppContext,
  input: { email: string; password: string },
): Promise<Result<{ operator: OperatorUserView }>> {
  const problem = emailProblem(input.email) ?? passwordProblem(input.password);
  if (problem) return unprocessable(problem, emailProblem(input.email) ? 'email' : 'password');
  const passwordHash = await hashPassword(input.password, context.passwordCost);
  return context.store.writeTransaction((tx) => insertNewOperatorUser(tx, { email: input.email, passwordHash, now: context.clock.now() }));
}
