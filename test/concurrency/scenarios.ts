// The concurrency scenarios of DESIGN.md rules 3, 5 and 8, written once and run in process and across server processes: racing first reads charge once, N readers against C credits get min(N, C), a repeated Idempotency-Key grants once.
//
// Every scenario takes a list of endpoints and spreads its requests over them round-robin, then
// fires them all at once. With one in-process endpoint the race is between the requests of one
// process; with several server processes it is between processes on one database.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { testAdminToken, type Response } from '../harness/test_app.ts';
import type { Endpoint } from './http_endpoint.ts';

export interface LedgerEntry {
  seq: number;
  kind: 'grant' | 'charge' | 'expire' | 'refund' | 'adjust';
  credits: number;
  balance_after: number;
  grant_id: string | null;
  record: { type: string; id: string } | null;
  subscription_id: string | null;
}

export interface Subscription {
  id: string;
  record_type: string;
  record_id: string;
  source: string;
}

interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

interface RecordReadBody {
  subscription: Subscription | null;
  credits: { charged: number; balance: number };
}

interface ErrorBody {
  error: { code: string; message: string };
}

interface TopUpBody {
  grant: { id: string; credits: number };
  balance: number;
}

export interface TestAccount {
  id: string;
  key: string;
}

/** The page size used to read whole ledgers and subscription lists (the API's maximum). */
const pageLimit = 500;

/** A prefix that keeps one scenario's catalog ids apart from every other's in a shared database. */
export function uniquePrefix(label: string): string {
  return `${label}_${randomBytes(4).toString('hex')}`;
}

/** Opens an account on `plan` through the operator API. */
export async function createAccount(endpoint: Endpoint, name: string, plan = 'platform'): Promise<TestAccount> {
  const response = await endpoint.admin<{ account: { id: string }; api_key: string }>('POST', '/admin/v1/accounts', {
    name,
    plan_id: plan,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { id: response.body.account.id, key: response.body.api_key };
}

/** Imports minimal companies (`{"id","name"}` lines) through the operator's NDJSON import. */
export async function importCompanies(endpoint: Endpoint, ids: readonly string[]): Promise<void> {
  const ndjson = ids.map((id) => JSON.stringify({ id, name: `Company ${id}` })).join('\n');
  const response = await endpoint.api<{ imported: number }>('POST', '/admin/v1/catalog/companies', {
    key: testAdminToken,
    rawBody: `${ndjson}\n`,
    headers: { 'content-type': 'application/x-ndjson' },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.imported).toBe(ids.length);
}

export function companyIds(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}_${index}`);
}

/** Sends every request at once, the i-th through endpoint i mod n. */
export function fireAtOnce<T>(
  endpoints: readonly Endpoint[],
  count: number,
  send: (endpoint: Endpoint, index: number) => Promise<Response<T>>,
): Promise<Array<Response<T>>> {
  return Promise.all(Array.from({ length: count }, (_, index) => send(endpoints[index % endpoints.length]!, index)));
}

/** The account's whole ledger, oldest first, read page by page through the operator API. */
export async function readLedger(endpoint: Endpoint, accountId: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response: Response<Page<LedgerEntry>> = await endpoint.admin('GET', `/admin/v1/accounts/${accountId}/ledger?limit=${pageLimit}${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    entries.push(...response.body.data);
    cursor = response.body.next_cursor;
  } while (cursor);
  return entries.sort((left, right) => left.seq - right.seq);
}

/** Every subscription of the account (active ones, the API's default). */
export async function readSubscriptions(endpoint: Endpoint, account: TestAccount): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response: Response<Page<Subscription>> = await endpoint.api('GET', `/v1/subscriptions?limit=${pageLimit}${query}`, { key: account.key });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    subscriptions.push(...response.body.data);
    cursor = response.body.next_cursor;
  } while (cursor);
  return subscriptions;
}

export async function readBalance(endpoint: Endpoint, account: TestAccount): Promise<number> {
  const response = await endpoint.api<{ credits: { balance: number } }>('GET', '/v1/account', { key: account.key });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.credits.balance;
}

