// Proves that random sequences of credit operations sent through the HTTP API give exactly what
// the reference model of src/domain/credits/README.md gives: every outcome and balance, and the
// whole ledger and the active subscriptions at checkpoints, on SQLite and on PostgreSQL.
//
//   QUARRY_MODEL_OPS   operations per database (default 10000)
//   QUARRY_MODEL_SEED  the first fast-check seed (default below); batch b of lane l uses
//                      seed + l × 10000 + b, each on a fresh database
//   QUARRY_MODEL_PATH  with QUARRY_MODEL_SEED set to a failure's seed: replays that failure
//   QUARRY_MODEL_LANES lanes run side by side, each on its own database and clock (default 2)
import fc from 'fast-check';
import { it } from 'vitest';
import { describeEachDatabase, type TestDatabaseKind } from '../harness/databases.ts';
import { startTestApp, type Response, type TestApp } from '../harness/test_app.ts';
import { insertCompany, insertContact } from '../factories/catalog.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { defaultPlanCatalog, type PlanCatalog } from '../../src/domain/plans/plans.ts';
import { CreditModel, type FirstResponse, type Idempotency, type ModelSubscription, type Outcome } from './reference_model.ts';
import { dayMs, modelCatalog, sequenceArb, type ExpiryChoice, type JumpTarget, type Operation, type Sequence } from './operations.ts';

const operationsTarget = positiveInteger('QUARRY_MODEL_OPS', 10_000);
const baseSeed = integerSetting('QUARRY_MODEL_SEED', 20_260_115);
const replayPath = process.env.QUARRY_MODEL_PATH;
const lanes = positiveInteger('QUARRY_MODEL_LANES', 2);
const seedsPerLane = 10_000;
const operationsPerSequenceMax = 100;
/** Sequences per fresh database: reconcile checks every account after each sequence. */
const sequencesPerBatchMax = 12;
/** The whole ledger and the subscriptions are compared every this many operations, and at the end. */
const fullCheckEvery = 20;
/** Small pages, so the cursors of both lists are followed too. */
const ledgerPageLimit = 50;
const subscriptionPageLimit = 3;
const testTimeoutMs = 30 * 60 * 1000;

function integerSetting(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`${name} must be an integer, got '${value}'`);
  return parsed;
}

function positiveInteger(name: string, fallback: number): number {
  const value = integerSetting(name, fallback);
  if (value < 1) throw new Error(`${name} must be at least 1`);
  return value;
}

/** The default catalog plus the two plans the reference model adds (see modelPlans). */
const modelPlanCatalog: PlanCatalog = {
  plans: [
    ...defaultPlanCatalog.plans,
    { id: 'model_annual', name: 'Model annual', features: ['api_basic'], creditsPerPeriod: 12_000, period: 'year' },
    { id: 'model_free', name: 'Model free', features: ['api_basic'], creditsPerPeriod: 0, period: 'month' },
  ],
  bundles: defaultPlanCatalog.bundles,
};

const iso = (ms: number) => new Date(ms).toISOString();
const catalogById = new Map(modelCatalog.map((record) => [record.id, record]));
const missingSubscriptionId = 'sub_missing_model';

interface AccountBody {
  plan: { id: string };
  period: { start: string; end: string };
  credits: { balance: number; expiring: Array<{ credits: number; expires_at: string }> };
}
interface SubscriptionBody {
  id: string;
  record_type: string;
  record_id: string;
  source: string;
  started_at: string;
  expires_at: string;
  ended_at: string | null;
}
interface LedgerEntryBody {
  kind: string;
  credits: number;
  balance_after: number;
  at: string;
  record: { type: string; id: string } | null;
}
interface RecordBody {
  subscription: SubscriptionBody | null;
  credits: { charged: number; balance: number };
  error?: { code: string };
}
interface GrantBody {
  grant: { source: string; credits: number; remaining: number; expires_at: string };
  balance: number;
}
interface EntryBody {
  entry: { kind: string; credits: number };
  balance: number;
}
interface ListBody<T> {
  data: T[];
  next_cursor: string | null;
}

