// Proves rate limits per API key: a burst then 429 rate_limited with Retry-After, refill as the test clock moves, per-plan limits (also from a plans file), the QUARRY_RATE_LIMIT override and 0 = off, one bucket per key, refusals that cost nothing, and an operator API that is never limited.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPlanCatalog } from '../../src/app/plans/plan_registry.ts';
import { defaultPlanCatalog, type PlanCatalog } from '../../src/domain/plans/plans.ts';
import { startTestApp, type Response, type TestApp } from '../harness/test_app.ts';
import { insertCompany } from '../factories/catalog.ts';
import { addApiKey, balanceOf, expectError, fullLedger } from '../factories/accounts.ts';
import type { RateLimitOptions } from '../../src/http/rate_limit.ts';

/** QUARRY_RATE_LIMIT unset: each plan's limit, or the default of 20 per second with bursts of 40. */
const planLimits: RateLimitOptions = { perSecondOverride: undefined };

const catalogWithLimits: PlanCatalog = {
  ...defaultPlanCatalog,
  plans: [
    ...defaultPlanCatalog.plans,
    { id: 'trickle', name: 'Trickle', features: ['api_basic'], creditsPerPeriod: 10, period: 'month', rateLimitPerSecond: 2 },
    { id: 'firehose', name: 'Firehose', features: ['api_basic'], creditsPerPeriod: 10, period: 'month', rateLimitPerSecond: 100 },
  ],
};

function rateLimitHeaders(response: Response): Record<string, unknown> {
  return {
    limit: response.headers['ratelimit-limit'],
    remaining: response.headers['ratelimit-remaining'],
    reset: response.headers['ratelimit-reset'],
    policy: response.headers['ratelimit-policy'],
  };
}

/** Sends `count` GET /v1/account with `key`; returns every response. */
async function accountReads(app: TestApp, key: string, count: number): Promise<Response[]> {
  const responses: Response[] = [];
  for (let index = 0; index < count; index += 1) responses.push(await app.api('GET', '/v1/account', { key }));
  return responses;
}

function statuses(responses: Response[]): number[] {
  return responses.map((response) => response.status);
}

