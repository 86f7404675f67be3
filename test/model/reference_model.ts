// A small reference model of the credit rules, written from src/domain/credits/README.md ("the
// rules exactly as implemented") and nothing else: it imports no code of src/, so a bug there
// cannot leak into the expectations. Time is milliseconds since the epoch (UTC). The model is a
// plain in-memory value that the model test drives in step with the real server.

export type PlanId = 'platform' | 'api_standalone' | 'web_visitors' | 'model_annual' | 'model_free';
export type GrantSource = 'allowance' | 'top_up' | 'adjustment' | 'refund';
export type LedgerKind = 'grant' | 'charge' | 'expire' | 'refund' | 'adjust';
export type RecordType = 'company' | 'contact';

/**
 * The three default plans of DESIGN.md (monthly), and two that the model test adds to the
 * server's catalog so the README's other cases run too: a yearly period, and a plan without
 * allowance (its grant is skipped).
 */
export const modelPlans: Readonly<Record<PlanId, { creditsPerPeriod: number; monthsPerPeriod: number }>> = {
  platform: { creditsPerPeriod: 1000, monthsPerPeriod: 1 },
  api_standalone: { creditsPerPeriod: 5000, monthsPerPeriod: 1 },
  web_visitors: { creditsPerPeriod: 100, monthsPerPeriod: 1 },
  model_annual: { creditsPerPeriod: 12_000, monthsPerPeriod: 12 },
  model_free: { creditsPerPeriod: 0, monthsPerPeriod: 1 },
};

/** The self-serve bundles of the default catalog. */
export const modelBundles: Readonly<Record<string, number>> = { credits_100: 100, credits_500: 500, credits_2500: 2500 };

export const subscriptionMonths = 12;

export interface ModelGrant {
  id: number;
  source: GrantSource;
  credits: number;
  remaining: number;
  expiresAt: number;
  /** The ledger position (1-based) of the entry that created the grant: lower is older. */
  createdOrder: number;
}

export interface ModelEntry {
  kind: LedgerKind;
  credits: number;
  balanceAfter: number;
  at: number;
  /** The record a charge or a refund is for, as `type:id`. */
  record: string | null;
}

export interface ModelSubscription {
  id: number;
  recordType: RecordType;
  recordId: string;
  startedAt: number;
  expiresAt: number;
  /** Set by a refund: the subscription is no longer active from this instant. */
  endedAt: number | null;
  /** The grant that paid the 1-credit charge. */
  paidBy: number;
  refunded: boolean;
}

/** What an operation did, in the terms the HTTP API can show. */
export type Outcome =
  | { kind: 'ok' }
  | { kind: 'replayed' }
  | { kind: 'insufficient_credits' }
  | { kind: 'not_found' }
  | { kind: 'invalid'; exactStatus?: number }
  | { kind: 'conflict' };

/**
 * An Idempotency-Key on a request that creates something: the request it was first used with
 * (an opaque fingerprint: what was sent, where) and what that request answered.
 */
export interface Idempotency {
  key: string;
  fingerprint: string;
}

/** The first successful response to a key; a repeat of the same request answers it again. */
export interface FirstResponse {
  fingerprint: string;
  /** The credits the request moved, and the expiry of the grant it made, if any. */
  credits: number;
  grantExpiresAt: number | null;
  /** The balance right after the first request. */
  balanceAfter: number;
}

/** What a credit-moving request did. `first` is set for a replay: the response it repeats. */
export interface Movement {
  outcome: Outcome;
  credits: number;
  grant: ModelGrant | null;
  first: FirstResponse | null;
}

export interface ReadOutcome {
  outcome: Outcome;
  charged: number;
  subscription: ModelSubscription | null;
}

/**
 * Calendar months in UTC: the target month's day is the anchor's day clamped to the month's
 * length, and the time of day is kept. Derived here on its own rather than imported.
 */
