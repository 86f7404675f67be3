// Rate limits per API key: a token bucket per key. A key's bucket holds at most `burst` tokens,
// refills at `perSecond` tokens a second, and every accepted request takes one token; a request
// that finds less than one token is refused and takes nothing. Pure: `now` (milliseconds since
// the epoch) is always passed in, so the manual test clock moves the refill too.
import { assert } from '../../lib/assert.ts';

/** Requests per second per API key when neither the plan nor QUARRY_RATE_LIMIT sets a limit. */
export const rateLimitPerSecondDefault = 20;
/** The burst is this many seconds of the rate: an idle key may send 2 × perSecond at once. */
export const rateLimitBurstSeconds = 2;
/** Buckets kept in memory at most; beyond it the least recently used bucket is forgotten. */
export const rateLimitBucketsMax = 100_000;

/**
 * Token counts are floats; sums of refills like 50 × 0.02 can land a hair below a whole token, so
 * comparisons allow this much slack (far below anything a request rate can express).
 */
const tokenTolerance = 1e-9;

export interface RateLimitPolicy {
  /** Tokens added per second: the sustained rate. */
  perSecond: number;
  /** The bucket's size: requests an idle key may send at once (at least 1). */
  burst: number;
}

export interface TokenBucket {
  /** Tokens in the bucket at `updatedAt` (fractional between requests). */
  tokens: number;
  /** When `tokens` was last computed, in milliseconds since the epoch. */
  updatedAt: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** The bucket after this request, to keep for the key's next one. */
  bucket: TokenBucket;
  /** The bucket's size (RateLimit-Limit). */
  limit: number;
  /** Whole requests the key may still send right now (RateLimit-Remaining). */
  remaining: number;
  /** Seconds until the bucket is full again, rounded up (RateLimit-Reset). */
  resetSeconds: number;
  /** For a refusal, whole seconds (at least 1) until one token is back (Retry-After); 0 when allowed. */
  retryAfterSeconds: number;
}

export interface RateLimitSources {
  /** The plan's `rateLimitPerSecond`; undefined means the default. */
  planPerSecond: number | undefined;
  /** QUARRY_RATE_LIMIT: overrides every plan when set; 0 turns limiting off. */
  overridePerSecond: number | undefined;
}

/** The policy that applies to a key, or undefined when its requests are not limited. */
export function rateLimitPolicy(sources: RateLimitSources): RateLimitPolicy | undefined {
  const perSecond = sources.overridePerSecond ?? sources.planPerSecond ?? rateLimitPerSecondDefault;
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) return undefined;
  return { perSecond, burst: Math.max(1, Math.ceil(perSecond * rateLimitBurstSeconds)) };
}

/** The bucket a key starts with: full. */
export function fullBucket(policy: RateLimitPolicy, now: number): TokenBucket {
  return { tokens: policy.burst, updatedAt: now };
}

/** The bucket refilled up to `now`. A clock that went backwards refills nothing. */
export function refill(bucket: TokenBucket, policy: RateLimitPolicy, now: number): TokenBucket {
  const elapsedMs = Math.max(0, now - bucket.updatedAt);
  const tokens = Math.min(policy.burst, bucket.tokens + (elapsedMs * policy.perSecond) / 1000);
  return { tokens, updatedAt: now };
}

/** Decides one request of a key: refill to `now`, then take a token if there is a whole one. */
export function takeToken(bucket: TokenBucket | undefined, policy: RateLimitPolicy, now: number): RateLimitDecision {
  const refilled = refill(bucket ?? fullBucket(policy, now), policy, now);
  const allowed = refilled.tokens + tokenTolerance >= 1;
  const after: TokenBucket = allowed ? { tokens: Math.max(0, refilled.tokens - 1), updatedAt: now } : refilled;
  return {
    allowed,
    bucket: after,
    limit: policy.burst,
    remaining: Math.floor(after.tokens + tokenTolerance),
    resetSeconds: secondsUntil(policy.burst - after.tokens, policy),
    retryAfterSeconds: allowed ? 0 : Math.max(1, secondsUntil(1 - after.tokens, policy)),
  };
}

/** Whole seconds, rounded up, until `tokens` more tokens have been added. */
function secondsUntil(tokens: number, policy: RateLimitPolicy): number {
  if (tokens <= tokenTolerance) return 0;
  return Math.ceil(tokens / policy.perSecond - tokenTolerance);
}

/**
 * The buckets of every key seen recently, in this process's memory, bounded by `bucketsMax`.
 * The map is kept in least-recently-used order (a key is moved to the end on every request), so
 * when it is full the bucket dropped is the one idle longest, which has almost always refilled
 * completely and so is the same as no bucket. Only with more than `bucketsMax` keys active within
 * one refill window does a dropped key get a fresh burst early.
 */
export class RateLimitBuckets {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #bucketsMax: number;

  constructor(bucketsMax: number = rateLimitBucketsMax) {
    assert(Number.isSafeInteger(bucketsMax) && bucketsMax >= 1, `bucketsMax must be a positive integer, got ${bucketsMax}`);
    this.#bucketsMax = bucketsMax;
  }

  /** Decides one request of `key` and remembers the bucket it leaves. */
  take(key: string, policy: RateLimitPolicy, now: number): RateLimitDecision {
    const decision = takeToken(this.#buckets.get(key), policy, now);
    this.#buckets.delete(key);
    if (this.#buckets.size >= this.#bucketsMax) this.#forgetLeastRecentlyUsed();
    this.#buckets.set(key, decision.bucket);
    return decision;
  }

  get size(): number {
    return this.#buckets.size;
  }

  has(key: string): boolean {
    return this.#buckets.has(key);
  }

  #forgetLeastRecentlyUsed(): void {
    const oldest = this.#buckets.keys().next();
    if (!oldest.done) this.#buckets.delete(oldest.value);
  }
}
