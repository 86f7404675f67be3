// Proves what the web app adds to the server: the built page is served at `/` and for every client-side route (with its security headers), never for the API's paths (an unknown /v1 path keeps its JSON 404); a missing build answers with a clear message and the API still works; a company's core identifiers are free and tell whether it is subscribed; operators can list the plans.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { describeEachDatabase, openTestStore, type TestStore } from '../harness/databases.ts';
import { startTestApp, testAdminToken, testPasswordCost, testStart, type TestApp } from '../harness/test_app.ts';
import { insertCompany } from '../factories/catalog.ts';
import { expectError } from '../factories/accounts.ts';
import { buildServer } from '../../src/http/server.ts';
import { CreditEvents } from '../../src/app/credits/credit_events.ts';
import { PlanRegistry, syncPlans } from '../../src/app/plans/plan_registry.ts';
import { defaultPlanCatalog } from '../../src/domain/plans/plans.ts';
import { ManualClock } from '../../src/lib/clock.ts';

const builtPage = '<!doctype html><title>Quarry</title><div id="root"></div>';

async function serverWith(store: TestStore, webAppDirectory: string): Promise<FastifyInstance> {
  const clock = new ManualClock(testStart);
  const plans = new PlanRegistry(defaultPlanCatalog);
  await syncPlans(store, plans, clock.now());
  const context = { store, clock, plans, logger: pino({ level: 'silent' }), events: new CreditEvents(), passwordCost: testPasswordCost };
  const server = await buildServer(context, { adminToken: testAdminToken, trustProxy: false, logRequests: false, webAppDirectory });
  await server.ready();
  return server;
}

describe('serving the web app', () => {
  let store: TestStore;
  let built: FastifyInstance;
  let missing: FastifyInstance;

  beforeAll(async () => {
    store = await openTestStore('sqlite');
    const directory = mkdtempSync(join(tmpdir(), 'quarry-web-'));
    mkdirSync(join(directory, 'assets'));
    writeFileSync(join(directory, 'index.html'), builtPage);
    writeFileSync(join(directory, 'assets', 'index-abc123.js'), 'console.log(1)');
    built = await serverWith(store, directory);
    missing = await serverWith(store, mkdtempSync(join(tmpdir(), 'quarry-web-empty-')));
  });
  afterAll(async () => {
    await built?.close();
    await missing?.close();
    await store?.dropDatabase();
  });

  const page = { accept: 'text/html,application/xhtml+xml' };

  it('serves the page at / and at client-side routes, with its security headers', async () => {
    for (const url of ['/', '/search?q=acme', '/companies/cmp_0000001', '/companies/acme.com', '/operator/accounts/acct_1']) {
      const response = await built.inject({ method: 'GET', url, headers: page });
      expect(response.statusCode, url).toBe(200);
      expect(response.body).toBe(builtPage);
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves built assets as immutable, and a missing asset as a 404', async () => {
    const asset = await built.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await built.inject({ method: 'GET', url: '/assets/gone.js', headers: page })).statusCode).toBe(404);
    expect((await built.inject({ method: 'GET', url: '/favicon.ico' })).statusCode).toBe(404);
  });

  it('never answers the server’s own paths with the page', async () => {
    const unknownV1 = await built.inject({ method: 'GET', url: '/v1/nothing-here', headers: page });
    expect(unknownV1.statusCode).toBe(401);
    expect(unknownV1.json().error.code).toBe('unauthorized');
    const unknownAdmin = await built.inject({ method: 'GET', url: '/admin/v1/nothing', headers: { ...page, authorization: `Bearer ${testAdminToken}` } });
    expect(unknownAdmin.statusCode).toBe(404);
    expect(unknownAdmin.json().error.code).toBe('not_found');
    for (const url of ['/health', '/openapi.json']) {
      expect((await built.inject({ method: 'GET', url, headers: page })).headers['content-type'], url).toContain('json');
    }
    for (const url of ['/t.js', '/collect', '/docs/nothing']) {
      expect((await built.inject({ method: 'GET', url, headers: page })).body, url).not.toBe(builtPage);
    }
    // Only GETs get the page.
    expect((await built.inject({ method: 'POST', url: '/search', headers: page })).statusCode).toBe(404);
  });

  it('explains a missing build at / and keeps the API working', async () => {
    const response = await missing.inject({ method: 'GET', url: '/', headers: page });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build:web');
    expect((await missing.inject({ method: 'GET', url: '/health' })).json()).toEqual({ ok: true });
  });
});

describeEachDatabase('company core identifiers and the plan list', (kind) => {
  let app: TestApp;
  let companyId: string;

  beforeAll(async () => {
    app = await startTestApp(kind);
    companyId = await insertCompany(app.store.db);
  });
  afterAll(async () => app.close());

  it('GET /v1/companies/{id}/core is free, and shows the subscription once the company is read', async () => {
    const { key } = await app.createAccount('platform');
    const before = await app.api('GET', `/v1/companies/${companyId}/core`, { key });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ id: companyId, subscription: null });
    expect(before.headers['x-credits-remaining']).toBe('1000');
    expect((await app.api('GET', `/v1/companies/${companyId}`, { key })).headers['x-credits-charged']).toBe('1');
    const after = await app.api('GET', `/v1/companies/${companyId}/core`, { key });
    expect(after.body.subscription).toMatchObject({ record_type: 'company', record_id: companyId, source: 'credit' });
    expect(after.headers['x-credits-remaining']).toBe('999');
  });

  it('never shows another account’s subscription, answers 404 for an unknown company, and keeps the plan gate', async () => {
    const first = await app.createAccount('platform');
    const second = await app.createAccount('platform');
    await app.api('GET', `/v1/companies/${companyId}`, { key: first.key });
    expect((await app.api('GET', `/v1/companies/${companyId}/core`, { key: second.key })).body.subscription).toBeNull();
    expectError(await app.api('GET', '/v1/companies/cmp_missing/core', { key: second.key }), 404, 'not_found');
    const email = `core.${Date.now()}@example.com`;
    await app.createAccountWithOwner('api_standalone', { email, password: 'correct horse battery' });
    const session = await app.signIn(email, 'correct horse battery');
    expectError(await app.web(session, 'GET', `/v1/companies/${companyId}/core`), 403, 'feature_not_in_plan');
  });

  it('GET /admin/v1/plans lists the catalog’s plans', async () => {
    const response = await app.admin('GET', '/admin/v1/plans');
    expect(response.status).toBe(200);
    expect(response.body.data.map((plan: { id: string }) => plan.id)).toEqual(['platform', 'api_standalone', 'web_visitors']);
    expect(response.body.data[0]).toMatchObject({ features: expect.arrayContaining(['web_app']), credits_per_period: 1000, period: 'month' });
  });
});