/** One sequence against one fresh account: the model, the server's ids, and what ran so far. */
interface Run {
  app: TestApp;
  model: CreditModel;
  key: string;
  accountId: string;
  /** Model subscription id → the server's subscription id. */
  subscriptionIds: Map<number, string>;
  trace: string[];
  counters: Counters;
  /** Sends the last request that had an Idempotency-Key again, exactly as it was. */
  retry?: () => Promise<string>;
}

interface Counters {
  operations: number;
  sequences: number;
  /** How often each kind of operation met each outcome, so the logs show what was covered. */
  outcomes: Map<string, number>;
}

function tally(run: Run, key: string): void {
  run.counters.outcomes.set(key, (run.counters.outcomes.get(key) ?? 0) + 1);
}

class Mismatch extends Error {}

function same(what: string, actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Mismatch(`${what}: the model expects ${e}, the server gave ${a}`);
}

function expectOutcome(what: string, outcome: Outcome, response: Response, okStatus: number): void {
  const statuses: Record<Outcome['kind'], number[]> = {
    ok: [okStatus],
    replayed: [okStatus],
    insufficient_credits: [402],
    not_found: [404],
    invalid: outcome.kind === 'invalid' && outcome.exactStatus ? [outcome.exactStatus] : [400, 422],
    conflict: [409],
  };
  const expected = statuses[outcome.kind];
  if (!expected.includes(response.status)) {
    throw new Mismatch(
      `${what}: the model expects ${outcome.kind} (HTTP ${expected.join(' or ')}), the server answered ${response.status} ${JSON.stringify(response.body)}`,
    );
  }
}

// ---- Resolving the state-dependent choices against the model ----

function grantsToPick(model: CreditModel) {
  return model.spendable().sort((a, b) => a.id - b.id);
}

function resolveExpiry(model: CreditModel, choice: ExpiryChoice): number | undefined {
  switch (choice.at) {
    case 'default':
      return undefined;
    case 'period_end':
      return model.currentPeriod().end;
    case 'in':
      return model.now + choice.ms;
    case 'past':
      return model.now - choice.ms;
    case 'same_as_grant': {
      const grants = grantsToPick(model);
      return grants.length === 0 ? model.currentPeriod().end : grants[choice.pick % grants.length]!.expiresAt;
    }
  }
}

function resolveJump(model: CreditModel, target: JumpTarget): number {
  const now = model.now;
  if ('by' in target) return now + target.by;
  switch (target.to) {
    case 'period_end':
      return Math.max(now, model.currentPeriod().end + target.offset);
    case 'grant_expiry': {
      const grants = grantsToPick(model);
      const at = grants.length === 0 ? model.currentPeriod().end : grants[target.pick % grants.length]!.expiresAt;
      return Math.max(now, at + target.offset);
    }
    case 'subscription_expiry': {
      const subscriptions = model.subscriptions.filter((s) => s.expiresAt > now);
      if (subscriptions.length === 0) return now + dayMs;
      return Math.max(now, subscriptions[target.pick % subscriptions.length]!.expiresAt + target.offset);
    }
    case 'month_end': {
      // The last day of this month (or the next) at the same time of day: plan changes made
      // there anchor periods on the 28th to 31st.
      const date = new Date(now);
      const timeOfDay = now - Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
      const thisMonth = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0) + timeOfDay;
      return thisMonth > now ? thisMonth : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 2, 0) + timeOfDay;
    }
  }
}

// ---- Operations: the model decides, the server answers, the two are compared ----

async function runOperation(run: Run, operation: Operation): Promise<string> {
  switch (operation.op) {
    case 'read':
      return runRead(run, operation.record, operation.part);
    case 'top_up':
      return runTopUp(run, operation.credits, resolveExpiry(run.model, operation.expiry), operation.key);
    case 'buy':
      return runBuy(run, operation.bundle, operation.key);
    case 'adjust': {
      const expiresAt = operation.credits > 0 ? resolveExpiry(run.model, operation.expiry) : undefined;
      return runAdjust(run, operation.credits, expiresAt, operation.key);
    }
    case 'drain':
      return runAdjust(run, -(run.model.balance + operation.extra), undefined, operation.key);
    case 'refund':
      return runRefund(run, operation.pick, operation.key);
    case 'retry':
      return run.retry ? `retry: ${await run.retry()}` : 'retry: no request with an Idempotency-Key yet';
    case 'plan':
      return runPlanChange(run, operation.plan);
    case 'jump':
      return runJump(run, operation.target);
  }
}

