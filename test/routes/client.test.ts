// Proves the typed client exported as `quarry/client` works end to end against the real server: the operator opens an account, the customer reads its account, a company (charged once), its ledger, and gets typed errors.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { injectFetch, startTestApp, testBaseUrl, type TestApp } from '../harness/test_app.ts';
import { insertCompany } from '../factories/catalog.ts';
import { createQuarryClient, importCatalog, type QuarryClient, type Schema } from '../../src/client/quarry_client.ts';

describeEachDatabase('the typed client', (kind) => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp(kind);
  });
  afterEach(async () => app.close());

  /** Opens an account through the operator client; returns its id and a customer client with its key. */
  async function openAccount(name: string): Promise<{ id: string; client: QuarryClient }> {
    const { data, error, response } = await app.operatorClient().POST('/admin/v1/accounts', { body: { name, plan_id: 'platform' } });
    expect(response.status, JSON.stringify(error)).toBe(201);
    expect(data?.api_key).toMatch(/^qry_/);
    expect(data?.account).toMatchObject({ name, plan: { id: 'platform' } });
    return { id: data!.account.id, client: app.client(data!.api_key!) };
  }

  it('the operator opens an account; the customer reads it, a company, and the ledger', async () => {
    const { id, client } = await openAccount('Typed Client Ltd');

    const account = await client.GET('/v1/account');
    expect(account.response.status).toBe(200);
    const summary: Schema<'Account'> | undefined = account.data;
    expect(summary).toMatchObject({ id, name: 'Typed Client Ltd', credits: { balance: 1000, used: 0 } });
    expect(account.response.headers.get('X-Credits-Remaining')).toBe('1000');

    const companyId = await insertCompany(app.store.db, { name: 'Read Through The Client' });
    const first = await client.GET('/v1/companies/{id}', { params: { path: { id: companyId } } });
    expect(first.response.status).toBe(200);
    expect(first.data?.data).toMatchObject({ id: companyId, name: 'Read Through The Client' });
    expect(first.data?.credits).toEqual({ charged: 1, balance: 999 });
    expect(first.data?.subscription?.record_id).toBe(companyId);
    expect(first.response.headers.get('X-Credits-Charged')).toBe('1');
    expect(first.response.headers.get('X-Credits-Remaining')).toBe('999');

    const again = await client.GET('/v1/companies/{id}', { params: { path: { id: companyId } } });
    expect(again.data?.credits).toEqual({ charged: 0, balance: 999 });
    expect(again.response.headers.get('X-Credits-Charged')).toBe('0');

    const ledger = await client.GET('/v1/credits/ledger', { params: { query: { kind: 'charge', limit: 10 } } });
    expect(ledger.response.status).toBe(200);
    const entries: Schema<'LedgerEntry'>[] = ledger.data?.data ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'charge', credits: -1, balance_after: 999, record: { type: 'company', id: companyId } });
    expect(ledger.data?.next_cursor).toBeNull();
  });

  it('imports NDJSON through the operator client, and gets a refused import\'s lines typed', async () => {
    const lines = [{ id: 'cmp_client_a', name: 'Client Import A' }, { id: 'cmp_client_b', name: 'Client Import B' }];
    const imported = await importCatalog(app.operatorClient(), 'companies', lines.map((line) => JSON.stringify(line)).join('\n'));
    expect(imported.response.status, JSON.stringify(imported.error)).toBe(200);
    expect(imported.data).toEqual({ imported: 2, created: 2, updated: 0 });
    const refused = await importCatalog(app.operatorClient(), 'contacts', `${JSON.stringify({ id: 'cnt_client', company_id: 'cmp_client_a', first_name: 'Ada' })}\n{"id": 1}`);
    expect(refused.response.status).toBe(400);
    const problems = refused.error && 'lines' in refused.error.error ? (refused.error.error.lines ?? []) : [];
    expect(problems.map((problem) => problem.line)).toEqual([2, 2]);
    expect(problems.map((problem) => problem.field).sort()).toEqual(['company_id', 'id']);
  });

  it('errors come back typed: 404, 402, 401 and 400', async () => {
    const { id, client } = await openAccount('Typed Errors Ltd');

    const missing = await client.GET('/v1/companies/{id}', { params: { path: { id: 'cmp_does_not_exist' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.data).toBeUndefined();
    expect(missing.error?.error.code).toBe('not_found');
    expect(missing.error?.error.request_id).toMatch(/^req_/);
    expect(missing.response.headers.get('X-Credits-Charged')).toBe('0');

    // The operator takes the whole balance; the next new record cannot be paid for.
    const drained = await app.operatorClient().POST('/admin/v1/accounts/{id}/adjustments', {
      params: { path: { id } },
      body: { credits: -1000, reason: 'a typed-client test empties the balance' },
    });
    expect(drained.response.status, JSON.stringify(drained.error)).toBe(201);
    expect(drained.data?.balance).toBe(0);
    const companyId = await insertCompany(app.store.db);
    const unpaid = await client.GET('/v1/companies/{id}', { params: { path: { id: companyId } } });
    expect(unpaid.response.status).toBe(402);
    expect(unpaid.error?.error.code).toBe('insufficient_credits');
    expect(unpaid.response.headers.get('X-Credits-Remaining')).toBe('0');

    const stranger = createQuarryClient({ baseUrl: testBaseUrl, apiKey: 'qry_not_a_real_key', fetch: injectFetch(app.server) });
    const refused = await stranger.GET('/v1/account');
    expect(refused.response.status).toBe(401);
    expect(refused.error?.error.code).toBe('unauthorized');

    const invalid = await client.GET('/v1/credits/ledger', { params: { query: { limit: 0 } } });
    expect(invalid.response.status).toBe(400);
    expect(invalid.error?.error).toMatchObject({ code: 'invalid_request', field: 'querystring.limit' });
  });

  it('an Idempotency-Key passes through: a repeated top-up grants once', async () => {
    const { client } = await openAccount('Typed Retries Ltd');
    const buy = () => client.POST('/v1/credits/top-ups', { body: { bundle: 'credits_100' }, headers: { 'Idempotency-Key': 'typed-client-1' } });
    const first = await buy();
    const repeat = await buy();
    expect(first.response.status).toBe(201);
    expect(repeat.response.status).toBe(201);
    expect(repeat.data?.grant.id).toBe(first.data?.grant.id);
    expect(repeat.response.headers.get('Idempotent-Replayed')).toBe('true');
    expect((await client.GET('/v1/account')).data?.credits.balance).toBe(1100);
  });

  it('each client only knows its own API (checked by the typecheck)', async () => {
    const { client } = await openAccount('Typed Scopes Ltd');
    // @ts-expect-error: the operator API is not a path of the customer client.
    const wrongScope = await client.GET('/admin/v1/reconcile');
    expect(wrongScope.response.status).toBe(401);
    // @ts-expect-error: the path parameter is required.
    const unfilled = await client.GET('/v1/companies/{id}', {});
    expect(unfilled.response.ok).toBe(false);
  });
});