export function addMonths(ms: number, months: number): number {
  const date = new Date(ms);
  const totalMonths = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths - year * 12;
  const daysInMonth = new Date(Date.UTC(year, month + 1, 1) - 1).getUTCDate();
  const day = Math.min(date.getUTCDate(), daysInMonth);
  const timeOfDay = ms - Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  return Date.UTC(year, month, day) + timeOfDay;
}

/** Burn-down order: soonest expiry, then the period allowance before other sources, then oldest. */
function burnDownOrder(a: ModelGrant, b: ModelGrant): number {
  if (a.expiresAt !== b.expiresAt) return a.expiresAt - b.expiresAt;
  const rank = (grant: ModelGrant) => (grant.source === 'allowance' ? 0 : 1);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  return a.createdOrder - b.createdOrder;
}

export class CreditModel {
  now: number;
  planId: PlanId;
  anchor: number;
  periodIndex = 0;
  readonly grants: ModelGrant[] = [];
  readonly ledger: ModelEntry[] = [];
  readonly subscriptions: ModelSubscription[] = [];
  /** Idempotency keys, one space for the customer (purchases) and one for the operator. */
  readonly idempotencyKeys = { customer: new Map<string, FirstResponse>(), operator: new Map<string, FirstResponse>() };

  /** An account opened on `planId` at `now`: period 0 starts and its allowance is granted. */
  constructor(planId: PlanId, now: number) {
    this.now = now;
    this.planId = planId;
    this.anchor = now;
    this.grantAllowance(now);
  }

  get balance(): number {
    return this.ledger.length === 0 ? 0 : this.ledger[this.ledger.length - 1]!.balanceAfter;
  }

  periodStart(index: number): number {
    return addMonths(this.anchor, index * modelPlans[this.planId].monthsPerPeriod);
  }

  currentPeriod(): { start: number; end: number } {
    return { start: this.periodStart(this.periodIndex), end: this.periodStart(this.periodIndex + 1) };
  }

  /** Grants that can pay at `now`, in burn-down order. */
  spendable(): ModelGrant[] {
    return this.grants.filter((grant) => grant.remaining > 0 && this.now < grant.expiresAt).sort(burnDownOrder);
  }

  /** What GET /v1/account lists as `expiring`: credits left per expiry instant, soonest first. */
  expiring(): Array<{ credits: number; expiresAt: number }> {
    const byInstant = new Map<number, number>();
    for (const grant of this.spendable()) byInstant.set(grant.expiresAt, (byInstant.get(grant.expiresAt) ?? 0) + grant.remaining);
    return [...byInstant.entries()].sort((a, b) => a[0] - b[0]).map(([expiresAt, credits]) => ({ credits, expiresAt }));
  }

  isActive(subscription: ModelSubscription): boolean {
    return subscription.endedAt === null && subscription.startedAt <= this.now && this.now < subscription.expiresAt;
  }

  activeSubscriptions(): ModelSubscription[] {
    return this.subscriptions.filter((subscription) => this.isActive(subscription));
  }

  /** Moves the clock (never back) and writes everything that fell due. */
  advanceTo(ms: number): void {
    if (ms < this.now) throw new Error(`the model clock cannot go back from ${this.now} to ${ms}`);
    this.now = ms;
    this.bringUpToDate();
  }

  /**
   * Writes, in time order, every grant expiry and period start due at `now`, each dated at the
   * instant it fell due. At a shared instant expiries come first; several expiries at one
   * instant are written in burn-down order (the README leaves that tie open).
   */
  bringUpToDate(): void {
    for (;;) {
      const nextPeriodStart = this.periodStart(this.periodIndex + 1);
      const dueExpiries = this.grants.filter((grant) => grant.remaining > 0 && grant.expiresAt <= this.now);
      const firstExpiry = Math.min(...dueExpiries.map((grant) => grant.expiresAt));
      if (firstExpiry <= nextPeriodStart) {
        for (const grant of dueExpiries.filter((g) => g.expiresAt === firstExpiry).sort(burnDownOrder)) {
          this.expireGrant(grant, firstExpiry);
        }
        continue;
      }
      if (nextPeriodStart > this.now) return;
      this.periodIndex += 1;
      this.grantAllowance(nextPeriodStart);
    }
  }