async function runRead(run: Run, recordId: string, part: string): Promise<string> {
  const record = catalogById.get(recordId)!;
  const url = record.type === 'company' ? `/v1/companies/${record.id}${part ? `/${part}` : ''}` : `/v1/contacts/${record.id}`;
  const expected = run.model.read(record);
  const response = await run.app.api<RecordBody>('GET', url, { key: run.key });
  const what = `GET ${url}`;
  expectOutcome(what, expected.outcome, response, 200);
  if (response.status === 402) {
    same(`${what}: error code`, response.body.error?.code, 'insufficient_credits');
    same(`${what}: X-Credits-Remaining`, response.headers['x-credits-remaining'], String(run.model.balance));
  }
  if (response.status === 200) {
    const body = response.body;
    same(`${what}: credits`, body.credits, { charged: expected.charged, balance: run.model.balance });
    same(`${what}: X-Credits-Charged`, response.headers['x-credits-charged'], String(expected.charged));
    same(`${what}: X-Credits-Remaining`, response.headers['x-credits-remaining'], String(run.model.balance));
    checkReadSubscription(run, what, expected.subscription, expected.charged, body.subscription);
  }
  tally(run, `read ${record.type} ${expected.outcome.kind}${expected.charged ? ' charged' : expected.outcome.kind === 'ok' ? ' free' : ''}`);
  return `${what} → ${expected.outcome.kind}${expected.charged ? ', charged 1' : ''}`;
}

function checkReadSubscription(
  run: Run,
  what: string,
  expected: ModelSubscription | null,
  charged: number,
  actual: SubscriptionBody | null,
): void {
  if (!expected) {
    same(`${what}: subscription`, actual, null);
    return;
  }
  if (!actual) throw new Mismatch(`${what}: the model expects subscription #${expected.id}, the server returned none`);
  same(`${what}: subscription period`, [actual.started_at, actual.expires_at, actual.ended_at], [iso(expected.startedAt), iso(expected.expiresAt), null]);
  if (charged === 1) {
    if ([...run.subscriptionIds.values()].includes(actual.id)) {
      throw new Mismatch(`${what}: a charged read returned the existing subscription ${actual.id} instead of a new one`);
    }
    run.subscriptionIds.set(expected.id, actual.id);
  } else {
    same(`${what}: subscription id (a free re-read must return the active subscription)`, actual.id, run.subscriptionIds.get(expected.id));
  }
}

/** A request with an Idempotency-Key: the header, and the request identity the model keys on. */
function keyed(
  scope: 'customer' | 'operator',
  key: number | null,
  request: string,
  body: unknown,
): { headers: Record<string, string>; idempotency: Idempotency | null; label: string } {
  if (key === null) return { headers: {}, idempotency: null, label: '' };
  const header = `model-${scope}-${key}`;
  return {
    headers: { 'idempotency-key': header },
    idempotency: { key: header, fingerprint: `${request} ${JSON.stringify(body)}` },
    label: ` (Idempotency-Key ${header})`,
  };
}

/** A replay answers the first response: what it moved, its grant, and the balance right after it. */
function checkReplay(what: string, first: FirstResponse, response: Response<GrantBody & EntryBody>): void {
  const body = response.body;
  if (first.grantExpiresAt !== null && body.grant) {
    same(`${what}: replayed grant`, [body.grant.credits, body.grant.expires_at], [first.credits, iso(first.grantExpiresAt)]);
  } else {
    same(`${what}: replayed entry credits`, body.entry?.credits, first.credits);
  }
  same(`${what}: replayed balance (the first response's)`, body.balance, first.balanceAfter);
}

