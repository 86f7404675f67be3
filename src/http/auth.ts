// Who is calling. Customer API: `Authorization: Bearer <api key>`; the operator API:
// `Authorization: Bearer <QUARRY_ADMIN_TOKEN>`. A principal carries the account (up to date at
// `now`), its plan, and the origin written into the ledger.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.ts';
import type { Origin } from '../app/credits/account_transaction.ts';
import { authenticateApiKey } from '../app/keys/authenticate_api_key.ts';
import type { AccountRow } from '../store/accounts.ts';
import { planHasFeature, type Feature, type Plan } from '../domain/plans/plans.ts';
import { assert } from '../lib/assert.ts';
import { fail } from '../lib/result.ts';
import { sendFailure } from './errors.ts';

export interface Principal {
  account: AccountRow;
  plan: Plan;
  origin: Origin;
  /** The plan feature this channel needs for data endpoints: `api_basic` for API keys. */
  channelFeature: Feature;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The balance to report in X-Credits-Remaining when a handler moved credits. */
    creditsRemaining?: number;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** A preHandler for the customer API: sets `request.principal` or answers 401. */
export function customerAuth(context: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
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

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A preHandler for the operator API: constant-time comparison with the admin token. */
export function operatorAuth(adminToken: string) {
  const expected = digest(adminToken);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearerToken(request);
    if (!token || !timingSafeEqual(digest(token), expected)) {
      await sendFailure(request, reply, fail('unauthorized', 'missing or wrong operator token'));
    }
  };
}

export const operatorOrigin: Origin = { channel: 'operator', actor: { type: 'operator', id: null } };
