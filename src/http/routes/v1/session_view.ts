// The session object of POST and GET /v1/session: who is signed in, their account, and the
// CSRF token the web app sends back in X-CSRF-Token on every request it makes with the cookie.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { getAccount } from '../../../app/accounts/get_account.ts';
import type { SignedInPerson } from '../../../app/users/sign_in.ts';
import { operatorUserView, userView } from '../../../app/users/views.ts';
import { toIso } from '../../../lib/clock.ts';
import { assert } from '../../../lib/assert.ts';
import { accountSchema } from '../../schemas.ts';

export const sessionUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(['owner', 'member', 'operator']).describe('owner or member of the account; operator: a person of the vendor, for /admin/v1'),
  account_id: z.string().nullable().describe('null for an operator'),
  created_at: z.string(),
});

export const sessionSchema = z.object({
  channel: z.enum(['web', 'api']).describe('web: the session cookie authenticated the request; api: an API key did (no user, no CSRF token)'),
  user: sessionUserSchema.nullable(),
  account: accountSchema.nullable().describe('the account the caller acts for; null for an operator'),
  csrf_token: z.string().nullable().describe('send it as X-CSRF-Token with every request made with the session cookie, GETs included (all but GET /v1/session and GET /v1/events)'),
  expires_at: z.string().nullable().describe('when the session ends (sign in again then)'),
});

export type SessionView = z.infer<typeof sessionSchema>;

/** The view of a signed-in person; the account is read up to date. */
export async function sessionView(context: AppContext, caller: SignedInPerson & { expiresAt: number; csrfToken: string }): Promise<SessionView> {
  const base = { channel: 'web' as const, csrf_token: caller.csrfToken, expires_at: toIso(caller.expiresAt) };
  if (caller.kind === 'operator') {
    const operator = operatorUserView(caller.operator);
    return { ...base, user: { ...operator, account_id: null }, account: null };
  }
  const account = await getAccount(context, caller.user.account_id);
  assert(account.ok, 'a signed-in user’s account exists (users reference it)');
  return { ...base, user: userView(caller.user), account: account.account };
}