async function runTopUp(run: Run, credits: number, expiresAt: number | undefined, key: number | null): Promise<string> {
  if (key !== null) run.retry = () => runTopUp(run, credits, expiresAt, key);
  const body = expiresAt === undefined ? { credits } : { credits, expires_at: iso(expiresAt) };
  const path = `/admin/v1/accounts/${run.accountId}/top-ups`;
  const request = keyed('operator', key, `POST ${path}`, body);
  const expected = run.model.topUp(credits, expiresAt, request.idempotency);
  const response = await run.app.admin<GrantBody & EntryBody>('POST', path, body, request.headers);
  const what = `operator top-up ${JSON.stringify(body)}${request.label}`;
  expectOutcome(what, expected.outcome, response, 201);
  if (expected.first) {
    checkReplay(what, expected.first, response);
    same(`${what}: Idempotent-Replayed`, response.headers['idempotent-replayed'], 'true');
  }
  if (expected.grant) {
    const grant = response.body.grant;
    same(`${what}: grant`, [grant.source, grant.credits, grant.remaining, grant.expires_at], ['top_up', credits, credits, iso(expected.grant.expiresAt)]);
    same(`${what}: balance`, response.body.balance, run.model.balance);
  }
  tally(run, `top-up ${expiresAt === undefined ? 'default expiry' : 'given expiry'} ${expected.outcome.kind}`);
  return `${what} → ${expected.outcome.kind}`;
}

async function runBuy(run: Run, bundle: string, key: number | null): Promise<string> {
  if (key !== null) run.retry = () => runBuy(run, bundle, key);
  const body = { bundle };
  const request = keyed('customer', key, 'POST /v1/credits/top-ups', body);
  const expected = run.model.buyBundle(bundle, request.idempotency);
  const response = await run.app.api<GrantBody & EntryBody>('POST', '/v1/credits/top-ups', { key: run.key, body, headers: request.headers });
  const what = `buy ${bundle}${request.label}`;
  expectOutcome(what, expected.outcome, response, 201);
  if (expected.first) {
    checkReplay(what, expected.first, response);
    same(`${what}: Idempotent-Replayed`, response.headers['idempotent-replayed'], 'true');
  }
  if (expected.grant) {
    same(`${what}: grant`, [response.body.grant.credits, response.body.grant.expires_at], [expected.credits, iso(expected.grant.expiresAt)]);
    same(`${what}: balance`, response.body.balance, run.model.balance);
  }
  if (response.status === 201) same(`${what}: X-Credits-Remaining`, response.headers['x-credits-remaining'], String(run.model.balance));
  tally(run, `buy ${expected.outcome.kind}`);
  return `${what} → ${expected.outcome.kind}`;
}

async function runAdjust(run: Run, credits: number, expiresAt: number | undefined, key: number | null): Promise<string> {
  if (key !== null) run.retry = () => runAdjust(run, credits, expiresAt, key);
  const body = { credits, reason: 'model test', ...(expiresAt === undefined ? {} : { expires_at: iso(expiresAt) }) };
  const path = `/admin/v1/accounts/${run.accountId}/adjustments`;
  const request = keyed('operator', key, `POST ${path}`, body);
  const expected = run.model.adjust(credits, expiresAt, request.idempotency);
  const response = await run.app.admin<GrantBody & EntryBody>('POST', path, body, request.headers);
  const what = `adjustment ${JSON.stringify({ credits, expires_at: body.expires_at })}${request.label}`;
  expectOutcome(what, expected.outcome, response, 201);
  if (expected.first) checkReplay(what, expected.first, response);
  if (expected.outcome.kind === 'ok') {
    same(`${what}: entry`, [response.body.entry.kind, response.body.entry.credits], ['adjust', credits]);
    same(`${what}: balance`, response.body.balance, run.model.balance);
  }
  tally(run, `adjust ${credits > 0 ? '+' : credits < 0 ? '-' : '0'} ${expected.outcome.kind}`);
  return `${what} → ${expected.outcome.kind}`;
}

async function runRefund(run: Run, pick: number | null, key: number | null): Promise<string> {
  const subscriptions = run.model.subscriptions;
  // Counted from the newest, so small picks (what shrinking tends to) refund recent charges.
  const chosen = pick === null || subscriptions.length === 0 ? null : subscriptions[subscriptions.length - 1 - (pick % subscriptions.length)]!;
  return runRefundOf(run, chosen, key);
}