  /** Reads a record's deep data: free under an active subscription, else 1 credit for 12 months. */
  read(record: { type: RecordType; id: string; exists: boolean; deliverable: boolean }): ReadOutcome {
    if (!record.exists) return { outcome: { kind: 'not_found' }, charged: 0, subscription: null };
    const active = this.activeSubscriptions().find((s) => s.recordType === record.type && s.recordId === record.id);
    if (active) return { outcome: { kind: 'ok' }, charged: 0, subscription: active };
    if (!record.deliverable) return { outcome: { kind: 'ok' }, charged: 0, subscription: null };
    const payer = this.spendable()[0];
    if (!payer) return { outcome: { kind: 'insufficient_credits' }, charged: 0, subscription: null };
    payer.remaining -= 1;
    this.append('charge', -1, this.now, `${record.type}:${record.id}`);
    const subscription: ModelSubscription = {
      id: this.subscriptions.length + 1,
      recordType: record.type,
      recordId: record.id,
      startedAt: this.now,
      expiresAt: addMonths(this.now, subscriptionMonths),
      endedAt: null,
      paidBy: payer.id,
      refunded: false,
    };
    this.subscriptions.push(subscription);
    return { outcome: { kind: 'ok' }, charged: 1, subscription };
  }

  /** An operator's top-up; without `expiresAt` it expires at the end of the current period. */
  topUp(credits: number, expiresAt: number | undefined, idempotency: Idempotency | null): Movement {
    return this.idempotent('operator', idempotency, () => this.addTopUp(credits, expiresAt));
  }

  /** A self-serve bundle: a top-up that expires at the end of the current period. */
  buyBundle(bundleId: string, idempotency: Idempotency | null): Movement {
    const credits = modelBundles[bundleId];
    if (credits === undefined) return refused({ kind: 'invalid' });
    return this.idempotent('customer', idempotency, () => this.addTopUp(credits, undefined));
  }

  /** Positive: a grant (by default to the period end). Negative: burn-down, or 422 if short. */
  adjust(credits: number, expiresAt: number | undefined, idempotency: Idempotency | null): Movement {
    // A zero adjustment is a malformed request: refused before its key is looked at.
    if (!Number.isInteger(credits) || credits === 0) return refused({ kind: 'invalid' });
    return this.idempotent('operator', idempotency, () => {
      if (credits > 0) {
        const expiry = expiresAt ?? this.currentPeriod().end;
        if (expiry <= this.now) return refused({ kind: 'invalid' });
        return { outcome: { kind: 'ok' }, credits, grant: this.addGrant('adjust', 'adjustment', credits, expiry), first: null };
      }
      const spendable = this.spendable();
      const available = spendable.reduce((sum, grant) => sum + grant.remaining, 0);
      if (available < -credits) return refused({ kind: 'invalid', exactStatus: 422 });
      let owed = -credits;
      for (const grant of spendable) {
        const taken = Math.min(owed, grant.remaining);
        grant.remaining -= taken;
        owed -= taken;
        if (owed === 0) break;
      }
      this.append('adjust', credits, this.now);
      return { outcome: { kind: 'ok' }, credits, grant: null, first: null };
    });
  }

  /** Refunds a credit-paid subscription once: it ends now and its credit comes back as a grant. */
  refund(subscriptionId: number | null, idempotency: Idempotency | null): Movement {
    return this.idempotent('operator', idempotency, () => {
      const subscription = this.subscriptions.find((s) => s.id === subscriptionId);
      if (!subscription) return refused({ kind: 'not_found' });
      if (subscription.refunded) return refused({ kind: 'invalid' });
      const paidBy = this.grants.find((grant) => grant.id === subscription.paidBy)!;
      const expiresAt = Math.max(paidBy.expiresAt, this.currentPeriod().end);
      const grant = this.addGrant('refund', 'refund', 1, expiresAt, this.now, `${subscription.recordType}:${subscription.recordId}`);
      subscription.endedAt = this.now;
      subscription.refunded = true;
      return { outcome: { kind: 'ok' }, credits: 1, grant, first: null };
    });
  }

