// Proves the token bucket of a key: a burst then refusals that cost nothing, refill with time, the
// policy's precedence (override, plan, default), and that the buckets in memory stay bounded.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  RateLimitBuckets,
  rateLimitBurstSeconds,
  rateLimitPerSecondDefault,
  rateLimitPolicy,
  takeToken,
  type RateLimitPolicy,
  type TokenBucket,
} from './rate_limit.ts';

const start = Date.parse('2026-01-15T10:00:00Z');
const tenPerSecond: RateLimitPolicy = { perSecond: 10, burst: 20 };

/** Sends `count` requests at `now` through one bucket; returns how many were allowed and the bucket. */
function sendAt(bucket: TokenBucket | undefined, policy: RateLimitPolicy, now: number, count: number) {
  let allowed = 0;
  let current = bucket;
  for (let index = 0; index < count; index += 1) {
    const decision = takeToken(current, policy, now);
    if (decision.allowed) allowed += 1;
    current = decision.bucket;
  }
  return { allowed, bucket: current! };
}

describe('rateLimitPolicy', () => {
  it('defaults to 20 per second with a burst of twice that', () => {
    expect(rateLimitPolicy({ planPerSecond: undefined, overridePerSecond: undefined })).toEqual({
      perSecond: rateLimitPerSecondDefault,
      burst: rateLimitPerSecondDefault * rateLimitBurstSeconds,
    });
    expect(rateLimitPerSecondDefault).toBe(20);
    expect(rateLimitBurstSeconds).toBe(2);
  });

  it("takes the plan's limit, and QUARRY_RATE_LIMIT over any plan", () => {
    expect(rateLimitPolicy({ planPerSecond: 5, overridePerSecond: undefined })).toEqual({ perSecond: 5, burst: 10 });
    expect(rateLimitPolicy({ planPerSecond: 5, overridePerSecond: 100 })).toEqual({ perSecond: 100, burst: 200 });
  });

  it('turns limiting off with an override of 0, whatever the plan says', () => {
    expect(rateLimitPolicy({ planPerSecond: 5, overridePerSecond: 0 })).toBeUndefined();
    expect(rateLimitPolicy({ planPerSecond: undefined, overridePerSecond: 0 })).toBeUndefined();
  });

  it('keeps a burst of at least one request for rates below one per second', () => {
    expect(rateLimitPolicy({ planPerSecond: 0.25, overridePerSecond: undefined })).toEqual({ perSecond: 0.25, burst: 1 });
    expect(rateLimitPolicy({ planPerSecond: 1.5, overridePerSecond: undefined })).toEqual({ perSecond: 1.5, burst: 3 });
  });
});