async function runRefundOf(run: Run, chosen: ModelSubscription | null, key: number | null): Promise<string> {
  if (key !== null) run.retry = () => runRefundOf(run, chosen, key);
  const serverId = chosen ? (run.subscriptionIds.get(chosen.id) ?? missingSubscriptionId) : missingSubscriptionId;
  const body = { subscription_id: serverId, reason: 'model test' };
  const path = `/admin/v1/accounts/${run.accountId}/refunds`;
  const request = keyed('operator', key, `POST ${path}`, body);
  const expected = run.model.refund(chosen ? chosen.id : null, request.idempotency);
  const response = await run.app.admin<GrantBody & EntryBody>('POST', path, body, request.headers);
  const label = chosen ? `subscription #${chosen.id} (${chosen.recordType} ${chosen.recordId}, ${serverId})` : serverId;
  const what = `refund ${label}${request.label}`;
  expectOutcome(what, expected.outcome, response, 201);
  if (expected.first) checkReplay(what, expected.first, response);
  if (expected.outcome.kind === 'ok') {
    same(`${what}: entry`, [response.body.entry.kind, response.body.entry.credits], ['refund', 1]);
    same(`${what}: balance`, response.body.balance, run.model.balance);
  }
  tally(run, `refund ${expected.outcome.kind}`);
  const expiry = expected.grant ? `, credit expires ${iso(expected.grant.expiresAt)}` : '';
  return `${what} → ${expected.outcome.kind}${expiry}`;
}

async function runPlanChange(run: Run, planId: Sequence['plan']): Promise<string> {
  const expected = run.model.changePlan(planId);
  const response = await run.app.admin<AccountBody>('PATCH', `/admin/v1/accounts/${run.accountId}`, { plan_id: planId });
  const what = `change plan to ${planId}`;
  expectOutcome(what, expected.outcome, response, 200);
  same(`${what}: plan`, response.body.plan.id, run.model.planId);
  same(`${what}: balance`, response.body.credits.balance, run.model.balance);
  tally(run, `plan change ${expected.changed ? 'new period' : 'same plan'}`);
  return `${what} → ${expected.changed ? 'new period' : 'same plan, no-op'}`;
}

async function runJump(run: Run, target: JumpTarget): Promise<string> {
  const to = resolveJump(run.model, target);
  const from = run.model.now;
  run.model.advanceTo(to);
  const response = await run.app.admin<{ now: string }>('POST', '/admin/v1/clock', { now: iso(to) });
  const what = `clock ${JSON.stringify(target)} → ${iso(to)} (+${((to - from) / dayMs).toFixed(3)} d)`;
  same(`${what}: status`, response.status, 200);
  same(`${what}: now`, response.body.now, iso(to));
  tally(run, `clock ${'by' in target ? (target.by > 400 * dayMs ? 'years' : target.by > 3 * dayMs ? 'large jump' : 'small jump') : `to ${target.to}`}`);
  return what;
}

// ---- Checks of the whole state ----

async function checkAccount(run: Run): Promise<void> {
  const { model } = run;
  const response = await run.app.api<AccountBody>('GET', '/v1/account', { key: run.key });
  same('GET /v1/account: status', response.status, 200);
  const account = response.body;
  const period = model.currentPeriod();
  same('GET /v1/account: credits.balance', account.credits.balance, model.balance);
  same('GET /v1/account: plan', account.plan.id, model.planId);
  same('GET /v1/account: period', account.period, { start: iso(period.start), end: iso(period.end) });
  same(
    'GET /v1/account: credits.expiring',
    account.credits.expiring,
    model.expiring().map((group) => ({ credits: group.credits, expires_at: iso(group.expiresAt) })),
  );
  same('GET /v1/account: X-Credits-Remaining', response.headers['x-credits-remaining'], String(model.balance));
}

