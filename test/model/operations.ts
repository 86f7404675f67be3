// The operations of the credit model test, as plain data that fast-check generates, shrinks and
// prints. Targets that depend on the state (the next period end, a grant's expiry, a
// subscription's expiry) are not numbers here but choices, resolved against the reference model
// when the operation runs, so a shrunk sequence still lands exactly on its boundaries.
import fc from 'fast-check';
import type { PlanId, RecordType } from './reference_model.ts';

export const dayMs = 24 * 60 * 60 * 1000;

/** The catalog every model account reads from: fixed ids, inserted once per test database. */
export interface CatalogRecord {
  type: RecordType;
  id: string;
  exists: boolean;
  deliverable: boolean;
  email: boolean;
  phone: boolean;
}

export const modelCatalog: readonly CatalogRecord[] = [
  ...[1, 2, 3, 4, 5].map((n) => ({ type: 'company' as const, id: `cmp_model_${n}`, exists: true, deliverable: true, email: false, phone: false })),
  { type: 'company', id: 'cmp_model_missing', exists: false, deliverable: false, email: false, phone: false },
  { type: 'contact', id: 'cnt_model_full', exists: true, deliverable: true, email: true, phone: true },
  { type: 'contact', id: 'cnt_model_email', exists: true, deliverable: true, email: true, phone: false },
  { type: 'contact', id: 'cnt_model_phone', exists: true, deliverable: true, email: false, phone: true },
  { type: 'contact', id: 'cnt_model_bare', exists: true, deliverable: false, email: false, phone: false },
  { type: 'contact', id: 'cnt_model_missing', exists: false, deliverable: false, email: false, phone: false },
];

export type CompanyPart = '' | 'signals' | 'financials' | 'news';

/** When a grant made by an operation expires. */
export type ExpiryChoice =
  | { at: 'default' }
  | { at: 'period_end' }
  | { at: 'in'; ms: number }
  | { at: 'same_as_grant'; pick: number }
  | { at: 'past'; ms: number };

/** Where a clock move lands; `offset` (ms) is added to a state-derived target. */
export type JumpTarget =
  | { by: number }
  | { to: 'period_end'; offset: number }
  | { to: 'grant_expiry'; pick: number; offset: number }
  | { to: 'subscription_expiry'; pick: number; offset: number }
  | { to: 'month_end' };

/**
 * `key`: the Idempotency-Key (one of a few, so repeats and conflicts happen), or none. The
 * operator's top-ups, adjustments and refunds share one key space per account.
 */
export type Operation =
  | { op: 'read'; record: string; part: CompanyPart }
  | { op: 'top_up'; credits: number; expiry: ExpiryChoice; key: number | null }
  | { op: 'buy'; bundle: string; key: number | null }
  | { op: 'adjust'; credits: number; expiry: ExpiryChoice; key: number | null }
  /** A negative adjustment of the whole balance plus `extra` (extra > 0 must be refused). */
  | { op: 'drain'; extra: number; key: number | null }
  /** `pick` chooses a subscription, counted from the newest (refunded or not); null: an unknown id. */
  | { op: 'refund'; pick: number | null; key: number | null }
  /** Sends the last request that carried an Idempotency-Key again, unchanged. */
  | { op: 'retry' }
  | { op: 'plan'; plan: PlanId }
  | { op: 'jump'; target: JumpTarget };

export interface Sequence {
  /** The account's creation instant (the clock is set here before the account is made). */
  start: number;
  plan: PlanId;
  operations: Operation[];
}

/** The default plans most of the time; the yearly and the allowance-free plan now and then. */
const planArb: fc.Arbitrary<PlanId> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<PlanId>('platform', 'api_standalone', 'web_visitors') },
  { weight: 1, arbitrary: fc.constantFrom<PlanId>('model_annual', 'model_free') },
);

const offsetArb = fc.constantFrom(0, 0, 0, -1, 1);

const expiryArb: fc.Arbitrary<ExpiryChoice> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ at: 'default' as const }) },
  { weight: 1, arbitrary: fc.constant({ at: 'period_end' as const }) },
  // 1 ms and 0 ms away from now are the boundaries of "in the future".
  { weight: 2, arbitrary: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 90 * dayMs })).map((ms) => ({ at: 'in' as const, ms })) },
  { weight: 2, arbitrary: fc.nat(20).map((pick) => ({ at: 'same_as_grant' as const, pick })) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 * dayMs })).map((ms) => ({ at: 'past' as const, ms })) },
);