  /** A new plan starts a new period now; the same plan changes nothing. */
  changePlan(planId: PlanId): { outcome: Outcome; changed: boolean } {
    if (planId === this.planId) return { outcome: { kind: 'ok' }, changed: false };
    const leftOver = this.grants.filter((grant) => grant.source === 'allowance' && grant.remaining > 0).sort(burnDownOrder);
    for (const grant of leftOver) this.expireGrant(grant, this.now);
    this.planId = planId;
    this.anchor = this.now;
    this.periodIndex = 0;
    this.grantAllowance(this.now);
    return { outcome: { kind: 'ok' }, changed: true };
  }

  /** Self-checks of rule 12 inside the model: a model that breaks them is itself wrong. */
  checkInvariants(): void {
    const sum = this.ledger.reduce((total, entry) => total + entry.credits, 0);
    const remaining = this.grants.reduce((total, grant) => total + grant.remaining, 0);
    if (sum !== this.balance || remaining !== this.balance || this.balance < 0) {
      throw new Error(`reference model broke its own invariants: ledger ${sum}, grants ${remaining}, balance ${this.balance}`);
    }
  }

  private addTopUp(credits: number, expiresAt: number | undefined): Movement {
    const expiry = expiresAt ?? this.currentPeriod().end;
    if (expiry <= this.now) return refused({ kind: 'invalid' });
    return { outcome: { kind: 'ok' }, credits, grant: this.addGrant('grant', 'top_up', credits, expiry), first: null };
  }

  /**
   * A repeat of a key with the same request moves nothing and answers the first response (its
   * grant and the balance right after it, API.md); with another request it is a conflict. A
   * request that failed keeps no key, so it can be retried.
   */
  private idempotent(scope: 'customer' | 'operator', idempotency: Idempotency | null, work: () => Movement): Movement {
    if (!idempotency) return work();
    const keys = this.idempotencyKeys[scope];
    const first = keys.get(idempotency.key);
    if (first) return first.fingerprint === idempotency.fingerprint ? { outcome: { kind: 'replayed' }, credits: 0, grant: null, first } : refused({ kind: 'conflict' });
    const movement = work();
    if (movement.outcome.kind === 'ok') {
      keys.set(idempotency.key, {
        fingerprint: idempotency.fingerprint,
        credits: movement.credits,
        grantExpiresAt: movement.grant?.expiresAt ?? null,
        balanceAfter: this.balance,
      });
    }
    return movement;
  }

  private grantAllowance(at: number): void {
    const credits = modelPlans[this.planId].creditsPerPeriod;
    if (credits > 0) this.addGrant('grant', 'allowance', credits, this.periodStart(this.periodIndex + 1), at);
  }

  private addGrant(kind: LedgerKind, source: GrantSource, credits: number, expiresAt: number, at = this.now, record: string | null = null): ModelGrant {
    this.append(kind, credits, at, record);
    const grant: ModelGrant = { id: this.grants.length + 1, source, credits, remaining: credits, expiresAt, createdOrder: this.ledger.length };
    this.grants.push(grant);
    return grant;
  }

  private expireGrant(grant: ModelGrant, at: number): void {
    const credits = grant.remaining;
    grant.remaining = 0;
    this.append('expire', -credits, at);
  }

  private append(kind: LedgerKind, credits: number, at: number, record: string | null = null): void {
    this.ledger.push({ kind, credits, balanceAfter: this.balance + credits, at, record });
  }
}

function refused(outcome: Outcome): Movement {
  return { outcome, credits: 0, grant: null, first: null };
}
