// Adds an operator user (a person of the vendor, for the operator console). From the CLI
// (`quarry operators create`) and the demo; there is no HTTP endpoint that creates operators.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { Dialect } from '../../store/database.ts';
import { emailTaken, insertOperatorUser, lockEmail } from '../../store/users.ts';
import { newId } from '../../lib/ids.ts';
import { unprocessable, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { emailProblem, normalizeEmail } from './emails.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { operatorUserView, type OperatorUserView } from './views.ts';

/** Inserts an operator user inside the caller's transaction; the demo makes its users in one. */
export async function insertNewOperatorUser(
  tx: Kysely<Database>,
  dialect: Dialect,
  input: { email: string; passwordHash: string; now: number },
): Promise<Result<{ operator: OperatorUserView }>> {
  const email = normalizeEmail(input.email);
  await lockEmail(tx, dialect, email);
  if (await emailTaken(tx, email)) return unprocessable(`a user with the email ${email} already exists`, 'email');
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
  return context.store.writeTransaction((tx) => insertNewOperatorUser(tx, context.store.dialect, { email: input.email, passwordHash, now: context.clock.now() }));
}