const jumpArb: fc.Arbitrary<JumpTarget> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 * dayMs }).map((by) => ({ by })) },
  { weight: 2, arbitrary: fc.integer({ min: 3 * dayMs, max: 400 * dayMs }).map((by) => ({ by })) },
  // Years with the account idle: every missed period is granted and expires in turn.
  { weight: 1, arbitrary: fc.integer({ min: 400 * dayMs, max: 2000 * dayMs }).map((by) => ({ by })) },
  { weight: 3, arbitrary: offsetArb.map((offset) => ({ to: 'period_end' as const, offset })) },
  {
    weight: 2,
    arbitrary: fc.record({ pick: fc.nat(20), offset: offsetArb }).map((target) => ({ to: 'grant_expiry' as const, ...target })),
  },
  {
    weight: 2,
    arbitrary: fc.record({ pick: fc.nat(20), offset: offsetArb }).map((target) => ({ to: 'subscription_expiry' as const, ...target })),
  },
  { weight: 1, arbitrary: fc.constant({ to: 'month_end' as const }) },
);

const readArb: fc.Arbitrary<Operation> = fc
  .record({
    record: fc.constantFrom(...modelCatalog.map((record) => record.id)),
    part: fc.constantFrom<CompanyPart>('', '', '', 'signals', 'financials', 'news'),
  })
  .map(({ record, part }) => ({ op: 'read', record, part: record.startsWith('cmp_') ? part : '' }));

/** Mostly no Idempotency-Key; otherwise one of three. */
const keyArb: fc.Arbitrary<number | null> = fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat(2) });

export const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 12, arbitrary: readArb },
  {
    weight: 3,
    arbitrary: fc
      .record({ credits: fc.integer({ min: 1, max: 300 }), expiry: expiryArb, key: keyArb })
      .map((o) => ({ op: 'top_up' as const, ...o })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        bundle: fc.constantFrom('credits_100', 'credits_500', 'credits_2500', 'credits_100', 'credits_7'),
        key: fc.option(fc.nat(3), { nil: null }),
      })
      .map(({ bundle, key }) => ({ op: 'buy' as const, bundle, key: bundle === 'credits_7' ? null : key })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        credits: fc.oneof(fc.integer({ min: -400, max: 400 }), fc.integer({ min: -6000, max: 3000 })),
        expiry: expiryArb,
        key: keyArb,
      })
      .map(({ credits, expiry, key }) => ({ op: 'adjust' as const, credits, expiry: credits > 0 ? expiry : { at: 'default' as const }, key })),
  },
  { weight: 2, arbitrary: fc.record({ extra: fc.constantFrom(0, 0, 1, 5), key: keyArb }).map((o) => ({ op: 'drain' as const, ...o })) },
  {
    weight: 4,
    arbitrary: fc
      .record({ pick: fc.option(fc.nat(30), { nil: null, freq: 8 }), key: keyArb })
      .map((o) => ({ op: 'refund' as const, ...o })),
  },
  { weight: 2, arbitrary: fc.constant({ op: 'retry' as const }) },
  { weight: 2, arbitrary: planArb.map((plan) => ({ op: 'plan' as const, plan })) },
  { weight: 8, arbitrary: jumpArb.map((target) => ({ op: 'jump' as const, target })) },
);

/** Creation instants spread over years, with many on the 28th to 31st (clamped month ends). */
const startArb: fc.Arbitrary<number> = fc
  .record({
    year: fc.integer({ min: 2026, max: 2029 }),
    month: fc.integer({ min: 0, max: 11 }),
    day: fc.oneof(fc.integer({ min: 1, max: 31 }), fc.constantFrom(28, 29, 30, 31)),
    minute: fc.integer({ min: 0, max: 24 * 60 - 1 }),
    ms: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 59_999 })),
  })
  .map(({ year, month, day, minute, ms }) => {
    const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    return Date.UTC(year, month, Math.min(day, daysInMonth), 0, minute) + ms;
  });

export function sequenceArb(maxOperations: number): fc.Arbitrary<Sequence> {
  return fc.record({
    start: startArb,
    plan: planArb,
    operations: fc.array(operationArb, { minLength: 1, maxLength: maxOperations, size: 'max' }),
  });
}
