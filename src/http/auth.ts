// Who is calling. Customer API: `Authorization: Bearer <api key>`, or the web app's session
// cookie; the operator API: `Authorization: Bearer <QUARRY_ADMIN_TOKEN>`, or an operator user's
// session cookie. A principal carries the account (up to date at `now`), its plan, and the
// origin written into the ledger.
//
// An Authorization header, when present, is the credential and the cookie is ignored. Every
// request authenticated by the cookie, GETs included (reading a record spends a credit), must
// carry the session's CSRF token in `X-CSRF-Token`: another site can make a browser send the
// cookie, but cannot read the token. The two exempt routes are in src/http/session_cookie.ts.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.ts';
import type { Origin } from '../app/credits/account_transaction.ts';
import { authenticateApiKey } from '../app/keys/authenticate_api_key.ts';
import { authenticateSession, type SessionCaller } from '../app/users/authenticate_session.ts';
import { csrfTokenMatches } from '../app/users/session_tokens.ts';
import type { AccountRow } from '../store/accounts.ts';
import type { UserRole } from '../store/schema.ts';
import { planHasFeature, type Feature, type Plan } from '../domain/plans/plans.ts';
import { assert } from '../lib/assert.ts';
import { fail, type Failure } from '../lib/result.ts';
import { sendFailure } from './errors.ts';
import { clearSessionCookie, csrfHeaderName, isCrossSite, needsCsrfToken, sessionTokenOf } from './session_cookie.ts';

export interface Principal {
  account: AccountRow;
  plan: Plan;
  origin: Origin;
  /** The plan feature this channel needs for data endpoints: `api_basic` for API keys, `web_app` for the web app. */
  channelFeature: Feature;
  /** The signed-in user, when the session cookie authenticated the request. */
  user?: { id: string; role: UserRole } | undefined;
}

/** The session behind a cookie-authenticated request. */
export interface RequestSession {
  token: string;
  caller: SessionCaller;
}

/**
 * Which credentials a route takes, in its `config.auth`: by default its scope's (API key or a
 * customer user's session on /v1); `public` takes none (signing in); `any_session` also lets an
 * operator user's session through (reading and ending one's own session).
 */
export type RouteAuth = 'public' | 'any_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    session?: RequestSession;
    /** The balance to report in X-Credits-Remaining when a handler moved credits. */
    creditsRemaining?: number;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function routeAuth(request: FastifyRequest): RouteAuth | undefined {
  // Undefined for the not-found handler and for URLs the router refused.
  return (request.routeOptions as { config?: { auth?: RouteAuth } } | undefined)?.config?.auth;
}

const missingCredentials = 'missing credentials: send Authorization: Bearer <API key>, or sign in (POST /v1/session)';

/**
 * The session behind the request's cookie, with the CSRF checks done; a failure otherwise. A
 * cookie that names no live session is cleared.
 */
async function sessionOf(context: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<RequestSession | Failure> {
  const token = sessionTokenOf(request);
  if (!token) return fail('unauthorized', missingCredentials);
  const result = await authenticateSession(context, token);
  if (!result.ok) {
    clearSessionCookie(request, reply);
    return result;
  }
  if (isCrossSite(request)) return fail('forbidden', 'another site made this request (Sec-Fetch-Site: cross-site): the session cookie works only from the web app');
  if (needsCsrfToken(request)) {
    const presented = request.headers[csrfHeaderName];
    if (typeof presented !== 'string' || !csrfTokenMatches(token, presented)) {
      return fail('forbidden', 'missing or wrong X-CSRF-Token header: every request made with the session cookie needs the token GET /v1/session returns');
    }
  }
  return { token, caller: result.caller };
}

function isFailureValue(value: RequestSession | Failure): value is Failure {
  return 'ok' in value && value.ok === false;
}

/** An onRequest hook for the customer API: sets `request.principal` (and `request.session`) or answers 401/403. */
export function customerAuth(context: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const auth = routeAuth(request);
    if (auth === 'public') return;
    if (request.headers.authorization !== undefined) {
      await authenticateWithApiKey(context, request, reply);
      return;
    }
    const session = await sessionOf(context, request, reply);
    if (isFailureValue(session)) {
      await sendFailure(request, reply, session);
      return;
    }
    if (session.caller.kind === 'operator') {
      if (auth === 'any_session') {
        request.session = session;
        return;
      }
      await sendFailure(request, reply, fail('forbidden', 'an operator has no account: use the operator API (/admin/v1)'));
      return;
    }
    const { user, account } = session.caller;
    const plan = context.plans.plan(account.plan_id);
    assert(plan, `plan ${account.plan_id} is not in the catalog`);
    request.session = session;
    request.principal = {
      account,
      plan,
      origin: { channel: 'web', actor: { type: 'user', id: user.id } },
      channelFeature: 'web_app',
      user: { id: user.id, role: user.role },
    };
  };
}

