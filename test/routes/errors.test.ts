// Proves bad input never gets a 500: each gets its documented status and code in the error shape, and nothing is written.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, testAdminToken, type Response, type TestApp } from '../harness/test_app.ts';
import { insertCompany } from '../factories/catalog.ts';
import { creditState, expectError, type CreditState, type ErrorBody } from '../factories/accounts.ts';
import { clockAdvanceDaysMax } from '../../src/app/operator/set_clock.ts';

interface BadRequest {
  name: string;
  method: string;
  url: string;
  /** Who calls: the customer's key (default) or the operator. */
  as?: 'customer' | 'operator';
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
  field?: string;
}

const mebibyte = 1024 * 1024;

describeEachDatabase('bad input', (kind) => {
  let app: TestApp;
  let account: { id: string; key: string };
  let companyId: string;
  let before: CreditState;

  beforeAll(async () => {
    app = await startTestApp(kind);
    account = await app.createAccount('platform');
    companyId = await insertCompany(app.store.db);
    const read = await app.api('GET', `/v1/companies/${companyId}`, { key: account.key });
    expect(read.status).toBe(200);
    const topUp = await app.api('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_100' } });
    expect(topUp.status).toBe(201);
  });
  afterAll(async () => app.close());
  beforeEach(async () => {
    before = await creditState(app, account);
  });

  async function send(request: BadRequest): Promise<Response> {
    const token = request.as === 'operator' ? testAdminToken : account.key;
    const url = request.url.replaceAll('{account}', account.id).replaceAll('{company}', companyId);
    return app.api(request.method, url, {
      key: token,
      body: request.body,
      ...(request.rawBody === undefined ? {} : { rawBody: request.rawBody }),
      headers: request.headers ?? {},
    });
  }

  async function expectRefused(requests: BadRequest[]): Promise<void> {
    for (const request of requests) {
      const response = await send(request);
      const context = `${request.name}: ${response.status} ${JSON.stringify(response.body)}`;
      expect(response.status, context).toBeLessThan(500);
      const error = expectError(response, request.status, request.code);
      if (request.field !== undefined) expect(error.field, context).toBe(request.field);
    }
    expect(await creditState(app, account)).toEqual(before);
  }

  const json = { 'content-type': 'application/json' };

  it('refuses malformed JSON and an empty JSON body with 400', async () => {
    await expectRefused([
      { name: 'truncated JSON', method: 'POST', url: '/v1/credits/top-ups', rawBody: '{"bundle":', headers: json, status: 400, code: 'invalid_request' },
      { name: 'not JSON', method: 'POST', url: '/v1/credits/top-ups', rawBody: "bundle='credits_100'", headers: json, status: 400, code: 'invalid_request' },
      { name: 'empty body', method: 'POST', url: '/v1/credits/top-ups', rawBody: '', headers: json, status: 400, code: 'invalid_request' },
      { name: 'JSON null', method: 'POST', url: '/v1/credits/top-ups', rawBody: 'null', headers: json, status: 400, code: 'invalid_request' },
      { name: 'JSON array', method: 'POST', url: '/v1/credits/top-ups', rawBody: '[]', headers: json, status: 400, code: 'invalid_request' },
      { name: 'JSON string', method: 'POST', url: '/v1/credits/top-ups', rawBody: '"credits_100"', headers: json, status: 400, code: 'invalid_request' },
      { name: 'operator truncated JSON', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/adjustments', rawBody: '{"credits": 5, "reason":', headers: json, status: 400, code: 'invalid_request' },
      { name: 'operator empty body', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/top-ups', rawBody: '', headers: json, status: 400, code: 'invalid_request' },
      { name: 'operator empty refund body', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/refunds', rawBody: '{}', headers: json, status: 400, code: 'invalid_request' },
    ]);
  });

  it('refuses wrong types with 400 naming the field', async () => {
    await expectRefused([
      { name: 'bundle number', method: 'POST', url: '/v1/credits/top-ups', body: { bundle: 100 }, status: 400, code: 'invalid_request', field: 'body.bundle' },
      { name: 'bundle missing', method: 'POST', url: '/v1/credits/top-ups', body: {}, status: 400, code: 'invalid_request', field: 'body.bundle' },
      { name: 'bundle array', method: 'POST', url: '/v1/credits/top-ups', body: { bundle: ['credits_100'] }, status: 400, code: 'invalid_request' },
      { name: 'credits string', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/top-ups', body: { credits: '10' }, status: 400, code: 'invalid_request', field: 'body.credits' },
      { name: 'credits bool', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/adjustments', body: { credits: true, reason: 'x' }, status: 400, code: 'invalid_request' },
      { name: 'reason number', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/adjustments', body: { credits: 5, reason: 5 }, status: 400, code: 'invalid_request' },
      { name: 'subscription_id number', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/refunds', body: { subscription_id: 1, reason: 'x' }, status: 400, code: 'invalid_request' },
      { name: 'plan_id number', as: 'operator', method: 'PATCH', url: '/admin/v1/accounts/{account}', body: { plan_id: 1 }, status: 400, code: 'invalid_request' },
      { name: 'expires_at number', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/top-ups', body: { credits: 5, expires_at: 1767225600000 }, status: 400, code: 'invalid_request' },
    ]);
  });

  it('refuses negative, zero, huge and fractional numbers', async () => {
    const topUps = '/admin/v1/accounts/{account}/top-ups';
    const adjustments = '/admin/v1/accounts/{account}/adjustments';
    const operator = { as: 'operator' as const, method: 'POST', status: 400, code: 'invalid_request' };
    await expectRefused([
      { ...operator, name: 'negative top-up', url: topUps, body: { credits: -5 } },
      { ...operator, name: 'zero top-up', url: topUps, body: { credits: 0 } },
      { ...operator, name: 'fractional top-up', url: topUps, body: { credits: 1.5 } },
      { ...operator, name: 'huge top-up', url: topUps, body: { credits: 1e12 } },
      { ...operator, name: 'beyond 2^53', url: topUps, rawBody: '{"credits": 9007199254740993}', headers: json },
      { ...operator, name: 'infinite', url: topUps, rawBody: '{"credits": 1e400}', headers: json },
      { ...operator, name: 'zero adjustment', url: adjustments, body: { credits: 0, reason: 'nothing' } },
      { ...operator, name: 'fractional adjustment', url: adjustments, body: { credits: -0.5, reason: 'half' } },
      { ...operator, name: 'huge negative adjustment', url: adjustments, body: { credits: -1e15, reason: 'all' } },
      { ...operator, name: 'negative clock', url: '/admin/v1/clock', body: { advance_days: -1 } },
      { ...operator, name: 'huge clock jump', url: '/admin/v1/clock', body: { advance_days: 1e9 } },
    ]);
  });

  it('refuses a negative adjustment larger than the balance with 422', async () => {
    await expectRefused([
      {
        name: 'overdraw',
        as: 'operator',
        method: 'POST',
        url: '/admin/v1/accounts/{account}/adjustments',
        body: { credits: -(before.balance + 1), reason: 'too much' },
        status: 422,
        code: 'invalid_request',
        field: 'credits',
      },
    ]);
  });

  it('refuses strings that are too long, blank or badly formed', async () => {
    const long = (length: number) => 'x'.repeat(length);
    await expectRefused([
      { name: 'bundle id too long', method: 'POST', url: '/v1/credits/top-ups', body: { bundle: long(129) }, status: 400, code: 'invalid_request' },
      { name: 'bundle with spaces', method: 'POST', url: '/v1/credits/top-ups', body: { bundle: 'credits 100' }, status: 400, code: 'invalid_request' },
      { name: 'note too long', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/top-ups', body: { credits: 5, note: long(501) }, status: 400, code: 'invalid_request' },
      { name: 'reason too long', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/adjustments', body: { credits: 5, reason: long(501) }, status: 400, code: 'invalid_request' },
      { name: 'blank reason', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/adjustments', body: { credits: 5, reason: '   ' }, status: 400, code: 'invalid_request' },
      { name: 'api key name too long', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/api-keys', body: { name: long(101) }, status: 400, code: 'invalid_request' },
      { name: 'Idempotency-Key too long', method: 'POST', url: '/v1/credits/top-ups', body: { bundle: 'credits_100' }, headers: { 'idempotency-key': long(256) }, status: 400, code: 'invalid_request', field: 'Idempotency-Key' },
      { name: 'record id with a space', method: 'GET', url: '/v1/companies/a%20b', status: 400, code: 'invalid_request' },
      { name: 'account search too long', as: 'operator', method: 'GET', url: `/admin/v1/accounts?q=${long(201)}`, status: 400, code: 'invalid_request' },
    ]);
  });

  it('refuses a query parameter a list does not know, so a misspelt filter never lists everything', async () => {
    const unknown = { status: 400, code: 'invalid_request', field: 'querystring' } as const;
    await expectRefused([
      { ...unknown, name: 'ledger kind misspelt', method: 'GET', url: '/v1/credits/ledger?knd=charge' },
      { ...unknown, name: 'subscriptions type misspelt', method: 'GET', url: '/v1/subscriptions?recordtype=contact' },
      { ...unknown, name: 'visitors site misspelt', method: 'GET', url: '/v1/visitors?site=site_x' },
      { ...unknown, name: 'sites page size misspelt', method: 'GET', url: '/v1/sites?limt=5' },
      { ...unknown, name: 'members page size misspelt', method: 'GET', url: '/v1/members?page_size=5' },
      { ...unknown, name: 'keys revoked misspelt', method: 'GET', url: '/v1/api-keys?revoked=true' },
      { ...unknown, as: 'operator', name: 'operator accounts search misspelt', method: 'GET', url: '/admin/v1/accounts?query=acme' },
      { ...unknown, as: 'operator', name: 'operator ledger kind misspelt', method: 'GET', url: '/admin/v1/accounts/{account}/ledger?type=grant' },
    ]);
    // The same lists with the parameters they know.
    for (const url of ['/v1/credits/ledger?kind=charge', '/v1/subscriptions?record_type=company', '/v1/sites?limit=5', '/v1/api-keys?include_revoked=true']) {
      expect((await app.api('GET', url, { key: account.key })).status, url).toBe(200);
    }
  });

  it('refuses a record id longer than 128 characters with 400 in the documented shape', async () => {
    await expectRefused([
      { name: 'company id too long', method: 'GET', url: `/v1/companies/${'x'.repeat(129)}`, status: 400, code: 'invalid_request' },
      { name: 'contact id too long', method: 'GET', url: `/v1/contacts/${'x'.repeat(300)}`, status: 400, code: 'invalid_request' },
      { name: 'account id too long', as: 'operator', method: 'GET', url: `/admin/v1/accounts/${'x'.repeat(300)}`, status: 400, code: 'invalid_request' },
    ]);
  });

  it('refuses a new account with a bad name or an unknown plan, and opens no account', async () => {
    const accountsBefore = await app.admin<{ data: unknown[] }>('GET', '/admin/v1/accounts?limit=500');
    await expectRefused([
      { name: 'empty name', as: 'operator', method: 'POST', url: '/admin/v1/accounts', body: { name: '', plan_id: 'platform' }, status: 400, code: 'invalid_request' },
      { name: 'name too long', as: 'operator', method: 'POST', url: '/admin/v1/accounts', body: { name: 'n'.repeat(201), plan_id: 'platform' }, status: 400, code: 'invalid_request' },
      { name: 'plan missing', as: 'operator', method: 'POST', url: '/admin/v1/accounts', body: { name: 'No plan' }, status: 400, code: 'invalid_request' },
      { name: 'unknown plan', as: 'operator', method: 'POST', url: '/admin/v1/accounts', body: { name: 'Ghost', plan_id: 'enterprise_gold' }, status: 422, code: 'invalid_request', field: 'plan_id' },
      { name: 'bad owner email', as: 'operator', method: 'POST', url: '/admin/v1/accounts', body: { name: 'Owner', plan_id: 'platform', owner_email: 'not-an-email' }, status: 400, code: 'invalid_request' },
    ]);
    const accountsAfter = await app.admin<{ data: unknown[] }>('GET', '/admin/v1/accounts?limit=500');
    expect(accountsAfter.body.data).toEqual(accountsBefore.body.data);
  });

  it('refuses a plan change to an unknown plan with 422 and keeps the plan', async () => {
    await expectRefused([
      { name: 'unknown plan', as: 'operator', method: 'PATCH', url: '/admin/v1/accounts/{account}', body: { plan_id: 'enterprise_gold' }, status: 422, code: 'invalid_request', field: 'plan_id' },
    ]);
    const summary = await app.api('GET', '/v1/account', { key: account.key });
    expect(summary.body.plan.id).toBe('platform');
  });

  it('ignores unknown fields in a body rather than failing or acting on them', async () => {
    const response = await app.api('POST', '/v1/credits/top-ups', {
      key: account.key,
      body: { bundle: 'credits_100', credits: 1_000_000, expires_at: '2099-01-01T00:00:00Z', account_id: 'acct_other' },
    });
    expect(response.status).toBeLessThan(500);
    if (response.status === 201) {
      // Accepted: the bundle's credits and the period-end expiry, not the extra fields.
      expect(response.body.grant).toMatchObject({ credits: 100, bundle_id: 'credits_100', expires_at: '2026-02-15T10:00:00.000Z' });
      expect(response.body.balance).toBe(before.balance + 100);
    } else {
      expectError(response, 400, 'invalid_request');
      expect(await creditState(app, account)).toEqual(before);
    }
  });

  it('answers 404 not_found for unknown ids and routes', async () => {
    const operator = { as: 'operator' as const, status: 404, code: 'not_found' };
    await expectRefused([
      { name: 'company', method: 'GET', url: '/v1/companies/cmp_unknown', status: 404, code: 'not_found' },
      { name: 'company news', method: 'GET', url: '/v1/companies/cmp_unknown/news', status: 404, code: 'not_found' },
      { name: 'contact', method: 'GET', url: '/v1/contacts/cnt_unknown', status: 404, code: 'not_found' },
      { name: 'route', method: 'GET', url: '/v1/nothing-here', status: 404, code: 'not_found' },
      { name: 'method', method: 'DELETE', url: '/v1/account', status: 404, code: 'not_found' },
      { ...operator, name: 'account', method: 'GET', url: '/admin/v1/accounts/acct_unknown' },
      { ...operator, name: 'account ledger', method: 'GET', url: '/admin/v1/accounts/acct_unknown/ledger' },
      { ...operator, name: 'plan change', method: 'PATCH', url: '/admin/v1/accounts/acct_unknown', body: { plan_id: 'platform' } },
      { ...operator, name: 'top-up', method: 'POST', url: '/admin/v1/accounts/acct_unknown/top-ups', body: { credits: 5 } },
      { ...operator, name: 'adjustment', method: 'POST', url: '/admin/v1/accounts/acct_unknown/adjustments', body: { credits: 5, reason: 'x' } },
      { ...operator, name: 'refund of an unknown account', method: 'POST', url: '/admin/v1/accounts/acct_unknown/refunds', body: { subscription_id: 'sub_x', reason: 'x' } },
      { ...operator, name: 'refund of an unknown subscription', method: 'POST', url: '/admin/v1/accounts/{account}/refunds', body: { subscription_id: 'sub_unknown', reason: 'x' } },
      { ...operator, name: 'api key of an unknown account', method: 'POST', url: '/admin/v1/accounts/acct_unknown/api-keys', body: {} },
      { ...operator, name: 'revoke an unknown key', method: 'DELETE', url: '/admin/v1/accounts/{account}/api-keys/key_unknown' },
      { ...operator, name: 'operator route', method: 'GET', url: '/admin/v1/nothing-here' },
    ]);
  });

  it('refuses an invalid cursor or limit with 400', async () => {
    const wrongShape = Buffer.from(JSON.stringify({ after: 'x' })).toString('base64url');
    const wrongShapeLedger = Buffer.from(JSON.stringify({ before: 'x' })).toString('base64url');
    const customer = { method: 'GET', status: 400, code: 'invalid_request' };
    await expectRefused([
      { ...customer, name: 'ledger garbage', url: '/v1/credits/ledger?cursor=garbage!', field: 'cursor' },
      { ...customer, name: 'ledger wrong shape', url: `/v1/credits/ledger?cursor=${wrongShape}`, field: 'cursor' },
      { ...customer, name: 'ledger wrong type', url: `/v1/credits/ledger?cursor=${wrongShapeLedger}`, field: 'cursor' },
      { ...customer, name: 'ledger cursor too long', url: `/v1/credits/ledger?cursor=${'a'.repeat(501)}` },
      { ...customer, name: 'subscriptions garbage', url: '/v1/subscriptions?cursor=%7B%7D', field: 'cursor' },
      { ...customer, name: 'subscriptions wrong shape', url: `/v1/subscriptions?cursor=${wrongShapeLedger}`, field: 'cursor' },
      { ...customer, name: 'operator accounts garbage', as: 'operator', url: '/admin/v1/accounts?cursor=zzz', field: 'cursor' },
      { ...customer, name: 'operator ledger garbage', as: 'operator', url: '/admin/v1/accounts/{account}/ledger?cursor=zzz', field: 'cursor' },
      { ...customer, name: 'limit 0', url: '/v1/credits/ledger?limit=0' },
      { ...customer, name: 'limit above the bound', url: '/v1/credits/ledger?limit=501' },
      { ...customer, name: 'negative limit', url: '/v1/subscriptions?limit=-1' },
      { ...customer, name: 'fractional limit', url: '/v1/subscriptions?limit=1.5' },
      { ...customer, name: 'limit not a number', url: '/v1/subscriptions?limit=ten' },
    ]);
  });

  it('refuses bad dates and enum values in query strings with 400', async () => {
    const customer = { method: 'GET', status: 400, code: 'invalid_request' };
    await expectRefused([
      { ...customer, name: 'since word', url: '/v1/credits/ledger?since=yesterday' },
      { ...customer, name: 'since without a zone', url: '/v1/credits/ledger?since=2026-01-01T00:00:00' },
      { ...customer, name: 'until impossible date', url: '/v1/credits/ledger?until=2026-02-30T00:00:00Z' },
      { ...customer, name: 'until epoch number', url: '/v1/credits/ledger?until=1767225600000' },
      { ...customer, name: 'expiring_before garbage', url: '/v1/subscriptions?expiring_before=soon' },
      { ...customer, name: 'kind unknown', url: '/v1/credits/ledger?kind=gift' },
      { ...customer, name: 'record_type unknown', url: '/v1/subscriptions?record_type=person' },
      { ...customer, name: 'active not a boolean', url: '/v1/subscriptions?active=maybe' },
      { ...customer, name: 'operator ledger since', as: 'operator', url: '/admin/v1/accounts/{account}/ledger?since=31/12/2025' },
    ]);
  });

  it('refuses a bad operator expiry: malformed with 400, in the past with 422', async () => {
    const url = '/admin/v1/accounts/{account}/top-ups';
    await expectRefused([
      { name: 'malformed', as: 'operator', method: 'POST', url, body: { credits: 5, expires_at: 'next week' }, status: 400, code: 'invalid_request' },
      { name: 'in the past', as: 'operator', method: 'POST', url, body: { credits: 5, expires_at: '2025-01-01T00:00:00Z' }, status: 422, code: 'invalid_request', field: 'expires_at' },
      { name: 'now', as: 'operator', method: 'POST', url, body: { credits: 5, expires_at: '2026-01-15T10:00:00Z' }, status: 422, code: 'invalid_request', field: 'expires_at' },
      { name: 'adjustment in the past', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/adjustments', body: { credits: 5, reason: 'x', expires_at: '2025-01-01T00:00:00Z' }, status: 422, code: 'invalid_request', field: 'expires_at' },
    ]);
  });

  it('keeps no Idempotency-Key for a refused top-up: the corrected retry with the same key is granted', async () => {
    const url = `/admin/v1/accounts/${account.id}/top-ups`;
    const headers = { 'idempotency-key': 'refused-then-fixed' };
    const refused = await app.admin<ErrorBody>('POST', url, { credits: 5, expires_at: '2025-01-01T00:00:00Z' }, headers);
    expect(refused.status).toBe(422);
    const granted = await app.admin<{ grant: { credits: number } }>('POST', url, { credits: 5 }, headers);
    expect(granted.status, JSON.stringify(granted.body)).toBe(201);
    expect(granted.body.grant.credits).toBe(5);
    expect(granted.headers['idempotent-replayed']).toBeUndefined();
    const repeated = await app.admin<{ grant: { credits: number } }>('POST', url, { credits: 5 }, headers);
    expect(repeated.headers['idempotent-replayed']).toBe('true');
    expect(repeated.body).toEqual(granted.body);
  });

  it('refuses a body over 1 MiB with 413 payload_too_large', async () => {
    const padding = 'x'.repeat(mebibyte + 16);
    await expectRefused([
      { name: 'customer', method: 'POST', url: '/v1/credits/top-ups', rawBody: JSON.stringify({ bundle: 'credits_100', padding }), headers: json, status: 413, code: 'payload_too_large' },
      { name: 'operator', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/adjustments', rawBody: JSON.stringify({ credits: 5, reason: 'x', padding }), headers: json, status: 413, code: 'payload_too_large' },
    ]);
  });

  it('refuses an unsupported content type with 400', async () => {
    const body = JSON.stringify({ bundle: 'credits_100' });
    await expectRefused([
      { name: 'xml', method: 'POST', url: '/v1/credits/top-ups', rawBody: '<bundle>credits_100</bundle>', headers: { 'content-type': 'application/xml' }, status: 400, code: 'invalid_request' },
      { name: 'form', method: 'POST', url: '/v1/credits/top-ups', rawBody: 'bundle=credits_100', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 400, code: 'invalid_request' },
      { name: 'text', method: 'POST', url: '/v1/credits/top-ups', rawBody: body, headers: { 'content-type': 'text/plain' }, status: 400, code: 'invalid_request' },
      { name: 'operator xml', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/top-ups', rawBody: '<credits>5</credits>', headers: { 'content-type': 'application/xml' }, status: 400, code: 'invalid_request' },
      { name: 'operator text', as: 'operator', method: 'POST', url: '/admin/v1/accounts/{account}/top-ups', rawBody: '{"credits":5}', headers: { 'content-type': 'text/plain' }, status: 400, code: 'invalid_request' },
      { name: 'import as JSON', as: 'operator', method: 'POST', url: '/admin/v1/catalog/companies', body: { id: 'cmp_json', name: 'JSON Inc' }, status: 400, code: 'invalid_request' },
    ]);
    expect((await app.api('GET', '/v1/companies/cmp_json', { key: account.key })).status).toBe(404);
  });

  it('refuses moving the clock backwards or further than one jump with 422, and malformed moves with 400', async () => {
    const now = (await app.admin<{ now: string }>('POST', '/admin/v1/clock', { advance_days: 0 })).body.now;
    await expectRefused([
      { name: 'backwards', as: 'operator', method: 'POST', url: '/admin/v1/clock', body: { now: '2020-01-01T00:00:00Z' }, status: 422, code: 'invalid_request' },
      { name: 'one ms back', as: 'operator', method: 'POST', url: '/admin/v1/clock', body: { now: new Date(Date.parse(now) - 1).toISOString() }, status: 422, code: 'invalid_request' },
      { name: 'not a date', as: 'operator', method: 'POST', url: '/admin/v1/clock', body: { now: 'tomorrow' }, status: 400, code: 'invalid_request' },
      { name: 'both fields', as: 'operator', method: 'POST', url: '/admin/v1/clock', body: { now: now, advance_days: 1 }, status: 400, code: 'invalid_request' },
      { name: 'neither field', as: 'operator', method: 'POST', url: '/admin/v1/clock', body: {}, status: 400, code: 'invalid_request' },
      { name: 'days as text', as: 'operator', method: 'POST', url: '/admin/v1/clock', body: { advance_days: 'one' }, status: 400, code: 'invalid_request' },
      // Further than one jump may go (advance_days' bound): catching every account's periods up
      // over thousands of years held the server for minutes.
      { name: 'year 9999', as: 'operator', method: 'POST', url: '/admin/v1/clock', body: { now: '9999-12-31T00:00:00Z' }, status: 422, code: 'invalid_request', field: 'now' },
      {
        name: 'one ms past the jump',
        as: 'operator',
        method: 'POST',
        url: '/admin/v1/clock',
        body: { now: new Date(Date.parse(now) + clockAdvanceDaysMax * 86_400_000 + 1).toISOString() },
        status: 422,
        code: 'invalid_request',
        field: 'now',
      },
    ]);
    const after = await app.admin<{ now: string }>('POST', '/admin/v1/clock', { advance_days: 0 });
    expect(after.body.now).toBe(now);
  });

  it('refuses an invalid catalog import with its line numbers and writes nothing', async () => {
    const lines = [
      JSON.stringify({ id: 'cmp_import_ok', name: 'Valid Ltd' }),
      JSON.stringify({ id: 'cmp_import_bad', name: 'Bad Country', country: 'Atlantis' }),
      '{"id": "cmp_import_broken", ',
      JSON.stringify({ name: 'No id' }),
    ].join('\n');
    const response = await app.api('POST', '/admin/v1/catalog/companies', {
      key: testAdminToken,
      rawBody: lines,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    const error = expectError(response, 400, 'invalid_request') as ErrorBody['error'] & { lines?: Array<{ line: number }>; invalid_lines?: number; omitted?: number };
    expect(error.lines?.map((line) => line.line)).toEqual([2, 3, 4]);
    expect(error).toMatchObject({ invalid_lines: 3, omitted: 0 });
    expect((await app.api('GET', '/v1/companies/cmp_import_ok', { key: account.key })).status).toBe(404);
    expect(await creditState(app, account)).toEqual(before);
  });

  it('imports a gzip body, and refuses another encoding, broken gzip or another media type with a message that says what to send', async () => {
    const url = '/admin/v1/catalog/companies';
    const ndjsonLines = [JSON.stringify({ id: 'cmp_gzip_a', name: 'Gzip A' }), JSON.stringify({ id: 'cmp_gzip_b', name: 'Gzip B' })].join('\n');
    const ndjson = { 'content-type': 'application/x-ndjson' };
    const gzipped = await app.api<{ imported: number }>('POST', url, { key: testAdminToken, rawBody: gzipSync(ndjsonLines), headers: { ...ndjson, 'content-encoding': 'gzip' } });
    expect(gzipped.status, JSON.stringify(gzipped.body)).toBe(200);
    expect(gzipped.body.imported).toBe(2);
    const found = await app.api<{ data: Array<{ id: string }> }>('GET', '/v1/companies?q=gzip', { key: account.key });
    expect(found.body.data.map((company) => company.id)).toEqual(['cmp_gzip_a', 'cmp_gzip_b']);
    await expectRefused([
      { name: 'brotli', as: 'operator', method: 'POST', url, rawBody: ndjsonLines, headers: { ...ndjson, 'content-encoding': 'br' }, status: 400, code: 'invalid_request', field: 'Content-Encoding' },
      { name: 'not gzip', as: 'operator', method: 'POST', url, rawBody: ndjsonLines, headers: { ...ndjson, 'content-encoding': 'gzip' }, status: 400, code: 'invalid_request', field: 'Content-Encoding' },
      { name: 'xml', as: 'operator', method: 'POST', url, rawBody: '<x/>', headers: { 'content-type': 'application/xml' }, status: 400, code: 'invalid_request', field: 'Content-Type' },
    ]);
    const declaredHuge = await app.api<ErrorBody>('POST', url, { key: testAdminToken, rawBody: ndjsonLines, headers: { ...ndjson, 'content-length': String(3 * 1024 ** 3) } });
    expect(declaredHuge.status).toBe(413);
    expect(declaredHuge.body.error.code).toBe('payload_too_large');
    const xml = await app.api<ErrorBody>('POST', url, { key: testAdminToken, rawBody: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.body.error.message).toBe('unsupported Content-Type: send application/x-ndjson');
  });

  it('carries X-Credits-Remaining on a refused request made with a valid API key', async () => {
    // API.md: "Every response to an API key carries X-Credits-Remaining", refusals included.
    const notFound = await app.api('GET', '/v1/companies/cmp_unknown', { key: account.key });
    expect(notFound.headers['x-credits-remaining']).toBe(String(before.balance));
    const invalid = await app.api('GET', '/v1/credits/ledger?limit=0', { key: account.key });
    expectError(invalid, 400, 'invalid_request');
    expect(invalid.headers['x-credits-remaining']).toBe(String(before.balance));
  });
});
