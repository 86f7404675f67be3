// Rate limits per API key on the customer API: an onRequest hook installed after authentication,
// so it knows the key and its plan. Every response to a limited key carries the IETF draft
// headers (RateLimit-Limit, -Remaining, -Reset, -Policy); a request over the limit is answered
// 429 rate_limited with Retry-After before any handler runs, so it costs no credits.
//
// The buckets live in this process's memory (src/domain/plans/rate_limit.ts): with several
// server processes each keeps its own, so the effective limit is per process.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { RateLimitBuckets, rateLimitPolicy, type RateLimitDecision, type RateLimitPolicy } from '../domain/plans/rate_limit.ts';
import { fail } from '../lib/result.ts';
import { sendFailure } from './errors.ts';

export interface RateLimitOptions {
  /**
   * QUARRY_RATE_LIMIT: requests per second for every key, overriding the plans' limits; 0 turns
   * limiting off; undefined keeps each plan's limit (or the default).
   */
  perSecondOverride: number | undefined;
  /** Buckets kept in memory at most (the domain's `rateLimitBucketsMax` when omitted). */
  bucketsMax?: number | undefined;
}

/** The onRequest hook for the customer API scope, or undefined when QUARRY_RATE_LIMIT=0. */
export function rateLimit(context: AppContext, options: RateLimitOptions) {
  if (options.perSecondOverride === 0) return undefined;
  const buckets = new RateLimitBuckets(options.bucketsMax);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const actor = request.principal?.origin.actor;
    // Only API keys are limited; a request without one was already answered 401.
    if (!request.principal || actor?.type !== 'api_key' || actor.id === null) return;
    const policy = rateLimitPolicy({
      planPerSecond: request.principal.plan.rateLimitPerSecond,
      overridePerSecond: options.perSecondOverride,
    });
    if (!policy) return;
    const decision = buckets.take(actor.id, policy, context.clock.now());
    setRateLimitHeaders(reply, policy, decision);
    if (decision.allowed) return;
    reply.header('Retry-After', String(decision.retryAfterSeconds));
    await sendFailure(
      request,
      reply,
      fail(
        'rate_limited',
        `this API key is limited to ${policy.perSecond} requests per second (bursts of ${policy.burst}); retry in ${decision.retryAfterSeconds} s`,
      ),
    );
  };
}

function setRateLimitHeaders(reply: FastifyReply, policy: RateLimitPolicy, decision: RateLimitDecision): void {
  // The window of the policy is the time an empty bucket takes to fill: `burst` requests per it.
  const windowSeconds = Math.max(1, Math.ceil(policy.burst / policy.perSecond));
  reply.header('RateLimit-Limit', String(decision.limit));
  reply.header('RateLimit-Remaining', String(decision.remaining));
  reply.header('RateLimit-Reset', String(decision.resetSeconds));
  reply.header('RateLimit-Policy', `${policy.burst};w=${windowSeconds}`);
}