async function authenticateWithApiKey(context: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = bearerToken(request);
  if (!token) {
    await sendFailure(request, reply, fail('unauthorized', 'missing API key: send Authorization: Bearer <key>'));
    return;
  }
  const result = await authenticateApiKey(context, token);
  if (!result.ok) {
    await sendFailure(request, reply, result);
    return;
  }
  const plan = context.plans.plan(result.account.plan_id);
  assert(plan, `plan ${result.account.plan_id} is not in the catalog`);
  request.principal = {
    account: result.account,
    plan,
    origin: { channel: 'api', actor: { type: 'api_key', id: result.keyId } },
    channelFeature: 'api_basic',
  };
}

export function principalOf(request: FastifyRequest): Principal {
  assert(request.principal, 'route registered without customer authentication');
  return request.principal;
}

/** 403 feature_not_in_plan unless the caller's plan has `feature`. */
export function requireFeature(request: FastifyRequest, reply: FastifyReply, feature: Feature): boolean {
  const principal = principalOf(request);
  if (planHasFeature(principal.plan, feature)) return true;
  void sendFailure(
    request,
    reply,
    fail('feature_not_in_plan', `the ${principal.plan.id} plan does not include ${feature}`),
  );
  return false;
}

/**
 * 403 forbidden unless a signed-in owner of the account calls: managing users and API keys is for
 * people, not keys. A leaked key must not be able to plant a web sign-in, nor mint a key that
 * outlives its own revocation; keys for automation come from owners or from the operator API.
 */
export function requireOwner(request: FastifyRequest, reply: FastifyReply, action: string): boolean {
  const user = principalOf(request).user;
  if (user?.role === 'owner') return true;
  const message = user ? `only an owner of the account may ${action}` : `sign in to the web app as an owner of the account to ${action}: API keys may not`;
  void sendFailure(request, reply, fail('forbidden', message));
  return false;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** An onRequest hook for the operator API: the admin token (constant-time comparison) or an operator's session. */
export function operatorAuth(adminToken: string, context: AppContext) {
  const expected = digest(adminToken);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.headers.authorization !== undefined) {
      const token = bearerToken(request);
      if (!token || !timingSafeEqual(digest(token), expected)) {
        await sendFailure(request, reply, fail('unauthorized', 'missing or wrong operator token'));
      }
      return;
    }
    const session = await sessionOf(context, request, reply);
    if (isFailureValue(session)) {
      const failure = session.code === 'unauthorized' ? fail('unauthorized', 'missing or wrong operator token, and no operator session') : session;
      await sendFailure(request, reply, failure);
      return;
    }
    if (session.caller.kind !== 'operator') {
      await sendFailure(request, reply, fail('forbidden', 'the operator API needs an operator: this session is a customer user’s'));
      return;
    }
    request.session = session;
  };
}

export const operatorOrigin: Origin = { channel: 'operator', actor: { type: 'operator', id: null } };

/** The ledger origin of an operator request: the signed-in operator user, or the token (no id). */
export function operatorOriginOf(request: FastifyRequest): Origin {
  const caller = request.session?.caller;
  if (caller?.kind !== 'operator') return operatorOrigin;
  return { channel: 'operator', actor: { type: 'operator', id: caller.operator.id } };
}
