// Proves a caller reaches only what its credentials allow: bad or revoked keys get 401, accounts cannot touch each other, plans gate data.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, testAdminToken, type TestApp } from '../harness/test_app.ts';
import { insertCompany, insertContact } from '../factories/catalog.ts';
import { addApiKey, creditState, expectError, fullLedger, type Subscription } from '../factories/accounts.ts';
import { defaultPlanCatalog, type PlanCatalog } from '../../src/domain/plans/plans.ts';

interface Account {
  id: string;
  key: string;
}

/** The default plans plus one without `api_basic`: its account area works, its data reads do not. */
const plans: PlanCatalog = {
  ...defaultPlanCatalog,
  plans: [...defaultPlanCatalog.plans, { id: 'web_only', name: 'Web only', features: ['web_app'], creditsPerPeriod: 50, period: 'month' }],
};

describeEachDatabase('security', (kind) => {
  let app: TestApp;
  let alice: Account;
  let bob: Account;
  let companyId: string;

  beforeAll(async () => {
    app = await startTestApp(kind, { plans });
    alice = await app.createAccount('platform', 'Alice Ltd');
    bob = await app.createAccount('platform', 'Bob Ltd');
    companyId = await insertCompany(app.store.db);
  });
  afterAll(async () => app.close());

  async function withRawAuthorization(method: string, url: string, authorization: string | undefined, body?: unknown) {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    return app.api(method, url, { headers, body });
  }

  function expectUnauthorized(response: Awaited<ReturnType<TestApp['api']>>, context: string): void {
    expect(response.status, context).toBe(401);
    expectError(response, 401, 'unauthorized');
    expect(response.headers['www-authenticate'], context).toBe('Bearer');
    expect(response.headers['x-credits-remaining'], context).toBeUndefined();
  }

  it('refuses a missing, forged or malformed key with 401 and charges nothing', async () => {
    const before = await creditState(app, alice);
    const forged = `qry_${Buffer.alloc(32, 7).toString('base64url')}`;
    const authorizations: Array<string | undefined> = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Bearer ${forged}`,
      `Bearer ${alice.key}x`,
      `Bearer ${alice.key.slice(0, -1)}`,
      `Bearer ${alice.key.toUpperCase()}`,
      alice.key,
      `Basic ${Buffer.from(`${alice.key}:`).toString('base64')}`,
      `Token ${alice.key}`,
      `Bearer ${alice.key} ${alice.key}`,
      `Bearer ${'a'.repeat(10_000)}`,
      `Bearer ${testAdminToken}`,
    ];
    for (const authorization of authorizations) {
      for (const [method, url] of [
        ['GET', '/v1/account'],
        ['GET', `/v1/companies/${companyId}`],
        ['GET', '/v1/credits/ledger'],
      ] as const) {
        expectUnauthorized(await withRawAuthorization(method, url, authorization), `${method} ${url} with ${String(authorization).slice(0, 40)}`);
      }
      const topUp = await withRawAuthorization('POST', '/v1/credits/top-ups', authorization, { bundle: 'credits_100' });
      expectUnauthorized(topUp, `top-up with ${String(authorization).slice(0, 40)}`);
    }
    expect(await creditState(app, alice)).toEqual(before);
  });

  it('refuses an unauthenticated request with 401 before looking at its input', async () => {
    // Validation must not run ahead of authentication: a stranger learns nothing about the
    // endpoint's schema, and every refusal of a bad credential is the same 401.
    expectUnauthorized(await withRawAuthorization('POST', '/v1/credits/top-ups', undefined, { bundle: 42 }), 'customer body');
    expectUnauthorized(await withRawAuthorization('GET', '/v1/credits/ledger?limit=0', undefined), 'customer query');
    expectUnauthorized(await withRawAuthorization('GET', `/v1/companies/${'a%20b'}`, 'Bearer nope'), 'customer params');
    expectUnauthorized(await withRawAuthorization('POST', '/admin/v1/accounts', undefined, { name: '' }), 'operator body');
  });

  it('refuses a revoked key with 401 while the account’s other keys keep working', async () => {
    const second = await addApiKey(app, alice.id, 'to revoke');
    expect((await app.api('GET', '/v1/account', { key: second.key })).status).toBe(200);
    const revoked = await app.admin('DELETE', `/admin/v1/accounts/${alice.id}/api-keys/${second.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ revoked: true });
    expectUnauthorized(await app.api('GET', '/v1/account', { key: second.key }), 'revoked key');
    expectUnauthorized(await app.api('GET', `/v1/companies/${companyId}`, { key: second.key }), 'revoked key read');
    expect((await app.api('GET', '/v1/account', { key: alice.key })).status).toBe(200);
    expectError(await app.admin('DELETE', `/admin/v1/accounts/${alice.id}/api-keys/${second.id}`), 404, 'not_found');
  });

  it("refuses to revoke one account's key through another account's path", async () => {
    const bobKey = await addApiKey(app, bob.id, 'bob second');
    expectError(await app.admin('DELETE', `/admin/v1/accounts/${alice.id}/api-keys/${bobKey.id}`), 404, 'not_found');
    expect((await app.api('GET', '/v1/account', { key: bobKey.key })).status).toBe(200);
  });

  it('refuses a customer key, and a wrong operator token, on the operator API', async () => {
    for (const authorization of [undefined, `Bearer ${alice.key}`, `Bearer ${testAdminToken}x`, testAdminToken, `Basic ${testAdminToken}`]) {
      for (const [method, url, body] of [
        ['GET', '/admin/v1/accounts', undefined],
        ['GET', `/admin/v1/accounts/${alice.id}`, undefined],
        ['GET', `/admin/v1/accounts/${alice.id}/ledger`, undefined],
        ['POST', `/admin/v1/accounts/${alice.id}/top-ups`, { credits: 1000 }],
        ['POST', `/admin/v1/accounts/${alice.id}/api-keys`, {}],
        ['PATCH', `/admin/v1/accounts/${alice.id}`, { plan_id: 'api_standalone' }],
        ['POST', '/admin/v1/clock', { advance_days: 1 }],
        ['GET', '/admin/v1/reconcile', undefined],
      ] as const) {
        const response = await withRawAuthorization(method, url, authorization, body);
        expect(response.status, `${method} ${url} with ${String(authorization).slice(0, 30)}`).toBe(401);
        expectError(response, 401, 'unauthorized');
      }
    }
    const summary = await app.api('GET', '/v1/account', { key: alice.key });
    expect(summary.body.plan.id).toBe('platform');
    expect(summary.body.credits.balance).toBe((await creditState(app, alice)).balance);
  });

  it("refuses an operator refund of account B's subscription through account A's path, writing nothing", async () => {
    const read = await app.api<{ subscription: Subscription }>('GET', `/v1/companies/${companyId}`, { key: bob.key });
    expect(read.status).toBe(200);
    const [aliceBefore, bobBefore] = [await creditState(app, alice), await creditState(app, bob)];
    const refund = await app.admin('POST', `/admin/v1/accounts/${alice.id}/refunds`, {
      subscription_id: read.body.subscription.id,
      reason: 'cross-account',
    });
    expectError(refund, 404, 'not_found');
    expect(await creditState(app, alice)).toEqual(aliceBefore);
    expect(await creditState(app, bob)).toEqual(bobBefore);
  });

  it("keeps each account's ledger and subscriptions to itself", async () => {
    const other = await insertCompany(app.store.db);
    const contactId = await insertContact(app.store.db, other);
    const bobRead = await app.api<{ subscription: Subscription }>('GET', `/v1/contacts/${contactId}`, { key: bob.key });
    expect(bobRead.status).toBe(200);

    const aliceLedger = await app.api<{ data: Array<{ id: string; subscription_id: string | null }> }>('GET', '/v1/credits/ledger?limit=500', { key: alice.key });
    const bobLedger = await fullLedger(app, bob.id);
    const bobEntryIds = new Set(bobLedger.map((entry) => entry.id));
    expect(aliceLedger.body.data.filter((entry) => bobEntryIds.has(entry.id))).toEqual([]);
    expect(aliceLedger.body.data.map((entry) => entry.subscription_id)).not.toContain(bobRead.body.subscription.id);

    for (const query of ['', '?active=false', '?record_type=contact']) {
      const subscriptions = await app.api<{ data: Subscription[] }>('GET', `/v1/subscriptions${query}`, { key: alice.key });
      expect(subscriptions.body.data.map((item) => item.id), query).not.toContain(bobRead.body.subscription.id);
    }
    // A subscription of B does not cover A: A's first read of the same contact is charged.
    const aliceRead = await app.api<{ credits: { charged: number } }>('GET', `/v1/contacts/${contactId}`, { key: alice.key });
    expect(aliceRead.body.credits.charged).toBe(1);
    // The operator's ledger of A shows only A's entries.
    const operatorView = await fullLedger(app, alice.id);
    expect(operatorView.filter((entry) => bobEntryIds.has(entry.id))).toEqual([]);
  });

  it("does not replay another account's response for the same Idempotency-Key", async () => {
    const headers = { 'idempotency-key': 'shared-key-1' };
    const aliceBuy = await app.api<{ grant: { id: string } }>('POST', '/v1/credits/top-ups', { key: alice.key, body: { bundle: 'credits_100' }, headers });
    const bobBuy = await app.api<{ grant: { id: string } }>('POST', '/v1/credits/top-ups', { key: bob.key, body: { bundle: 'credits_100' }, headers });
    expect(aliceBuy.status).toBe(201);
    expect(bobBuy.status).toBe(201);
    expect(bobBuy.body.grant.id).not.toBe(aliceBuy.body.grant.id);
    expect(bobBuy.headers['idempotent-replayed']).toBeUndefined();
    expect((await fullLedger(app, bob.id)).map((entry) => entry.grant_id)).toContain(bobBuy.body.grant.id);
  });

  it('refuses data reads on a plan without api_basic with 403 feature_not_in_plan and charges nothing', async () => {
    const gated = await app.createAccount('web_only', 'Web only Ltd');
    const contactId = await insertContact(app.store.db, companyId);
    const before = await creditState(app, gated);
    for (const path of [
      `/v1/companies/${companyId}`,
      `/v1/companies/${companyId}/signals`,
      `/v1/companies/${companyId}/financials`,
      `/v1/companies/${companyId}/news`,
      `/v1/contacts/${contactId}`,
    ]) {
      const response = await app.api('GET', path, { key: gated.key });
      expectError(response, 403, 'feature_not_in_plan');
      expect(response.headers['x-credits-remaining'], path).toBe('50');
    }
    expect(await creditState(app, gated)).toEqual(before);
    // The account area stays open to an API key of such a plan.
    const summary = await app.api('GET', '/v1/account', { key: gated.key });
    expect(summary.status).toBe(200);
    expect(summary.body.plan.features).toEqual(['web_app']);
  });

  it('never stores an API key secret in clear, even for an idempotent account creation', async () => {
    // api_key_secret.ts and schema.ts promise the secret is "stored only as a hash".
    const created = await app.admin<{ api_key: string }>(
      'POST',
      '/admin/v1/accounts',
      { name: 'Idempotent Ltd', plan_id: 'platform' },
      { 'idempotency-key': 'open-idempotent-ltd' },
    );
    expect(created.status).toBe(201);
    const rows = await app.store.db.selectFrom('idempotency_keys').select('response_body').execute();
    expect(rows.filter((row) => row.response_body.includes(created.body.api_key))).toEqual([]);
  });

  it('never leaks internals in an error body', async () => {
    const responses = [
      await app.api('GET', '/v1/companies/cmp_unknown', { key: alice.key }),
      await app.api('POST', '/v1/credits/top-ups', { key: alice.key, rawBody: '{', headers: { 'content-type': 'application/json' } }),
      await withRawAuthorization('GET', '/v1/account', 'Bearer nope'),
    ];
    for (const response of responses) {
      const text = JSON.stringify(response.body);
      expect(text).not.toMatch(/stack|node_modules|\.ts:|SQL|sqlite|postgres/i);
      expect(text).not.toContain(alice.key);
    }
  });
});