// The buckets live in process memory, whatever the database: SQLite alone covers them.
describe('rate limits per API key', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('allows a burst of 40 at the default 20 per second, then answers 429 rate_limited with Retry-After and the limit headers', async () => {
    app = await startTestApp('sqlite', { rateLimit: planLimits });
    const account = await app.createAccount('platform');
    const burst = await accountReads(app, account.key, 40);
    expect(statuses(burst)).toEqual(Array(40).fill(200));
    expect(rateLimitHeaders(burst[0]!)).toEqual({ limit: '40', remaining: '39', reset: '1', policy: '40;w=2' });
    expect(burst.map((response) => response.headers['ratelimit-remaining'])).toEqual(
      Array.from({ length: 40 }, (_, index) => String(39 - index)),
    );

    const refused = await app.api('GET', '/v1/account', { key: account.key });
    const error = expectError(refused, 429, 'rate_limited');
    expect(error.message).toMatch(/20 requests per second/);
    expect(refused.headers['retry-after']).toBe('1');
    expect(rateLimitHeaders(refused)).toEqual({ limit: '40', remaining: '0', reset: '2', policy: '40;w=2' });
    expect(refused.headers['x-credits-remaining']).toBe('1000');
  });

  it('refills the bucket as the manual clock moves, and only then', async () => {
    app = await startTestApp('sqlite', { rateLimit: planLimits });
    const account = await app.createAccount('platform');
    await accountReads(app, account.key, 40);
    expect(statuses(await accountReads(app, account.key, 3))).toEqual([429, 429, 429]);

    app.clock.advance(49);
    expectError(await app.api('GET', '/v1/account', { key: account.key }), 429, 'rate_limited');
    app.clock.advance(1);
    expect((await app.api('GET', '/v1/account', { key: account.key })).status).toBe(200);

    app.clock.advance(1_000);
    const afterOneSecond = await accountReads(app, account.key, 21);
    expect(statuses(afterOneSecond)).toEqual([...Array(20).fill(200), 429]);

    app.clock.advance(60_000);
    const afterOneMinute = await accountReads(app, account.key, 41);
    expect(statuses(afterOneMinute)).toEqual([...Array(40).fill(200), 429]);
  });

  it("applies each plan's own limit from the catalog", async () => {
    app = await startTestApp('sqlite', { rateLimit: planLimits, plans: catalogWithLimits });
    const trickle = await app.createAccount('trickle');
    const firehose = await app.createAccount('firehose');

    const slow = await accountReads(app, trickle.key, 5);
    expect(statuses(slow)).toEqual([200, 200, 200, 200, 429]);
    expect(rateLimitHeaders(slow[0]!)).toEqual({ limit: '4', remaining: '3', reset: '1', policy: '4;w=2' });
    expect(slow[4]!.headers['retry-after']).toBe('1');

    const fast = await accountReads(app, firehose.key, 200);
    expect(statuses(fast)).toEqual(Array(200).fill(200));
    expect(fast[199]!.headers['ratelimit-limit']).toBe('200');
    expect(fast[199]!.headers['ratelimit-remaining']).toBe('0');
  });

  it('reads rate_limit_per_second from a plans file (QUARRY_PLANS_FILE)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'quarry-plans-'));
    try {
      const path = join(folder, 'plans.json');
      const file = {
        plans: [
          { id: 'starter', name: 'Starter', features: ['api_basic'], credits_per_period: 50, period: 'month', rate_limit_per_second: 1 },
          { id: 'unset', name: 'Unset', features: ['api_basic'], credits_per_period: 50, period: 'month' },
        ],
      };
      await writeFile(path, JSON.stringify(file));
      app = await startTestApp('sqlite', { rateLimit: planLimits, plans: loadPlanCatalog(path) });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    const starter = await app.createAccount('starter');
    const unset = await app.createAccount('unset');
    expect(statuses(await accountReads(app, starter.key, 3))).toEqual([200, 200, 429]);
    const defaults = await app.api('GET', '/v1/account', { key: unset.key });
    expect(rateLimitHeaders(defaults)).toEqual({ limit: '40', remaining: '39', reset: '1', policy: '40;w=2' });
  });

  it('lets QUARRY_RATE_LIMIT override every plan', async () => {
    app = await startTestApp('sqlite', { rateLimit: { perSecondOverride: 1 }, plans: catalogWithLimits });
    const firehose = await app.createAccount('firehose');
    const platform = await app.createAccount('platform');
    expect(statuses(await accountReads(app, firehose.key, 3))).toEqual([200, 200, 429]);
    const responses = await accountReads(app, platform.key, 3);
    expect(statuses(responses)).toEqual([200, 200, 429]);
    expect(rateLimitHeaders(responses[0]!)).toEqual({ limit: '2', remaining: '1', reset: '1', policy: '2;w=2' });
  });

  it('turns limiting off with QUARRY_RATE_LIMIT=0: no refusals and no limit headers', async () => {
    app = await startTestApp('sqlite', { rateLimit: { perSecondOverride: 0 }, plans: catalogWithLimits });
    const trickle = await app.createAccount('trickle');
    const responses = await accountReads(app, trickle.key, 100);
    expect(statuses(responses)).toEqual(Array(100).fill(200));
    expect(Object.keys(responses[99]!.headers).filter((name) => name.startsWith('ratelimit'))).toEqual([]);
  });

  it('keeps a separate bucket for every key, even two keys of one account', async () => {
    app = await startTestApp('sqlite', { rateLimit: planLimits, plans: catalogWithLimits });
    const first = await app.createAccount('trickle');
    const second = await addApiKey(app, first.id);
    const other = await app.createAccount('trickle');
    expect(statuses(await accountReads(app, first.key, 5))).toEqual([200, 200, 200, 200, 429]);
    expect(statuses(await accountReads(app, second.key, 5))).toEqual([200, 200, 200, 200, 429]);
    expect(statuses(await accountReads(app, other.key, 5))).toEqual([200, 200, 200, 200, 429]);
  });

  it('charges nothing for a refused deep read and reports the unchanged balance', async () => {
    app = await startTestApp('sqlite', { rateLimit: planLimits, plans: catalogWithLimits });
    const account = await app.createAccount('trickle');
    const companyId = await insertCompany(app.store.db);
    await accountReads(app, account.key, 4);
    const balanceBefore = await balanceOf(app, account.id);
    const ledgerBefore = await fullLedger(app, account.id);

    const refused = await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
    expectError(refused, 429, 'rate_limited');
    expect(refused.headers['x-credits-remaining']).toBe(String(balanceBefore));
    expect(refused.headers['x-credits-charged']).toBeUndefined();
    expect(await balanceOf(app, account.id)).toBe(balanceBefore);
    expect(await fullLedger(app, account.id)).toEqual(ledgerBefore);

    // Once a token is back the same read is charged, once: the refusal had not started anything.
    app.clock.advance(500);
    const read = await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.headers['x-credits-charged']).toBe('1');
    expect(await balanceOf(app, account.id)).toBe(balanceBefore - 1);
  });

  it('counts every answered request of a key, errors included, and carries the headers on them', async () => {
    app = await startTestApp('sqlite', { rateLimit: planLimits, plans: catalogWithLimits });
    const account = await app.createAccount('trickle');
    const missing = await app.api('GET', '/v1/companies/cmp_missing', { key: account.key });
    expectError(missing, 404, 'not_found');
    expect(rateLimitHeaders(missing)).toEqual({ limit: '4', remaining: '3', reset: '1', policy: '4;w=2' });
    const unknownRoute = await app.api('GET', '/v1/no-such-thing', { key: account.key });
    expectError(unknownRoute, 404, 'not_found');
    expect(unknownRoute.headers['ratelimit-remaining']).toBe('2');
  });

  it('does not limit requests without a valid key (they are refused 401 before any bucket)', async () => {
    app = await startTestApp('sqlite', { rateLimit: { perSecondOverride: 1 } });
    for (let index = 0; index < 5; index += 1) {
      const response = await app.api('GET', '/v1/account', { key: 'qry_not_a_key' });
      expectError(response, 401, 'unauthorized');
      expect(response.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('never limits the operator API', async () => {
    app = await startTestApp('sqlite', { rateLimit: { perSecondOverride: 1 } });
    const account = await app.createAccount('platform');
    for (let index = 0; index < 50; index += 1) {
      const response = await app.admin('GET', `/admin/v1/accounts/${account.id}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('is off in the test harness unless a test opts in', async () => {
    app = await startTestApp('sqlite', { plans: catalogWithLimits });
    const trickle = await app.createAccount('trickle');
    expect(statuses(await accountReads(app, trickle.key, 50))).toEqual(Array(50).fill(200));
  });
});