/** GET /admin/v1/reconcile answers ok with no differences. */
export async function expectReconciled(endpoint: Endpoint): Promise<void> {
  const response = await endpoint.admin<{ ok: boolean; differences: unknown[] }>('GET', '/admin/v1/reconcile');
  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ ok: true, differences: [] });
}

function expectBalancesNeverNegative(ledger: readonly LedgerEntry[]): void {
  const negative = ledger.filter((entry) => entry.balance_after < 0);
  expect(negative, 'ledger entries with a negative balance_after').toEqual([]);
}

/**
 * Rule 3: `readers` concurrent first reads of one company by one account all succeed, and
 * exactly one of them charges: 1 charge entry, 1 subscription, balance down by 1.
 */
export async function racingFirstReadsChargeOnce(endpoints: readonly Endpoint[], readers = 50): Promise<void> {
  const [first] = endpoints;
  const account = await createAccount(first!, 'racing first reads');
  const [companyId] = companyIds(uniquePrefix('race'), 1);
  await importCompanies(first!, [companyId!]);
  const before = await readBalance(first!, account);

  const responses = await fireAtOnce<RecordReadBody>(endpoints, readers, (endpoint) =>
    endpoint.api('GET', `/v1/companies/${companyId}`, { key: account.key }),
  );

  expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
  const charged = responses.map((response) => response.body.credits.charged);
  expect(charged.filter((credits) => credits === 1)).toHaveLength(1);
  expect(charged.filter((credits) => credits === 0)).toHaveLength(readers - 1);
  const subscriptionIds = new Set(responses.map((response) => response.body.subscription?.id));
  expect(subscriptionIds.size, 'every read names the same subscription').toBe(1);

  const ledger = await readLedger(first!, account.id);
  const charges = ledger.filter((entry) => entry.kind === 'charge');
  expect(charges).toHaveLength(1);
  expect(charges[0]).toMatchObject({ credits: -1, record: { type: 'company', id: companyId } });
  expect(charges[0]!.subscription_id).toBe([...subscriptionIds][0]);
  const subscriptions = await readSubscriptions(first!, account);
  expect(subscriptions.map((subscription) => subscription.record_id)).toEqual([companyId]);
  expect(await readBalance(first!, account)).toBe(before - 1);
  expectBalancesNeverNegative(ledger);
  await expectReconciled(first!);
}

/**
 * Rule 5 under contention: an account with exactly `credits` left and `readers` concurrent first
 * reads of distinct companies gets exactly `credits` successes (each charged 1) and 402 for the
 * rest; the balance ends at 0 and never goes below it.
 */
export async function readersAgainstCreditsGetMinimum(endpoints: readonly Endpoint[], credits = 20, readers = 50): Promise<void> {
  const [first] = endpoints;
  const account = await createAccount(first!, 'readers against credits');
  const initial = await readBalance(first!, account);
  const adjustment = await first!.admin('POST', `/admin/v1/accounts/${account.id}/adjustments`, {
    credits: credits - initial,
    reason: 'leave exactly the credits the test needs',
  });
  expect(adjustment.status, JSON.stringify(adjustment.body)).toBe(201);
  expect(await readBalance(first!, account)).toBe(credits);
  const ids = companyIds(uniquePrefix('scarce'), readers);
  await importCompanies(first!, ids);

  const responses = await fireAtOnce<RecordReadBody | ErrorBody>(endpoints, readers, (endpoint, index) =>
    endpoint.api('GET', `/v1/companies/${ids[index]}`, { key: account.key }),
  );

  const served = responses.flatMap((response, index) => (response.status === 200 ? [{ id: ids[index]!, body: response.body as RecordReadBody }] : []));
  const refused = responses.filter((response) => response.status === 402);
  expect(served).toHaveLength(credits);
  expect(refused).toHaveLength(readers - credits);
  expect(served.map((read) => read.body.credits.charged)).toEqual(served.map(() => 1));
  expect(new Set(refused.map((response) => (response.body as ErrorBody).error.code))).toEqual(new Set(['insufficient_credits']));

  const ledger = await readLedger(first!, account.id);
  expectBalancesNeverNegative(ledger);
  const charges = ledger.filter((entry) => entry.kind === 'charge');
  expect(charges).toHaveLength(credits);
  expect(ledger.at(-1)!.balance_after).toBe(0);
  expect(await readBalance(first!, account)).toBe(0);
  const subscriptions = await readSubscriptions(first!, account);
  expect(subscriptions).toHaveLength(credits);
  expect(new Set(subscriptions.map((subscription) => subscription.record_id))).toEqual(new Set(served.map((read) => read.id)));
  expect(new Set(charges.map((entry) => entry.record?.id))).toEqual(new Set(served.map((read) => read.id)));
  await expectReconciled(first!);
}