describe('takeToken', () => {
  it('allows a full burst at one instant, then refuses with Retry-After of at least one second', () => {
    const { allowed, bucket } = sendAt(undefined, tenPerSecond, start, 20);
    expect(allowed).toBe(20);
    const refused = takeToken(bucket, tenPerSecond, start);
    expect(refused).toMatchObject({ allowed: false, limit: 20, remaining: 0, retryAfterSeconds: 1, resetSeconds: 2 });
  });

  it('counts remaining requests down and reports when the bucket is full again', () => {
    const first = takeToken(undefined, tenPerSecond, start);
    expect(first).toMatchObject({ allowed: true, limit: 20, remaining: 19, resetSeconds: 1, retryAfterSeconds: 0 });
    const { bucket } = sendAt(first.bucket, tenPerSecond, start, 9);
    expect(takeToken(bucket, tenPerSecond, start)).toMatchObject({ allowed: true, remaining: 9, resetSeconds: 2 });
  });

  it('takes nothing for a refused request', () => {
    const empty = sendAt(undefined, tenPerSecond, start, 20).bucket;
    const afterRefusals = sendAt(empty, tenPerSecond, start, 1000).bucket;
    expect(afterRefusals.tokens).toBeCloseTo(0, 9);
    // 100 ms later one token is back, refusals or not.
    expect(takeToken(afterRefusals, tenPerSecond, start + 100).allowed).toBe(true);
  });

  it('refills at the rate and never above the burst', () => {
    const empty = sendAt(undefined, tenPerSecond, start, 20).bucket;
    expect(takeToken(empty, tenPerSecond, start + 99).allowed).toBe(false);
    expect(sendAt(empty, tenPerSecond, start + 500, 10).allowed).toBe(5);
    expect(sendAt(empty, tenPerSecond, start + 60_000, 100).allowed).toBe(20);
  });

  it('reckons Retry-After in whole seconds for slow rates', () => {
    const slow: RateLimitPolicy = { perSecond: 0.25, burst: 1 };
    const { bucket } = sendAt(undefined, slow, start, 1);
    expect(takeToken(bucket, slow, start)).toMatchObject({ allowed: false, retryAfterSeconds: 4, resetSeconds: 4 });
    expect(takeToken(bucket, slow, start + 3_500)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(takeToken(bucket, slow, start + 4_000).allowed).toBe(true);
  });

  it('refills nothing when the clock goes backwards, and refills again from the earlier instant', () => {
    const empty = sendAt(undefined, tenPerSecond, start, 20).bucket;
    const back = takeToken(empty, tenPerSecond, start - 60_000);
    expect(back.allowed).toBe(false);
    expect(takeToken(back.bucket, tenPerSecond, start - 59_900).allowed).toBe(true);
  });

  it('never allows more than the burst plus the rate times the elapsed time (property)', () => {
    fc.assert(
      fc.property(
        fc.record({ perSecond: fc.integer({ min: 1, max: 50 }), burstSeconds: fc.integer({ min: 1, max: 3 }) }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 300 }),
        ({ perSecond, burstSeconds }, gapsMs) => {
          const policy: RateLimitPolicy = { perSecond, burst: perSecond * burstSeconds };
          let bucket: TokenBucket | undefined;
          let now = start;
          const allowedAt: number[] = [];
          for (const gapMs of gapsMs) {
            now += gapMs;
            const decision = takeToken(bucket, policy, now);
            if (decision.allowed) allowedAt.push(now);
            expect(decision.remaining).toBeGreaterThanOrEqual(0);
            expect(decision.remaining).toBeLessThanOrEqual(policy.burst);
            bucket = decision.bucket;
          }
          // Any window [from, to] holds at most burst + perSecond × (to - from) accepted requests.
          for (let first = 0; first < allowedAt.length; first += 1) {
            for (let last = first; last < allowedAt.length; last += 1) {
              const windowMs = allowedAt[last]! - allowedAt[first]!;
              expect(last - first + 1).toBeLessThanOrEqual(policy.burst + Math.floor((windowMs * perSecond) / 1000));
            }
          }
        },
      ),
    );
  });
});

describe('RateLimitBuckets', () => {
  it('keeps one bucket per key', () => {
    const buckets = new RateLimitBuckets();
    for (let index = 0; index < 20; index += 1) expect(buckets.take('key_a', tenPerSecond, start).allowed).toBe(true);
    expect(buckets.take('key_a', tenPerSecond, start).allowed).toBe(false);
    expect(buckets.take('key_b', tenPerSecond, start)).toMatchObject({ allowed: true, remaining: 19 });
  });

  it('stays within its bound by forgetting the least recently used key', () => {
    const buckets = new RateLimitBuckets(3);
    buckets.take('key_a', tenPerSecond, start);
    buckets.take('key_b', tenPerSecond, start);
    buckets.take('key_c', tenPerSecond, start);
    buckets.take('key_a', tenPerSecond, start + 1);
    buckets.take('key_d', tenPerSecond, start + 2);
    expect(buckets.size).toBe(3);
    expect(buckets.has('key_b')).toBe(false);
    expect(['key_a', 'key_c', 'key_d'].every((key) => buckets.has(key))).toBe(true);
    for (let index = 0; index < 1000; index += 1) buckets.take(`key_${index}`, tenPerSecond, start + 3);
    expect(buckets.size).toBe(3);
  });
});
