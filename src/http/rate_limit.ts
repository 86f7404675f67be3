// Rate limits per API key on the customer API: an onRequest hook installed after authentication,
// so it knows the key and its plan. Every response to a limited key carries the IETF draft
// headers (RateLimit-Limit, -Remaining, -Reset, -Policy); a request over the limit is answered
// 429 rate_limited with Retry-After before any handler runs, so it costs no credits.
//
// The buckets live in this process's memory (src/domain/plans/rate_limit.ts): with several
// server processes each keeps its own, so the effective limit is per process.
//
// Sign-ins (POST /v1/session) have no key: `SignInThrottle` below limits them per client IP and
// per email, with the same buckets, so passwords cannot be guessed at the speed of the server.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { RateLimitBuckets, rateLimitPolicy, type RateLimitDecision, type RateLimitPolicy } from '../domain/plans/rate_limit.ts';
import { normalizeEmail } from '../app/users/emails.ts';
import { assert } from '../lib/assert.ts';
import { fail, type Failure } from '../lib/result.ts';
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

/** Sign-in attempts a minute for one email, from any address: slows guessing one person's password from many machines. */
export const signInAttemptsPerMinutePerEmail = 10;
/** Sign-in attempts a minute from one client IP, for any email: slows one machine trying many accounts. */
export const signInAttemptsPerMinutePerIp = 30;
/**
 * Buckets kept in memory at most, for emails and for IPs each (an email is at most 320
 * characters, so the two maps stay under about 10 MB); the least recently used is forgotten first.
 */
export const signInBucketsMax = 10_000;
const secondsPerMinute = 60;

export interface SignInRateLimitOptions {
  /** Attempts a minute per email (`signInAttemptsPerMinutePerEmail` when omitted). */
  perEmailPerMinute?: number | undefined;
  /** Attempts a minute per client IP (`signInAttemptsPerMinutePerIp` when omitted). */
  perIpPerMinute?: number | undefined;
  /** Buckets kept per map (`signInBucketsMax` when omitted). */
  bucketsMax?: number | undefined;
}

/** A refused sign-in: the failure to answer and its Retry-After. */
export interface SignInRefusal {
  failure: Failure;
  retryAfterSeconds: number;
}

/** A whole minute's attempts at once, then one more every 60 / `perMinute` seconds. */
function perMinutePolicy(perMinute: number): RateLimitPolicy {
  assert(Number.isSafeInteger(perMinute) && perMinute >= 1, `a sign-in limit must be a positive integer, got ${perMinute}`);
  return { perSecond: perMinute / secondsPerMinute, burst: perMinute };
}

/**
 * The throttle of POST /v1/session, per client IP and per email (the same token buckets as the
 * API keys', in this process's memory). An attempt takes a token from the IP's bucket, then from
 * the email's; every attempt counts, right or wrong, so the answer says nothing about the
 * password. The email's bucket is taken for any email, known or not, so a refusal does not say
 * whether it belongs to anyone either.
 */
export class SignInThrottle {
  readonly #byEmail: RateLimitBuckets;
  readonly #byIp: RateLimitBuckets;
  readonly #emailPolicy: RateLimitPolicy;
  readonly #ipPolicy: RateLimitPolicy;

  constructor(options: SignInRateLimitOptions = {}) {
    this.#byEmail = new RateLimitBuckets(options.bucketsMax ?? signInBucketsMax);
    this.#byIp = new RateLimitBuckets(options.bucketsMax ?? signInBucketsMax);
    this.#emailPolicy = perMinutePolicy(options.perEmailPerMinute ?? signInAttemptsPerMinutePerEmail);
    this.#ipPolicy = perMinutePolicy(options.perIpPerMinute ?? signInAttemptsPerMinutePerIp);
  }

  /** Counts one attempt; a refusal when the IP or the email has none left. */
  take(attempt: { ip: string; email: string; now: number }): SignInRefusal | undefined {
    const byIp = this.#byIp.take(attempt.ip, this.#ipPolicy, attempt.now);
    if (!byIp.allowed) return refusal(`too many sign-in attempts from this address: at most ${this.#ipPolicy.burst} a minute`, byIp);
    const byEmail = this.#byEmail.take(normalizeEmail(attempt.email), this.#emailPolicy, attempt.now);
    if (!byEmail.allowed) return refusal(`too many sign-in attempts for this email: at most ${this.#emailPolicy.burst} a minute`, byEmail);
    return undefined;
  }

  /** Buckets held, for tests of the bound. */
  get bucketCounts(): { emails: number; ips: number } {
    return { emails: this.#byEmail.size, ips: this.#byIp.size };
  }
}

function refusal(reason: string, decision: RateLimitDecision): SignInRefusal {
  return { failure: fail('rate_limited', `${reason}; retry in ${decision.retryAfterSeconds} s`), retryAfterSeconds: decision.retryAfterSeconds };
}
