// Proves IP enrichment answers with the most specific range holding an address (IPv4, IPv6 and
// IPv4-mapped addresses and ranges), 404 for an address no company owns and 400 for text that is not an address, and
// that the plan gates of search and IP lookup refuse with feature_not_in_plan — on every database.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, testAdminToken, type TestApp } from '../harness/test_app.ts';
import { balanceOf, expectError } from '../factories/accounts.ts';
import { defaultPlanCatalog, type PlanCatalog } from '../../src/domain/plans/plans.ts';

const ndjson = { 'content-type': 'application/x-ndjson' };

const companies = [
  // A wide block with a narrower one inside it, owned by another company.
  { id: 'cmp_ip_wide', name: 'Wide Networks', domain: 'wide.example', country: 'DE', ip_ranges: ['198.51.0.0/16', '2001:db8::/32'] },
  { id: 'cmp_ip_narrow', name: 'Narrow Hosting', domain: 'narrow.example', country: 'FR', ip_ranges: ['198.51.100.0/24', '2001:db8:aa::/48'] },
  { id: 'cmp_ip_single', name: 'Single Host', domain: 'single.example', country: 'GB', ip_ranges: ['198.51.100.7/32'] },
  // Imported as IPv4-mapped IPv6: stored, and found, as the IPv4 range it carries.
  { id: 'cmp_ip_mapped', name: 'Mapped Range', domain: 'mapped.example', country: 'NL', ip_ranges: ['::ffff:198.51.200.0/120'] },
];

/** A plan with the API but no advanced search, and one with no API at all. */
const plans: PlanCatalog = {
  ...defaultPlanCatalog,
  plans: [...defaultPlanCatalog.plans, { id: 'web_only', name: 'Web only', features: ['web_app'], creditsPerPeriod: 10, period: 'month' }],
};

describeEachDatabase('IP enrichment and plan gates', (kind) => {
  let app: TestApp;
  let key: string;
  let accountId: string;

  beforeAll(async () => {
    app = await startTestApp(kind, { plans });
    const body = companies.map((company) => JSON.stringify(company)).join('\n');
    const imported = await app.api('POST', '/admin/v1/catalog/companies', { key: testAdminToken, rawBody: body, headers: ndjson });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    ({ key, id: accountId } = await app.createAccount('platform'));
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers with the most specific range holding the address', async () => {
    const cases: Array<[string, string, string]> = [
      ['198.51.3.4', 'cmp_ip_wide', '198.51.0.0/16'],
      ['198.51.100.9', 'cmp_ip_narrow', '198.51.100.0/24'],
      ['198.51.100.7', 'cmp_ip_single', '198.51.100.7/32'],
      ['::ffff:198.51.100.9', 'cmp_ip_narrow', '198.51.100.0/24'],
      ['2001:db8:1::1', 'cmp_ip_wide', '2001:db8::/32'],
      ['2001:db8:aa:ffff::1', 'cmp_ip_narrow', '2001:db8:aa::/48'],
      ['198.51.200.7', 'cmp_ip_mapped', '198.51.200.0/24'],
      ['::ffff:198.51.200.7', 'cmp_ip_mapped', '198.51.200.0/24'],
    ];
    for (const [address, id, range] of cases) {
      const response = await app.api('GET', `/v1/ip/${encodeURIComponent(address)}`, { key });
      expect(response.status, address).toBe(200);
      expect(response.body).toMatchObject({ data: { id, subscribed: false }, range });
    }
    expect(await balanceOf(app, accountId)).toBe(1000);
  });

  it('404 for an address no company owns, 400 for text that is not an address', async () => {
    expectError(await app.api('GET', '/v1/ip/203.0.113.1', { key }), 404, 'not_found');
    expectError(await app.api('GET', '/v1/ip/2001:db9::1', { key }), 404, 'not_found');
    for (const text of ['198.51.100', '198.51.100.256', '010.1.1.1', 'fe80::1%25eth0', 'example.com']) {
      expectError(await app.api('GET', `/v1/ip/${text}`, { key }), 400, 'invalid_request');
    }
  });

  it('shows subscribed once the account has read the company', async () => {
    expect((await app.api('GET', '/v1/companies/cmp_ip_narrow', { key })).status).toBe(200);
    const response = await app.api('GET', '/v1/ip/198.51.100.9', { key });
    expect(response.body.data).toMatchObject({ id: 'cmp_ip_narrow', subscribed: true });
  });

  it('refuses advanced search without api_advanced, and every data search without api_basic', async () => {
    const basicOnly = await app.createAccount('web_visitors');
    expectError(await app.api('POST', '/v1/companies/search', { key: basicOnly.key, body: { query: 'wide' } }), 403, 'feature_not_in_plan');
    expect((await app.api('GET', '/v1/companies?q=wide', { key: basicOnly.key })).status).toBe(200);
    const webOnly = await app.createAccount('web_only');
    for (const url of ['/v1/companies?q=wide', '/v1/contacts?title=engineer', '/v1/ip/198.51.100.9']) {
      expectError(await app.api('GET', url, { key: webOnly.key }), 403, 'feature_not_in_plan');
    }
    expectError(await app.api('POST', '/v1/companies/batch', { key: webOnly.key, body: { ids: ['cmp_ip_wide'] } }), 403, 'feature_not_in_plan');
    expect(await balanceOf(app, webOnly.id)).toBe(10);
  });
});
