// Proves DESIGN.md's credit rules 1–9 and 12 (with refunds, plan changes and subscription renewal) through the HTTP API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, testStart, type TestApp } from '../harness/test_app.ts';
import { insertCompany, insertContact } from '../factories/catalog.ts';
import {
  addApiKey,
  adjust,
  allSubscriptions,
  balanceOf,
  creditState,
  expectError,
  fullLedger,
  setClock,
  type Grant,
  type LedgerEntry,
  type Subscription,
} from '../factories/accounts.ts';
import { defaultPlanCatalog, type PlanCatalog } from '../../src/domain/plans/plans.ts';

/** The test app starts on 2026-01-15T10:00Z, so period 0 of a new monthly account ends here. */
const firstPeriodEnd = '2026-02-15T10:00:00.000Z';
const startIso = new Date(testStart).toISOString();

interface RecordReply {
  data: unknown;
  subscription: Subscription | null;
  credits: { charged: number; balance: number };
}

interface Account {
  id: string;
  key: string;
}

function kinds(ledger: LedgerEntry[]): string[] {
  return ledger.map((entry) => entry.kind);
}

function allowanceGrantId(ledger: LedgerEntry[]): string {
  const grant = ledger.find((entry) => entry.kind === 'grant');
  expect(grant?.grant_id).toBeTruthy();
  return grant!.grant_id!;
}

function expectLedgerAddsUp(ledger: LedgerEntry[], balance: number): void {
  let running = 0;
  ledger.forEach((entry, index) => {
    expect(entry.seq, `entry ${index} sequence`).toBe(index + 1);
    running += entry.credits;
    expect(entry.balance_after, `entry ${entry.seq} (${entry.kind}) balance_after`).toBe(running);
  });
  expect(balance).toBe(running);
}