async function fetchAll<T>(run: Run, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const url: string = cursor === null ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`;
    const response: Response<ListBody<T>> = await run.app.api<ListBody<T>>('GET', url, { key: run.key });
    same(`GET ${url}: status`, response.status, 200);
    items.push(...response.body.data);
    cursor = response.body.next_cursor;
  } while (cursor !== null);
  return items;
}

async function checkLedger(run: Run): Promise<void> {
  const entries = (await fetchAll<LedgerEntryBody>(run, `/v1/credits/ledger?limit=${ledgerPageLimit}`)).reverse();
  const actual = entries.map((entry) => {
    const record = entry.record ? ` for ${entry.record.type}:${entry.record.id}` : '';
    return `${entry.kind} ${entry.credits} → ${entry.balance_after} at ${entry.at}${record}`;
  });
  const expected = run.model.ledger.map((entry) => {
    const record = entry.record ? ` for ${entry.record}` : '';
    return `${entry.kind} ${entry.credits} → ${entry.balanceAfter} at ${iso(entry.at)}${record}`;
  });
  const first = expected.findIndex((line, index) => actual[index] !== line);
  const differsAt = first === -1 && actual.length !== expected.length ? expected.length : first;
  if (differsAt === -1) return;
  const window = (lines: string[]) =>
    lines
      .slice(Math.max(0, differsAt - 3), differsAt + 4)
      .map((line, index) => `      [${Math.max(0, differsAt - 3) + index}] ${line}`)
      .join('\n');
  throw new Mismatch(
    `the ledger differs at entry ${differsAt} (model ${expected.length} entries, server ${actual.length}):\n` +
      `    model:\n${window(expected)}\n    server:\n${window(actual)}`,
  );
}

async function checkSubscriptions(run: Run): Promise<void> {
  const listed = await fetchAll<SubscriptionBody>(run, `/v1/subscriptions?limit=${subscriptionPageLimit}`);
  const actual = listed
    .map((s) => `${s.id} ${s.record_type}:${s.record_id} ${s.source} ${s.started_at}..${s.expires_at} ended ${s.ended_at}`)
    .sort();
  const expected = run.model
    .activeSubscriptions()
    .map((s) => {
      const id = run.subscriptionIds.get(s.id) ?? `(model #${s.id}, no server id)`;
      return `${id} ${s.recordType}:${s.recordId} credit ${iso(s.startedAt)}..${iso(s.expiresAt)} ended null`;
    })
    .sort();
  same('GET /v1/subscriptions (active)', actual, expected);
}

async function checkReconcile(app: TestApp): Promise<void> {
  const response = await app.admin<{ ok: boolean; differences: unknown[] }>('GET', '/admin/v1/reconcile');
  same('GET /admin/v1/reconcile: status', response.status, 200);
  if (!response.body.ok) throw new Mismatch(`reconcile is not ok: ${JSON.stringify(response.body.differences).slice(0, 2000)}`);
}

// ---- One sequence ----

async function runSequence(app: TestApp, sequence: Sequence, counters: Counters): Promise<void> {
  // Every sequence starts at its own instant, so a shrunk sequence replays at the same dates.
  // A fresh clock may be earlier than the last one; no account sees time go back, because the
  // new account is opened at that instant and the older accounts are never used again.
  app.context.clock = new ManualClock(sequence.start);
  const account = await app.createAccount(sequence.plan, 'Model account');
  const run: Run = {
    app,
    model: new CreditModel(sequence.plan, sequence.start),
    key: account.key,
    accountId: account.id,
    subscriptionIds: new Map(),
    trace: [`open an account on ${sequence.plan} at ${iso(sequence.start)}`],
    counters,
  };
  counters.sequences += 1;
  let index = -1;
  try {
    await checkAccount(run);
    for (const [position, operation] of sequence.operations.entries()) {
      index = position;
      counters.operations += 1;
      const description = await runOperation(run, operation);
      run.model.checkInvariants();
      run.trace.push(`#${position} ${description}; balance ${run.model.balance}`);
      await checkAccount(run);
      if ((position + 1) % fullCheckEvery === 0) {
        await checkLedger(run);
        await checkSubscriptions(run);
      }
    }
    index = sequence.operations.length;
    await checkLedger(run);
    await checkSubscriptions(run);
    await checkReconcile(app);
  } catch (error) {
    const at = index < sequence.operations.length ? `operation #${index} ${JSON.stringify(sequence.operations[index] ?? null)}` : 'the final checks';
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof Mismatch ? 'difference' : 'error';
    throw new Error(
      `${app.kind}: ${kind} at ${at} (now ${iso(run.model.now)}):\n  ${message}\n  sequence so far:\n    ${run.trace.join('\n    ')}`,
      { cause: error },
    );
  }
}

// ---- Lanes and batches ----