/**
 * Rule 8 and API.md's Idempotency-Key: the same key and body sent `repeats` times at once grants
 * once, and every repeat answers with the first response. Checked on the self-serve purchase and
 * on the operator's top-up.
 */
export async function repeatedIdempotencyKeyGrantsOnce(endpoints: readonly Endpoint[], repeats = 20): Promise<void> {
  const [first] = endpoints;
  const account = await createAccount(first!, 'repeated idempotency key');
  const initial = await readBalance(first!, account);
  const grantsBefore = (await readLedger(first!, account.id)).filter((entry) => entry.kind === 'grant').length;

  const purchaseKey = uniquePrefix('purchase');
  const purchases = await fireAtOnce<TopUpBody>(endpoints, repeats, (endpoint) =>
    endpoint.api('POST', '/v1/credits/top-ups', {
      key: account.key,
      body: { bundle: 'credits_100' },
      headers: { 'idempotency-key': purchaseKey },
    }),
  );
  expectOneGrantRepeated(purchases, 100);
  let ledger = await readLedger(first!, account.id);
  expect(ledger.filter((entry) => entry.kind === 'grant')).toHaveLength(grantsBefore + 1);
  expect(ledger.filter((entry) => entry.grant_id === purchases[0]!.body.grant.id)).toHaveLength(1);
  expect(await readBalance(first!, account)).toBe(initial + 100);

  const operatorKey = uniquePrefix('operator');
  const grants = await fireAtOnce<TopUpBody>(endpoints, repeats, (endpoint) =>
    endpoint.admin('POST', `/admin/v1/accounts/${account.id}/top-ups`, { credits: 250, note: 'concurrency test' }, { 'idempotency-key': operatorKey }),
  );
  expectOneGrantRepeated(grants, 250);
  ledger = await readLedger(first!, account.id);
  expect(ledger.filter((entry) => entry.kind === 'grant')).toHaveLength(grantsBefore + 2);
  expect(ledger.filter((entry) => entry.grant_id === grants[0]!.body.grant.id)).toHaveLength(1);
  expect(await readBalance(first!, account)).toBe(initial + 350);
  expectBalancesNeverNegative(ledger);
  await expectReconciled(first!);
}

function expectOneGrantRepeated(responses: ReadonlyArray<Response<TopUpBody>>, credits: number): void {
  expect(responses.map((response) => response.status)).toEqual(responses.map(() => 201));
  expect(responses[0]!.body.grant.credits).toBe(credits);
  for (const response of responses) expect(response.body).toEqual(responses[0]!.body);
  // Exactly one request did the work; every other one was answered from the stored key.
  const originals = responses.filter((response) => response.headers['idempotent-replayed'] !== 'true');
  expect(originals).toHaveLength(1);
}

/**
 * API.md: "a repeat with the same key and body returns the first response", also while the
 * account keeps moving. `repeats` purchases with one key race `readers` first reads that charge
 * the same account; then one more charge, and a last repeat. Every answer is the first response,
 * whose balance is the balance right after its grant (the grant entry's balance_after).
 */