describeEachDatabase('credit rules', (kind) => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp(kind);
  });
  afterEach(async () => app.close());

  const read = (account: Account, path: string) => app.api<RecordReply>('GET', path, { key: account.key });

  async function expectReconciled(): Promise<void> {
    const reconcile = await app.admin('GET', '/admin/v1/reconcile');
    expect(reconcile.status).toBe(200);
    expect(reconcile.body).toMatchObject({ ok: true, differences: [] });
  }

  describe('rule 1: one pool', () => {
    it('draws two API keys of one account from one balance, and GET /v1/account agrees with X-Credits-Remaining', async () => {
      const account = await app.createAccount('platform');
      const second = await addApiKey(app, account.id);
      const [companyA, companyB] = [await insertCompany(app.store.db), await insertCompany(app.store.db)];

      const first = await read(account, `/v1/companies/${companyA}`);
      expect(first.body.credits).toEqual({ charged: 1, balance: 999 });
      const other = await app.api<RecordReply>('GET', `/v1/companies/${companyB}`, { key: second.key });
      expect(other.body.credits).toEqual({ charged: 1, balance: 998 });
      expect(other.headers['x-credits-remaining']).toBe('998');
      // The subscription belongs to the account, not the key: the second key re-reads A free.
      const reread = await app.api<RecordReply>('GET', `/v1/companies/${companyA}`, { key: second.key });
      expect(reread.body.credits).toEqual({ charged: 0, balance: 998 });

      for (const key of [account.key, second.key]) {
        const summary = await app.api<{ credits: { balance: number; used: number } }>('GET', '/v1/account', { key });
        expect(summary.body.credits.balance).toBe(998);
        expect(summary.body.credits.used).toBe(2);
        expect(summary.headers['x-credits-remaining']).toBe('998');
      }
      const ledger = await fullLedger(app, account.id);
      const charges = ledger.filter((entry) => entry.kind === 'charge');
      expect(charges.map((entry) => entry.actor.type)).toEqual(['api_key', 'api_key']);
      expect(new Set(charges.map((entry) => entry.actor.id)).size).toBe(2);
      expect(charges.find((entry) => entry.record?.id === companyB)?.actor.id).toBe(second.id);
    });
  });

  describe('rule 2: charging', () => {
    it('charges a first read 1 credit and starts a subscription of exactly 12 calendar months', async () => {
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      const response = await read(account, `/v1/companies/${companyId}`);
      expect(response.status).toBe(200);
      expect(response.headers['x-credits-charged']).toBe('1');
      expect(response.body.credits).toEqual({ charged: 1, balance: 999 });
      expect(response.body.subscription).toMatchObject({
        record_type: 'company',
        record_id: companyId,
        source: 'credit',
        started_at: startIso,
        expires_at: '2027-01-15T10:00:00.000Z',
        ended_at: null,
      });
      const charge = (await fullLedger(app, account.id)).at(-1)!;
      expect(charge).toMatchObject({
        kind: 'charge',
        credits: -1,
        balance_after: 999,
        at: startIso,
        record: { type: 'company', id: companyId },
        subscription_id: response.body.subscription!.id,
        channel: 'api',
      });
    });

    it('counts 12 calendar months from a leap day to the last day of February', async () => {
      await setClock(app, '2028-02-29T12:00:00.000Z');
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      const response = await read(account, `/v1/companies/${companyId}`);
      expect(response.body.subscription).toMatchObject({
        started_at: '2028-02-29T12:00:00.000Z',
        expires_at: '2029-02-28T12:00:00.000Z',
      });
    });

    it('charges nothing for the account, the ledger, the bundles and the subscriptions', async () => {
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      await read(account, `/v1/companies/${companyId}`);
      const before = await creditState(app, account);
      for (const path of [
        '/v1/account',
        '/v1/credits/ledger',
        '/v1/credits/ledger?kind=charge',
        '/v1/credits/bundles',
        '/v1/subscriptions',
        '/v1/subscriptions?active=false',
        '/v1/subscriptions?record_type=company',
      ]) {
        const response = await app.api('GET', path, { key: account.key });
        expect(response.status, path).toBe(200);
        expect(response.headers['x-credits-remaining'], path).toBe('999');
        expect(response.headers['x-credits-charged'], path).toBeUndefined();
      }
      expect(await creditState(app, account)).toEqual(before);
    });
  });

  describe('rule 3: no double charging', () => {
    it('re-reads the profile, signals, financials and news free', async () => {
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      const first = await read(account, `/v1/companies/${companyId}`);
      expect(first.body.credits.charged).toBe(1);
      for (const path of ['', '', '/signals', '/financials', '/news', '/signals', '/news']) {
        const response = await read(account, `/v1/companies/${companyId}${path}`);
        expect(response.status, path).toBe(200);
        expect(response.headers['x-credits-charged'], path).toBe('0');
        expect(response.body.credits, path).toEqual({ charged: 0, balance: 999 });
        expect(response.body.subscription?.id, path).toBe(first.body.subscription!.id);
      }
      expect(kinds(await fullLedger(app, account.id))).toEqual(['grant', 'charge']);
    });

    it('charges 20 concurrent first reads of one record exactly once, with one subscription', async () => {
      const account = await app.createAccount('platform');
      const second = await addApiKey(app, account.id);
      const companyId = await insertCompany(app.store.db);
      const paths = ['', '/signals', '/financials', '/news'];
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          app.api<RecordReply>('GET', `/v1/companies/${companyId}${paths[index % paths.length]}`, {
            key: index % 2 === 0 ? account.key : second.key,
          }),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
      expect(responses.reduce((sum, response) => sum + response.body.credits.charged, 0)).toBe(1);
      expect(new Set(responses.map((response) => response.body.subscription?.id)).size).toBe(1);
      const ledger = await fullLedger(app, account.id);
      expect(ledger.filter((entry) => entry.kind === 'charge')).toHaveLength(1);
      expect(await allSubscriptions(app, account.key)).toHaveLength(1);
      expect(await balanceOf(app, account.id)).toBe(999);
      await expectReconciled();
    });

    it('gives N concurrent first reads of different records against C credits exactly min(N, C) successes', async () => {
      const plans: PlanCatalog = {
        ...defaultPlanCatalog,
        plans: [...defaultPlanCatalog.plans, { id: 'tiny', name: 'Tiny', features: ['api_basic'], creditsPerPeriod: 3, period: 'month' }],
      };
      await app.close();
      app = await startTestApp(kind, { plans });
      const account = await app.createAccount('tiny');
      const companies: string[] = [];
      for (let index = 0; index < 8; index += 1) companies.push(await insertCompany(app.store.db));
      const responses = await Promise.all(companies.map((id) => read(account, `/v1/companies/${id}`)));
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([200, 200, 200, 402, 402, 402, 402, 402]);
      for (const refused of responses.filter((response) => response.status === 402)) {
        expectError(refused, 402, 'insufficient_credits');
      }
      expect(await balanceOf(app, account.id)).toBe(0);
      expect(await allSubscriptions(app, account.key)).toHaveLength(3);
      await expectReconciled();
    });
  });

  describe('rule 4: signals, financials, news and contacts', () => {
    for (const part of ['signals', 'financials', 'news']) {
      it(`starts the company's subscription from ${part}, which then covers the profile and the other lists`, async () => {
        const account = await app.createAccount('platform');
        const companyId = await insertCompany(app.store.db);
        const first = await read(account, `/v1/companies/${companyId}/${part}`);
        expect(first.status).toBe(200);
        expect(Array.isArray(first.body.data)).toBe(true);
        expect((first.body.data as unknown[]).length).toBeGreaterThan(0);
        expect(first.body.credits).toEqual({ charged: 1, balance: 999 });
        expect(first.body.subscription).toMatchObject({ record_type: 'company', record_id: companyId });
        for (const path of ['', '/signals', '/financials', '/news']) {
          const response = await read(account, `/v1/companies/${companyId}${path}`);
          expect(response.body.credits, path).toEqual({ charged: 0, balance: 999 });
          expect(response.body.subscription?.id, path).toBe(first.body.subscription!.id);
        }
      });
    }

    it("does not cover the company's contacts: each contact costs 1", async () => {
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      const contacts = [await insertContact(app.store.db, companyId), await insertContact(app.store.db, companyId)];
      await read(account, `/v1/companies/${companyId}`);
      for (const [index, contactId] of contacts.entries()) {
        const response = await read(account, `/v1/contacts/${contactId}`);
        expect(response.status).toBe(200);
        expect(response.body.credits).toEqual({ charged: 1, balance: 998 - index });
        expect(response.body.subscription).toMatchObject({ record_type: 'contact', record_id: contactId });
      }
      const again = await read(account, `/v1/contacts/${contacts[0]}`);
      expect(again.body.credits).toEqual({ charged: 0, balance: 997 });
      const subscriptions = await allSubscriptions(app, account.key);
      expect(subscriptions.map((subscription) => subscription.record_type).sort()).toEqual(['company', 'contact', 'contact']);
    });
  });

  describe('rule 5: insufficient credits', () => {
    it('refuses a first read with 0 credits left: 402, ledger, subscriptions and balance unchanged', async () => {
      const account = await app.createAccount('platform');
      const [subscribed, unsubscribed] = [await insertCompany(app.store.db), await insertCompany(app.store.db)];
      const contactId = await insertContact(app.store.db, unsubscribed);
      const emptyContact = await insertContact(app.store.db, unsubscribed, { email: null, phone: null });
      await read(account, `/v1/companies/${subscribed}`);
      expect(await adjust(app, account.id, -999, 'drain')).toBe(0);
      const before = await creditState(app, account);

      for (const path of [`/v1/companies/${unsubscribed}`, `/v1/companies/${unsubscribed}/signals`, `/v1/contacts/${contactId}`]) {
        const refused = await read(account, path);
        expectError(refused, 402, 'insufficient_credits');
        expect(refused.headers['x-credits-charged'], path).toBe('0');
        expect(refused.headers['x-credits-remaining'], path).toBe('0');
      }
      expect(await creditState(app, account)).toEqual(before);

      // What costs nothing still works at 0: a subscribed record and a contact with nothing to deliver.
      const covered = await read(account, `/v1/companies/${subscribed}/news`);
      expect(covered.status).toBe(200);
      expect(covered.body.credits).toEqual({ charged: 0, balance: 0 });
      const empty = await read(account, `/v1/contacts/${emptyContact}`);
      expect(empty.status).toBe(200);
      expect(empty.body.credits).toEqual({ charged: 0, balance: 0 });
      expect(await creditState(app, account)).toEqual(before);
    });
  });

  describe('rule 6: no charge without delivery', () => {
    it('answers 404 for an unknown company or contact and charges nothing', async () => {
      const account = await app.createAccount('platform');
      const before = await creditState(app, account);
      for (const path of [
        '/v1/companies/cmp_missing',
        '/v1/companies/cmp_missing/signals',
        '/v1/companies/cmp_missing/financials',
        '/v1/companies/cmp_missing/news',
        '/v1/contacts/cnt_missing',
      ]) {
        const response = await read(account, path);
        expectError(response, 404, 'not_found');
        expect(response.headers['x-credits-charged'], path).toBe('0');
        expect(response.headers['x-credits-remaining'], path).toBe('1000');
      }
      expect(await creditState(app, account)).toEqual(before);
    });

    it('delivers a contact with neither email nor phone free, with no subscription', async () => {
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      const contactId = await insertContact(app.store.db, companyId, { email: null, phone: null });
      const before = await creditState(app, account);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const response = await read(account, `/v1/contacts/${contactId}`);
        expect(response.status).toBe(200);
        expect(response.headers['x-credits-charged']).toBe('0');
        expect(response.body.credits).toEqual({ charged: 0, balance: 1000 });
        expect(response.body.subscription).toBeNull();
        expect(response.body.data).toMatchObject({ id: contactId, email: null, phone: null });
      }
      expect(await creditState(app, account)).toEqual(before);
    });

    it('charges a contact with only an email, or only a phone', async () => {
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      const emailOnly = await insertContact(app.store.db, companyId, { phone: null });
      const phoneOnly = await insertContact(app.store.db, companyId, { email: null });
      expect((await read(account, `/v1/contacts/${emailOnly}`)).body.credits.charged).toBe(1);
      expect((await read(account, `/v1/contacts/${phoneOnly}`)).body.credits.charged).toBe(1);
    });
  });

  describe('rule 7: periods', () => {
    it('keeps the allowance until the instant before the period end', async () => {
      const account = await app.createAccount('platform');
      await setClock(app, '2026-02-15T09:59:59.999Z');
      const summary = await app.api('GET', '/v1/account', { key: account.key });
      expect(summary.body.credits.balance).toBe(1000);
      expect(summary.body.period).toEqual({ start: startIso, end: firstPeriodEnd });
      expect(kinds(await fullLedger(app, account.id))).toEqual(['grant']);
    });

    it('expires the old allowance and grants a fresh one exactly at the period end, dated at the boundary', async () => {
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      await read(account, `/v1/companies/${companyId}`);
      const firstGrant = allowanceGrantId(await fullLedger(app, account.id));
      await setClock(app, firstPeriodEnd);

      const summary = await app.api('GET', '/v1/account', { key: account.key });
      expect(summary.body.credits.balance).toBe(1000);
      expect(summary.headers['x-credits-remaining']).toBe('1000');
      expect(summary.body.period).toEqual({ start: firstPeriodEnd, end: '2026-03-15T10:00:00.000Z' });
      expect(summary.body.credits.expiring).toEqual([{ credits: 1000, expires_at: '2026-03-15T10:00:00.000Z' }]);

      const ledger = await fullLedger(app, account.id);
      expect(kinds(ledger)).toEqual(['grant', 'charge', 'expire', 'grant']);
      const [, , expiry, grant] = ledger;
      expect(expiry).toMatchObject({ at: firstPeriodEnd, credits: -999, balance_after: 0, grant_id: firstGrant, channel: 'system' });
      expect(expiry!.actor.type).toBe('system');
      expect(grant).toMatchObject({ at: firstPeriodEnd, credits: 1000, balance_after: 1000, channel: 'system' });
      expect(grant!.grant_id).not.toBe(firstGrant);
      // The subscription bought in period 0 lives on for its 12 months.
      expect((await read(account, `/v1/companies/${companyId}`)).body.credits).toEqual({ charged: 0, balance: 1000 });
      await expectReconciled();
    });

    it('writes exactly 3 allowances and 3 expiries when the clock jumps over 3 periods, never twice', async () => {
      const account = await app.createAccount('platform');
      await setClock(app, '2026-04-20T00:00:00.000Z');
      const summaries = await Promise.all(Array.from({ length: 10 }, () => app.api('GET', '/v1/account', { key: account.key })));
      for (const summary of summaries) expect(summary.body.credits.balance).toBe(1000);
      const ledger = await fullLedger(app, account.id);
      for (let attempt = 0; attempt < 4; attempt += 1) {
        await app.api('GET', '/v1/account', { key: account.key });
        await app.api('GET', '/v1/credits/ledger', { key: account.key });
        await app.admin('GET', `/admin/v1/accounts/${account.id}`);
      }
      expect(await fullLedger(app, account.id)).toEqual(ledger);

      const boundaries = ['2026-02-15T10:00:00.000Z', '2026-03-15T10:00:00.000Z', '2026-04-15T10:00:00.000Z'];
      expect(ledger.map((entry) => [entry.kind, entry.at, entry.credits])).toEqual([
        ['grant', startIso, 1000],
        ['expire', boundaries[0], -1000],
        ['grant', boundaries[0], 1000],
        ['expire', boundaries[1], -1000],
        ['grant', boundaries[1], 1000],
        ['expire', boundaries[2], -1000],
        ['grant', boundaries[2], 1000],
      ]);
      // Each expiry takes the allowance of the period that just ended.
      for (const index of [1, 3, 5]) expect(ledger[index]!.grant_id).toBe(ledger[index - 1]!.grant_id);
      expect(new Set(ledger.filter((entry) => entry.kind === 'grant').map((entry) => entry.grant_id)).size).toBe(4);
      const summary = await app.api('GET', '/v1/account', { key: account.key });
      expect(summary.body.period).toEqual({ start: boundaries[2], end: '2026-05-15T10:00:00.000Z' });
      await expectReconciled();
    });

    it('expires a self-serve top-up with the allowance at the period end, allowance first', async () => {
      const account = await app.createAccount('platform');
      const bought = await app.api<{ grant: Grant }>('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_100' } });
      expect(bought.status).toBe(201);
      await setClock(app, firstPeriodEnd);
      const summary = await app.api('GET', '/v1/account', { key: account.key });
      expect(summary.body.credits.balance).toBe(1000);
      const ledger = await fullLedger(app, account.id);
      expect(ledger.slice(2).map((entry) => [entry.kind, entry.at, entry.credits, entry.balance_after])).toEqual([
        ['expire', firstPeriodEnd, -1000, 100],
        ['expire', firstPeriodEnd, -100, 0],
        ['grant', firstPeriodEnd, 1000, 1000],
      ]);
      expect(ledger[3]!.grant_id).toBe(bought.body.grant.id);
    });
  });

  describe('rule 7: period lengths', () => {
    it('counts monthly periods from an anchor on the 31st: the 28th in February, the 31st again in March', async () => {
      await app.close();
      app = await startTestApp(kind, { start: Date.parse('2026-01-31T10:00:00.000Z') });
      const account = await app.createAccount('platform');
      await setClock(app, '2026-03-31T10:00:00.000Z');
      expect(await balanceOf(app, account.id)).toBe(1000);
      const ledger = await fullLedger(app, account.id);
      expect(ledger.map((entry) => [entry.kind, entry.at])).toEqual([
        ['grant', '2026-01-31T10:00:00.000Z'],
        ['expire', '2026-02-28T10:00:00.000Z'],
        ['grant', '2026-02-28T10:00:00.000Z'],
        ['expire', '2026-03-31T10:00:00.000Z'],
        ['grant', '2026-03-31T10:00:00.000Z'],
      ]);
    });

    it('grants a yearly allowance once a year and expires it at the year end', async () => {
      const plans: PlanCatalog = {
        ...defaultPlanCatalog,
        plans: [...defaultPlanCatalog.plans, { id: 'annual', name: 'Annual', features: ['api_basic'], creditsPerPeriod: 12_000, period: 'year' }],
      };
      await app.close();
      app = await startTestApp(kind, { plans });
      const account = await app.createAccount('annual');
      const summary = await app.api('GET', '/v1/account', { key: account.key });
      expect(summary.body.period).toEqual({ start: startIso, end: '2027-01-15T10:00:00.000Z' });
      await setClock(app, '2027-01-15T09:59:59.999Z');
      expect(kinds(await fullLedger(app, account.id))).toEqual(['grant']);
      await setClock(app, '2027-01-15T10:00:00.000Z');
      expect(await balanceOf(app, account.id)).toBe(12_000);
      const ledger = await fullLedger(app, account.id);
      expect(ledger.map((entry) => [entry.kind, entry.at, entry.credits])).toEqual([
        ['grant', startIso, 12_000],
        ['expire', '2027-01-15T10:00:00.000Z', -12_000],
        ['grant', '2027-01-15T10:00:00.000Z', 12_000],
      ]);
    });
  });

  describe('subscription end', () => {
    it('keeps a subscription active until the instant before expires_at, then charges the record again', async () => {
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      const first = await read(account, `/v1/companies/${companyId}`);
      const subscription = first.body.subscription!;
      expect(subscription.expires_at).toBe('2027-01-15T10:00:00.000Z');

      await setClock(app, '2027-01-15T09:59:59.999Z');
      const late = await read(account, `/v1/companies/${companyId}/signals`);
      expect(late.body.credits.charged).toBe(0);
      expect(late.body.subscription?.id).toBe(subscription.id);

      await setClock(app, subscription.expires_at);
      const active = await app.api<{ data: Subscription[] }>('GET', '/v1/subscriptions', { key: account.key });
      expect(active.body.data).toEqual([]);
      const inactive = await app.api<{ data: Subscription[] }>('GET', '/v1/subscriptions?active=false', { key: account.key });
      expect(inactive.body.data.map((item) => item.id)).toEqual([subscription.id]);

      const renewed = await read(account, `/v1/companies/${companyId}`);
      expect(renewed.body.credits).toEqual({ charged: 1, balance: 999 });
      expect(renewed.body.subscription).toMatchObject({
        record_id: companyId,
        started_at: '2027-01-15T10:00:00.000Z',
        expires_at: '2028-01-15T10:00:00.000Z',
      });
      expect(renewed.body.subscription!.id).not.toBe(subscription.id);
      const charges = (await fullLedger(app, account.id)).filter((entry) => entry.kind === 'charge');
      expect(charges.map((entry) => entry.subscription_id)).toEqual([subscription.id, renewed.body.subscription!.id]);
      await expectReconciled();
    });
  });

  describe('rule 8: top-ups', () => {
    it('grants a self-serve bundle that expires at the end of the current billing period', async () => {
      const account = await app.createAccount('platform');
      app.advanceDays(3);
      const response = await app.api<{ grant: Grant; balance: number }>('POST', '/v1/credits/top-ups', {
        key: account.key,
        body: { bundle: 'credits_500' },
      });
      expect(response.status).toBe(201);
      expect(response.body.grant).toMatchObject({
        source: 'top_up',
        credits: 500,
        remaining: 500,
        expires_at: firstPeriodEnd,
        bundle_id: 'credits_500',
      });
      expect(response.body.balance).toBe(1500);
      expect(response.headers['x-credits-remaining']).toBe('1500');
      const entry = (await fullLedger(app, account.id)).at(-1)!;
      expect(entry).toMatchObject({ kind: 'grant', credits: 500, grant_id: response.body.grant.id, channel: 'api' });
      expect(entry.actor.type).toBe('api_key');
    });

    it("grants an operator top-up with the expiry the account manager sets, past the period's end", async () => {
      const account = await app.createAccount('platform');
      const response = await app.admin<{ grant: Grant; balance: number }>('POST', `/admin/v1/accounts/${account.id}/top-ups`, {
        credits: 250,
        expires_at: '2026-06-01T00:00:00Z',
        note: 'goodwill',
      });
      expect(response.status).toBe(201);
      expect(response.body.grant).toMatchObject({ source: 'top_up', credits: 250, remaining: 250, expires_at: '2026-06-01T00:00:00.000Z' });
      expect(response.body.balance).toBe(1250);
      // It survives the period end, where the allowance expires.
      await setClock(app, '2026-03-01T00:00:00.000Z');
      expect(await balanceOf(app, account.id)).toBe(1250);
      await setClock(app, '2026-06-01T00:00:00.000Z');
      expect(await balanceOf(app, account.id)).toBe(1000);
      const expiries = (await fullLedger(app, account.id)).filter((entry) => entry.grant_id === response.body.grant.id && entry.kind === 'expire');
      expect(expiries).toEqual([expect.objectContaining({ at: '2026-06-01T00:00:00.000Z', credits: -250 })]);
    });

    it('grants once for a repeated Idempotency-Key and returns the same response body', async () => {
      const account = await app.createAccount('platform');
      const headers = { 'idempotency-key': 'buy-1' };
      const first = await app.api('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_100' }, headers });
      const again = await app.api('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_100' }, headers });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      const operatorHeaders = { 'idempotency-key': 'grant-1' };
      const body = { credits: 7, note: 'sorry' };
      const operatorFirst = await app.admin('POST', `/admin/v1/accounts/${account.id}/top-ups`, body, operatorHeaders);
      const operatorAgain = await app.admin('POST', `/admin/v1/accounts/${account.id}/top-ups`, body, operatorHeaders);
      expect(operatorAgain.status).toBe(201);
      expect(operatorAgain.body).toEqual(operatorFirst.body);
      const grants = (await fullLedger(app, account.id)).filter((entry) => entry.kind === 'grant');
      expect(grants.map((entry) => entry.credits)).toEqual([1000, 100, 7]);
      expect(await balanceOf(app, account.id)).toBe(1107);
    });

    it('grants once for 10 concurrent purchases with one Idempotency-Key', async () => {
      const account = await app.createAccount('platform');
      const headers = { 'idempotency-key': 'buy-concurrently' };
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => app.api('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_100' }, headers })),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(201));
      expect(new Set(responses.map((response) => response.body.grant.id)).size).toBe(1);
      expect(await balanceOf(app, account.id)).toBe(1100);
      expect((await fullLedger(app, account.id)).filter((entry) => entry.kind === 'grant')).toHaveLength(2);
    });

    it('returns the first response for a repeated Idempotency-Key even after other credit movements', async () => {
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      const headers = { 'idempotency-key': 'buy-after-charge' };
      const first = await app.api('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_100' }, headers });
      expect(first.status).toBe(201);
      await read(account, `/v1/companies/${companyId}`);
      const again = await app.api('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_100' }, headers });
      expect(again.status).toBe(201);
      // API.md: "a repeat with the same key and body returns the first response".
      expect(again.body).toEqual(first.body);
      expect(await balanceOf(app, account.id)).toBe(1099);
    });

    it('refuses the same Idempotency-Key with another body: 409 idempotency_conflict, nothing written', async () => {
      const account = await app.createAccount('platform');
      const headers = { 'idempotency-key': 'buy-2' };
      expect((await app.api('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_100' }, headers })).status).toBe(201);
      const before = await creditState(app, account);
      const conflict = await app.api('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_500' }, headers });
      expectError(conflict, 409, 'idempotency_conflict');
      const operatorHeaders = { 'idempotency-key': 'grant-2' };
      const url = `/admin/v1/accounts/${account.id}/top-ups`;
      expect((await app.admin('POST', url, { credits: 5 }, operatorHeaders)).status).toBe(201);
      const operatorConflict = await app.admin('POST', url, { credits: 6 }, operatorHeaders);
      expectError(operatorConflict, 409, 'idempotency_conflict');
      const after = await creditState(app, account);
      expect(after.ledger.slice(0, before.ledger.length)).toEqual(before.ledger);
      expect(after.ledger.slice(before.ledger.length).map((entry) => entry.credits)).toEqual([5]);
    });

    it('keeps the ledger true when an idempotency conflict arrives after a period boundary', async () => {
      const account = await app.createAccount('platform');
      const url = `/admin/v1/accounts/${account.id}/top-ups`;
      const headers = { 'idempotency-key': 'grant-across-boundary' };
      expect((await app.admin('POST', url, { credits: 5 }, headers)).status).toBe(201);
      await setClock(app, firstPeriodEnd);
      // The first credit request after the boundary writes the period's rollover before it
      // finds the conflict; those entries and the account's balance must be kept together.
      expectError(await app.admin('POST', url, { credits: 6 }, headers), 409, 'idempotency_conflict');
      const summary = await app.api('GET', '/v1/account', { key: account.key });
      expect(summary.status).toBe(200);
      expect(summary.body.credits.balance).toBe(1000);
      const ledger = await fullLedger(app, account.id);
      expect(kinds(ledger)).toEqual(['grant', 'grant', 'expire', 'expire', 'grant']);
      expectLedgerAddsUp(ledger, summary.body.credits.balance);
      await expectReconciled();
    });

    it('refuses an unknown bundle with invalid_request and grants nothing', async () => {
      const account = await app.createAccount('platform');
      const before = await creditState(app, account);
      const response = await app.api('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_999999' } });
      expect([400, 422]).toContain(response.status);
      const error = expectError(response, response.status, 'invalid_request');
      expect(error.field).toBe('bundle');
      expect(await creditState(app, account)).toEqual(before);
    });
  });

  describe('rule 9: burn-down order', () => {
    async function operatorTopUp(accountId: string, credits: number, expiresAt?: string): Promise<Grant> {
      const body = expiresAt === undefined ? { credits } : { credits, expires_at: expiresAt };
      const response = await app.admin<{ grant: Grant }>('POST', `/admin/v1/accounts/${accountId}/top-ups`, body);
      expect(response.status).toBe(201);
      return response.body.grant;
    }

    async function chargeGrant(account: Account): Promise<string | null> {
      const companyId = await insertCompany(app.store.db);
      const response = await read(account, `/v1/companies/${companyId}`);
      expect(response.body.credits.charged).toBe(1);
      const charge = (await fullLedger(app, account.id)).at(-1)!;
      expect(charge).toMatchObject({ kind: 'charge', record: { type: 'company', id: companyId } });
      return charge.grant_id;
    }

    it('takes a charge from the top-up that expires before the allowance', async () => {
      const account = await app.createAccount('platform');
      const allowance = allowanceGrantId(await fullLedger(app, account.id));
      const later = await operatorTopUp(account.id, 5, '2026-06-01T00:00:00Z');
      const sooner = await operatorTopUp(account.id, 2, '2026-02-01T00:00:00Z');
      expect(await chargeGrant(account)).toBe(sooner.id);
      expect(await chargeGrant(account)).toBe(sooner.id);
      expect(await chargeGrant(account)).toBe(allowance);
      expect(await chargeGrant(account)).toBe(allowance);
      expect(later.id).not.toBe(allowance);
    });

    it('takes the allowance before a top-up that expires at the same instant, then the top-up', async () => {
      const account = await app.createAccount('platform');
      const allowance = allowanceGrantId(await fullLedger(app, account.id));
      const bought = await app.api<{ grant: Grant }>('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_100' } });
      expect(bought.body.grant.expires_at).toBe(firstPeriodEnd);
      expect(await chargeGrant(account)).toBe(allowance);
      // A negative adjustment follows the same order: it empties the allowance, not the top-up.
      await adjust(app, account.id, -999, 'empty the allowance');
      const drained = (await fullLedger(app, account.id)).at(-1)!;
      expect(drained).toMatchObject({ kind: 'adjust', credits: -999, grant_id: allowance });
      expect(await chargeGrant(account)).toBe(bought.body.grant.id);
    });

    it('takes the oldest of two top-ups that expire at the same instant', async () => {
      const account = await app.createAccount('platform');
      const older = await operatorTopUp(account.id, 1, '2026-02-01T00:00:00Z');
      const newer = await operatorTopUp(account.id, 1, '2026-02-01T00:00:00Z');
      expect(await chargeGrant(account)).toBe(older.id);
      expect(await chargeGrant(account)).toBe(newer.id);
      expect(await chargeGrant(account)).toBe(allowanceGrantId(await fullLedger(app, account.id)));
    });
  });

  describe('refunds', () => {
    it('ends the subscription, returns 1 credit, and refuses a second refund with 422', async () => {
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      const first = await read(account, `/v1/companies/${companyId}`);
      const subscriptionId = first.body.subscription!.id;
      app.advanceDays(2);
      const url = `/admin/v1/accounts/${account.id}/refunds`;
      const refund = await app.admin<{ entry: LedgerEntry; balance: number }>('POST', url, { subscription_id: subscriptionId, reason: 'wrong company' });
      expect(refund.status).toBe(201);
      expect(refund.body.balance).toBe(1000);
      expect(refund.body.entry).toMatchObject({
        kind: 'refund',
        credits: 1,
        balance_after: 1000,
        subscription_id: subscriptionId,
        record: { type: 'company', id: companyId },
        channel: 'operator',
        actor: { type: 'operator' },
      });
      const refundedAt = new Date(testStart + 2 * 24 * 60 * 60 * 1000).toISOString();
      const inactive = await app.api<{ data: Subscription[] }>('GET', '/v1/subscriptions?active=false', { key: account.key });
      expect(inactive.body.data).toEqual([expect.objectContaining({ id: subscriptionId, ended_at: refundedAt })]);
      expect((await app.api<{ data: Subscription[] }>('GET', '/v1/subscriptions', { key: account.key })).body.data).toEqual([]);

      const before = await creditState(app, account);
      expectError(await app.admin('POST', url, { subscription_id: subscriptionId, reason: 'again' }), 422, 'invalid_request');
      expect(await creditState(app, account)).toEqual(before);

      // The record is no longer covered: the next read charges again.
      const reread = await read(account, `/v1/companies/${companyId}`);
      expect(reread.body.credits).toEqual({ charged: 1, balance: 999 });
      expect(reread.body.subscription!.id).not.toBe(subscriptionId);
      await expectReconciled();
    });
  });

  describe('plan change', () => {
    it('expires the unused allowance, grants the new plan allowance now and changes the features', async () => {
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      await read(account, `/v1/companies/${companyId}`);
      const bought = await app.api<{ grant: Grant }>('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_100' } });
      app.advanceDays(10);
      const changedAt = new Date(testStart + 10 * 24 * 60 * 60 * 1000).toISOString();

      const changed = await app.admin('PATCH', `/admin/v1/accounts/${account.id}`, { plan_id: 'api_standalone' });
      expect(changed.status).toBe(200);
      expect(changed.body.plan).toEqual({
        id: 'api_standalone',
        name: 'API standalone',
        features: ['api_basic', 'api_advanced'],
        credits_per_period: 5000,
        period: 'month',
      });
      expect(changed.body.period).toEqual({ start: changedAt, end: '2026-02-25T10:00:00.000Z' });
      expect(changed.body.credits.balance).toBe(5100);

      const ledger = await fullLedger(app, account.id);
      expect(ledger.slice(-2)).toEqual([
        expect.objectContaining({ kind: 'expire', at: changedAt, credits: -999, balance_after: 100, channel: 'operator' }),
        expect.objectContaining({ kind: 'grant', at: changedAt, credits: 5000, balance_after: 5100, channel: 'operator' }),
      ]);
      // The top-up keeps its own expiry; the subscription is untouched.
      const summary = await app.api('GET', '/v1/account', { key: account.key });
      expect(summary.body.credits.expiring).toEqual([
        { credits: 100, expires_at: bought.body.grant.expires_at },
        { credits: 5000, expires_at: '2026-02-25T10:00:00.000Z' },
      ]);
      expect((await read(account, `/v1/companies/${companyId}`)).body.credits.charged).toBe(0);

      // Changing to the plan it is already on writes nothing.
      const same = await app.admin('PATCH', `/admin/v1/accounts/${account.id}`, { plan_id: 'api_standalone' });
      expect(same.status).toBe(200);
      expect(await fullLedger(app, account.id)).toEqual(ledger);

      // The new period is anchored on the change.
      await setClock(app, '2026-02-25T10:00:00.000Z');
      expect(await balanceOf(app, account.id)).toBe(5000);
      await expectReconciled();
    });

    it('applies the new features at once: a plan without api_basic gets 403 on data reads', async () => {
      const plans: PlanCatalog = {
        ...defaultPlanCatalog,
        plans: [...defaultPlanCatalog.plans, { id: 'web_only', name: 'Web only', features: ['web_app'], creditsPerPeriod: 50, period: 'month' }],
      };
      await app.close();
      app = await startTestApp(kind, { plans });
      const account = await app.createAccount('platform');
      const companyId = await insertCompany(app.store.db);
      expect((await read(account, `/v1/companies/${companyId}`)).status).toBe(200);
      expect((await app.admin('PATCH', `/admin/v1/accounts/${account.id}`, { plan_id: 'web_only' })).status).toBe(200);
      const before = await creditState(app, account);
      expectError(await read(account, `/v1/companies/${companyId}`), 403, 'feature_not_in_plan');
      expect(await creditState(app, account)).toEqual(before);
    });
  });

  describe('rule 12: ledger truth', () => {
    it('keeps every balance_after the running sum, the balance the ledger sum, and reconcile clean', async () => {
      const account = await app.createAccount('platform');
      const second = await addApiKey(app, account.id);
      const companies: string[] = [];
      for (let index = 0; index < 4; index += 1) companies.push(await insertCompany(app.store.db));
      const contactId = await insertContact(app.store.db, companies[0]!);

      const first = await read(account, `/v1/companies/${companies[0]}`);
      await read(account, `/v1/contacts/${contactId}`);
      await app.api('GET', `/v1/companies/${companies[1]}/news`, { key: second.key });
      await app.api('POST', '/v1/credits/top-ups', { key: account.key, body: { bundle: 'credits_100' } });
      await app.admin('POST', `/admin/v1/accounts/${account.id}/top-ups`, { credits: 40, expires_at: '2026-03-20T00:00:00Z' });
      await adjust(app, account.id, 5, 'bonus');
      await adjust(app, account.id, -3, 'correction');
      const refund = await app.admin('POST', `/admin/v1/accounts/${account.id}/refunds`, {
        subscription_id: first.body.subscription!.id,
        reason: 'duplicate',
      });
      expect(refund.status).toBe(201);
      app.advanceDays(40);
      await read(account, `/v1/companies/${companies[2]}`);
      expect((await app.admin('PATCH', `/admin/v1/accounts/${account.id}`, { plan_id: 'web_visitors' })).status).toBe(200);
      await read(account, `/v1/companies/${companies[3]}/signals`);
      await setClock(app, '2026-07-01T00:00:00.000Z');
      await read(account, `/v1/companies/${companies[0]}`);

      const summary = await app.api('GET', '/v1/account', { key: account.key });
      const ledger = await fullLedger(app, account.id);
      expect(new Set(kinds(ledger))).toEqual(new Set(['grant', 'charge', 'expire', 'refund', 'adjust']));
      expectLedgerAddsUp(ledger, summary.body.credits.balance);
      expect(summary.headers['x-credits-remaining']).toBe(String(summary.body.credits.balance));
      expect(await balanceOf(app, account.id)).toBe(summary.body.credits.balance);
      const expiring = (summary.body.credits.expiring as Array<{ credits: number }>).reduce((sum, item) => sum + item.credits, 0);
      expect(expiring).toBe(summary.body.credits.balance);
      for (let index = 1; index < ledger.length; index += 1) {
        expect(Date.parse(ledger[index]!.at)).toBeGreaterThanOrEqual(Date.parse(ledger[index - 1]!.at));
      }
      const reconcile = await app.admin('GET', '/admin/v1/reconcile');
      expect(reconcile.body).toEqual({ ok: true, accounts_checked: 1, differences: [] });
    });
  });
});