async function insertModelCatalog(app: TestApp): Promise<void> {
  const { db } = app.store;
  for (const record of modelCatalog.filter((r) => r.exists && r.type === 'company')) await insertCompany(db, { id: record.id });
  for (const record of modelCatalog.filter((r) => r.exists && r.type === 'contact')) {
    await insertContact(db, 'cmp_model_1', {
      id: record.id,
      ...(record.email ? {} : { email: null }),
      ...(record.phone ? {} : { phone: null }),
    });
  }
}

/** Runs `work` on a fresh app (its own database) with the model catalog, then drops it. */
async function withModelApp<T>(kind: TestDatabaseKind, work: (app: TestApp) => Promise<T>): Promise<T> {
  const app = await startTestApp(kind, { plans: modelPlanCatalog });
  try {
    await insertModelCatalog(app);
    return await work(app);
  } finally {
    await app.close();
  }
}

async function assertModel(app: TestApp, counters: Counters, options: { seed: number; numRuns?: number; path?: string }): Promise<void> {
  const property = fc.asyncProperty(sequenceArb(operationsPerSequenceMax), (sequence) => runSequence(app, sequence, counters));
  await fc.assert(property, { ...options, includeErrorInReport: true });
}

/**
 * One lane: batches of sequences until it has run `target` operations. Each batch has a fresh
 * database (reconcile, which checks every account, stays small) and its own seed, so a failure
 * names the one seed and path that replay it.
 */
async function runLane(kind: TestDatabaseKind, lane: number, target: number, counters: Counters, stop: { now: boolean }): Promise<number> {
  let batch = 0;
  while (counters.operations < target && !stop.now) {
    const numRuns = Math.min(sequencesPerBatchMax, Math.ceil((target - counters.operations) / 45));
    const seed = baseSeed + lane * seedsPerLane + batch;
    batch += 1;
    try {
      await withModelApp(kind, (app) => assertModel(app, counters, { seed, numRuns }));
    } catch (error) {
      stop.now = true;
      throw error;
    }
  }
  return batch;
}

function mergeCounters(all: Counters[]): Counters {
  const merged: Counters = { operations: 0, sequences: 0, outcomes: new Map() };
  for (const counters of all) {
    merged.operations += counters.operations;
    merged.sequences += counters.sequences;
    for (const [key, count] of counters.outcomes) merged.outcomes.set(key, (merged.outcomes.get(key) ?? 0) + count);
  }
  return merged;
}

function report(kind: TestDatabaseKind, counters: Counters, batches: number, laneCount: number, started: number): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const outcomes = [...counters.outcomes.entries()].sort().map(([key, count]) => `${key}: ${count}`);
  console.log(
    `credit model (${kind}): ${counters.operations} operations in ${counters.sequences} sequences, ` +
      `${batches} batches on ${laneCount} lanes, first seed ${baseSeed}, ${seconds} s\n  ${outcomes.join('\n  ')}`,
  );
}

describeEachDatabase('credit model', (kind) => {
  it(`matches the reference model over at least ${operationsTarget} operations`, async () => {
    const started = performance.now();
    console.log(
      `credit model (${kind}): seed ${baseSeed}, ${operationsTarget} operations on ${lanes} lanes ` +
        `(QUARRY_MODEL_SEED, QUARRY_MODEL_OPS, QUARRY_MODEL_LANES; a failure's seed and path replay it with QUARRY_MODEL_PATH)`,
    );
    if (replayPath) {
      const counters: Counters = { operations: 0, sequences: 0, outcomes: new Map() };
      try {
        await withModelApp(kind, (app) => assertModel(app, counters, { seed: baseSeed, path: replayPath }));
      } finally {
        report(kind, counters, 1, 1, started);
      }
      return;
    }
    const perLane = Math.ceil(operationsTarget / lanes);
    const laneCounters = Array.from({ length: lanes }, (): Counters => ({ operations: 0, sequences: 0, outcomes: new Map() }));
    const stop = { now: false };
    const results = await Promise.allSettled(laneCounters.map((counters, lane) => runLane(kind, lane, perLane, counters, stop)));
    const batches = results.reduce((sum, result) => sum + (result.status === 'fulfilled' ? result.value : 0), 0);
    report(kind, mergeCounters(laneCounters), batches, lanes, started);
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  }, testTimeoutMs);
});