export async function repeatsAmidChargesAnswerTheFirstResponse(endpoints: readonly Endpoint[], repeats = 20, readers = 20): Promise<void> {
  const [first] = endpoints;
  const account = await createAccount(first!, 'repeats amid charges');
  const ids = companyIds(uniquePrefix('amid'), readers + 1);
  await importCompanies(first!, ids);
  const key = uniquePrefix('purchase');
  const purchase = (endpoint: Endpoint) =>
    endpoint.api<TopUpBody>('POST', '/v1/credits/top-ups', {
      key: account.key,
      body: { bundle: 'credits_100' },
      headers: { 'idempotency-key': key },
    });

  const [purchases, reads] = await Promise.all([
    fireAtOnce(endpoints, repeats, (endpoint) => purchase(endpoint)),
    fireAtOnce<RecordReadBody>(endpoints, readers, (endpoint, index) => endpoint.api('GET', `/v1/companies/${ids[index]}`, { key: account.key })),
  ]);
  // A charge that surely follows the first purchase, whichever request of the burst it was.
  reads.push(await first!.api<RecordReadBody>('GET', `/v1/companies/${ids[readers]}`, { key: account.key }));
  const last = await purchase(first!);

  expect(reads.map((read) => [read.status, read.body.credits.charged])).toEqual(reads.map(() => [200, 1]));
  const answers = [...purchases, last];
  expect(answers.map((response) => response.status)).toEqual(answers.map(() => 201));
  const originals = answers.filter((response) => response.headers['idempotent-replayed'] !== 'true');
  expect(originals).toHaveLength(1);
  const original = originals[0]!.body;
  const ledger = await readLedger(first!, account.id);
  const grantEntries = ledger.filter((entry) => entry.kind === 'grant' && entry.grant_id === original.grant.id);
  expect(grantEntries).toHaveLength(1);
  expect(original.balance, "the first response's balance is the balance right after its grant").toBe(grantEntries[0]!.balance_after);
  const differing = answers.filter((response) => JSON.stringify(response.body) !== JSON.stringify(original));
  expect(
    differing.map((response) => response.body.balance),
    `repeats whose body differs from the first response (balance ${original.balance})`,
  ).toEqual([]);
  await expectReconciled(first!);
}

/**
 * API.md: "with another body, 409" — also when the other request is another kind of creation
 * racing it. One Idempotency-Key per round, sent at once to a charging batch and to a site
 * creation (which claims its key before it touches the account): exactly one of the two does its
 * work and the other answers 409, never 500. On PostgreSQL the two once took the key and the
 * account's row in opposite orders and deadlocked.
 */
export async function oneKeyRacedAcrossCreationsConflicts(endpoints: readonly Endpoint[], rounds = 20): Promise<void> {
  const [first] = endpoints;
  const account = await createAccount(first!, 'one key, two creations');
  const ids = companyIds(uniquePrefix('keyed'), rounds);
  await importCompanies(first!, ids);
  const before = await readBalance(first!, account);
  let batchesDone = 0;
  for (let round = 0; round < rounds; round += 1) {
    const key = uniquePrefix('shared');
    const [site, batch] = await fireAtOnce<unknown>(endpoints, 2, (endpoint, index) =>
      index === 0
        ? endpoint.api('POST', '/v1/sites', { key: account.key, body: { domain: `${key.replace('_', '-')}.example` }, headers: { 'idempotency-key': key } })
        : endpoint.api('POST', '/v1/companies/batch', { key: account.key, body: { ids: [ids[round]] }, headers: { 'idempotency-key': key } }),
    );
    const statuses = [site!.status, batch!.status].sort();
    expect([[200, 409], [201, 409]], `round ${round}: site ${JSON.stringify(site!.body)}, batch ${JSON.stringify(batch!.body)}`).toContainEqual(statuses);
    const refused = site!.status === 409 ? site! : batch!;
    expect((refused.body as ErrorBody).error.code).toBe('idempotency_conflict');
    if (batch!.status === 200) batchesDone += 1;
  }
  const ledger = await readLedger(first!, account.id);
  expect(ledger.filter((entry) => entry.kind === 'charge')).toHaveLength(batchesDone);
  expect(await readBalance(first!, account)).toBe(before - batchesDone);
  await expectReconciled(first!);
}
