// Proves batch reads and quotes by property: for random sets of ids (repeats, unknown ids,
// subscribed ones, free contacts) and random budgets and balances, the quote equals what the
// batch charges, the batch never exceeds max_credits or the balance, never charges one id twice,
// and the ledger agrees — on every database.
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { insertCompany, insertContact } from '../factories/catalog.ts';
import { adjust, balanceOf, expectError, fullLedger } from '../factories/accounts.ts';

interface BatchResult {
  id: string;
  status: 'ok' | 'not_found' | 'over_budget' | 'insufficient_credits';
  data?: { id: string };
  subscription?: { id: string; record_id: string } | null;
  charged: number;
}

interface BatchBody {
  results: BatchResult[];
  credits: { charged: number; balance: number };
}

interface QuoteBody {
  credits_required: number;
  already_subscribed: number;
  not_found: number;
  balance: number;
  sufficient: boolean;
  items: Array<{ record_type: string; id: string; status: string }>;
}

const runs = Number(process.env['QUARRY_BATCH_RUNS'] ?? 25);
const allowance = 1000;

describeEachDatabase('batch reads and quotes', (kind) => {
  let app: TestApp;
  let companyIds: string[];
  let contactIds: string[];
  let freeContactIds: string[];

  beforeAll(async () => {
    app = await startTestApp(kind);
    companyIds = [];
    for (let index = 0; index < 12; index += 1) companyIds.push(await insertCompany(app.store.db));
    contactIds = [];
    for (let index = 0; index < 8; index += 1) contactIds.push(await insertContact(app.store.db, companyIds[index % 3]!));
    freeContactIds = [
      await insertContact(app.store.db, companyIds[0]!, { email: null, phone: null }),
      await insertContact(app.store.db, companyIds[1]!, { email: null, phone: null }),
    ];
  });

  afterAll(async () => {
    await app.close();
  });

  it('a batch charges exactly what the quote says, within the budget and the balance, once per id', async () => {
    const idArbitrary = fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 0, max: 11 }).map((index) => ({ type: 'company' as const, id: companyIds[index]! })) },
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 7 }).map((index) => ({ type: 'contact' as const, id: contactIds[index]! })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 1 }).map((index) => ({ type: 'contact' as const, id: freeContactIds[index]! })) },
      { weight: 1, arbitrary: fc.constantFrom('cmp_missing_1', 'cmp_missing_2').map((id) => ({ type: 'company' as const, id })) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(idArbitrary, { minLength: 1, maxLength: 25 }),
        fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
        fc.integer({ min: 0, max: 10 }),
        fc.subarray([0, 1, 2, 3]),
        async (requested, maxCredits, balance, preSubscribed) => {
          const account = await app.createAccount('platform');
          // Some companies are subscribed already; then the balance is brought down to `balance`.
          for (const index of preSubscribed) expect((await app.api('GET', `/v1/companies/${companyIds[index]}`, { key: account.key })).status).toBe(200);
          await adjust(app, account.id, balance - (allowance - preSubscribed.length));
          expect(await balanceOf(app, account.id)).toBe(balance);

          const companies = requested.filter((item) => item.type === 'company').map((item) => item.id);
          const contacts = requested.filter((item) => item.type === 'contact').map((item) => item.id);
          const quote = await app.api<QuoteBody>('POST', '/v1/credits/quote', { key: account.key, body: { companies, contacts } });
          expect(quote.status).toBe(200);
          expect(quote.body.balance).toBe(balance);
          expect(quote.body.sufficient).toBe(quote.body.credits_required <= balance);
          const distinct = new Set(requested.map((item) => `${item.type}:${item.id}`));
          expect(quote.body.items).toHaveLength(distinct.size);
          // A quote writes nothing.
          expect(await balanceOf(app, account.id)).toBe(balance);

          let charged = 0;
          let budgetLeft = maxCredits;
          let required = 0;
          for (const [type, ids] of [['companies', companies], ['contacts', contacts]] as const) {
            if (ids.length === 0) continue;
            const typeQuote = await app.api<QuoteBody>('POST', '/v1/credits/quote', { key: account.key, body: { [type]: ids } });
            required += typeQuote.body.credits_required;
            const before = await balanceOf(app, account.id);
            const body = budgetLeft === undefined ? { ids } : { ids, max_credits: budgetLeft };
            const response = await app.api<BatchBody>('POST', `/v1/${type}/batch`, { key: account.key, body });
            expect(response.status, JSON.stringify(response.body)).toBe(200);
            const expected = Math.min(typeQuote.body.credits_required, budgetLeft ?? Infinity, before);
            expect(response.body.credits.charged).toBe(expected);
            expect(response.headers['x-credits-charged']).toBe(String(expected));
            expect(response.body.results.map((result) => result.id)).toEqual(ids);
            expect(response.body.results.reduce((sum, result) => sum + result.charged, 0)).toBe(expected);
            // One charge per id at most, and only on its first occurrence.
            const chargedIds = response.body.results.filter((result) => result.charged === 1).map((result) => result.id);
            expect(new Set(chargedIds).size).toBe(chargedIds.length);
            for (const result of response.body.results) {
              if (result.status === 'ok') expect(result.data?.id).toBe(result.id);
              else expect(result.data).toBeUndefined();
              if (ids.slice(0, ids.indexOf(result.id)).includes(result.id)) expect(result.charged).toBe(0);
            }
            expect(response.body.credits.balance).toBe(before - expected);
            charged += expected;
            if (budgetLeft !== undefined) budgetLeft -= expected;
          }
          expect(required).toBe(quote.body.credits_required);
          expect(await balanceOf(app, account.id)).toBe(balance - charged);
          if (maxCredits !== undefined) expect(charged).toBeLessThanOrEqual(maxCredits);
          const charges = (await fullLedger(app, account.id)).filter((entry) => entry.kind === 'charge');
          expect(charges).toHaveLength(preSubscribed.length + charged);
          // What the batch read is now subscribed: a new quote of the same ids needs only what went unpaid.
          const after = await app.api<QuoteBody>('POST', '/v1/credits/quote', { key: account.key, body: { companies, contacts } });
          expect(after.body.credits_required).toBe(quote.body.credits_required - charged);
        },
      ),
      { numRuns: runs },
    );
    const reconcile = await app.admin<{ ok: boolean }>('GET', '/admin/v1/reconcile');
    expect(reconcile.body.ok).toBe(true);
  }, 300_000);

  it('statuses: not_found, over_budget, insufficient_credits, and a free contact', async () => {
    const account = await app.createAccount('platform');
    await adjust(app, account.id, 2 - allowance);
    const budget = await app.api<BatchBody>('POST', '/v1/companies/batch', {
      key: account.key,
      body: { ids: [companyIds[0], 'cmp_nowhere', companyIds[1], companyIds[2]], max_credits: 1 },
    });
    expect(budget.body.results.map((result) => result.status)).toEqual(['ok', 'not_found', 'over_budget', 'over_budget']);
    const balance = await app.api<BatchBody>('POST', '/v1/companies/batch', {
      key: account.key,
      body: { ids: [companyIds[0], companyIds[1], companyIds[2]] },
    });
    expect(balance.body.results.map((result) => [result.status, result.charged])).toEqual([
      ['ok', 0],
      ['ok', 1],
      ['insufficient_credits', 0],
    ]);
    const free = await app.api<BatchBody>('POST', '/v1/contacts/batch', { key: account.key, body: { ids: [freeContactIds[0]] } });
    expect(free.body.results[0]).toMatchObject({ status: 'ok', charged: 0, subscription: null });
    expect(await balanceOf(app, account.id)).toBe(0);
  });

  it('a repeat with the same Idempotency-Key returns the first response and charges nothing more', async () => {
    const account = await app.createAccount('platform');
    const headers = { 'idempotency-key': 'batch-1' };
    const first = await app.api<BatchBody>('POST', '/v1/companies/batch', { key: account.key, body: { ids: companyIds.slice(0, 3) }, headers });
    const again = await app.api<BatchBody>('POST', '/v1/companies/batch', { key: account.key, body: { ids: companyIds.slice(0, 3) }, headers });
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await balanceOf(app, account.id)).toBe(allowance - 3);
    const other = await app.api('POST', '/v1/companies/batch', { key: account.key, body: { ids: companyIds.slice(0, 2) }, headers });
    expectError(other, 409, 'idempotency_conflict');
  });

  it('refuses bad bodies with invalid_request and charges nothing', async () => {
    const account = await app.createAccount('platform');
    for (const body of [{}, { ids: [] }, { ids: Array.from({ length: 101 }, (_, index) => `cmp_${index}`) }, { ids: ['a'], max_credits: -1 }, { ids: ['a'], extra: 1 }]) {
      expectError(await app.api('POST', '/v1/companies/batch', { key: account.key, body }), 400, 'invalid_request');
    }
    expectError(await app.api('POST', '/v1/credits/quote', { key: account.key, body: { companies: 'cmp_1' } }), 400, 'invalid_request');
    expect(await balanceOf(app, account.id)).toBe(allowance);
  });
});
