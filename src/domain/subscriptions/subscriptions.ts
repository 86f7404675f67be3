// Record subscriptions: an account's 12-month right to one record's deep data (DESIGN.md rules
// 2, 3, 4 and 6). Pure decisions; the use case applies them in one transaction.

import { subscriptionExpiry } from '../plans/periods.ts';
import { planDraw, type Allocation, type GrantState } from '../credits/grants.ts';

export type RecordType = 'company' | 'contact';
export type SubscriptionSource = 'credit' | 'web_visit' | 'grant';

export interface SubscriptionState {
  id: string;
  recordType: RecordType;
  recordId: string;
  generation: number;
  source: SubscriptionSource;
  startedAt: number;
  expiresAt: number;
  endedAt: number | null;
}

/**
 * Active until its expiry (exclusive), unless a refund ended it. The start is deliberately not
 * compared with `now`: a server whose clock lags another's by a few milliseconds must still see
 * a subscription the other has just started, or it would charge the record again.
 */
export function isActive(subscription: SubscriptionState, now: number): boolean {
  return subscription.endedAt === null && now < subscription.expiresAt;
}

/** What reading a record's deep data does to the account. */
export type ReadDecision =
  /** An active subscription covers the read: free. */
  | { type: 'covered'; subscription: SubscriptionState }
  /** Nothing to deliver (a contact with neither email nor phone): free, no subscription. */
  | { type: 'nothing_to_deliver' }
  /** Start a subscription and pay 1 credit from these grants. */
  | { type: 'charge'; allocations: Allocation[]; generation: number; startedAt: number; expiresAt: number }
  /** Start a free subscription (a website visit or an operator's grant). */
  | { type: 'free_start'; generation: number; startedAt: number; expiresAt: number }
  /** The pool cannot pay: refused whole, nothing written. */
  | { type: 'insufficient_credits' };

export const creditsPerSubscription = 1;

export interface ReadFacts {
  /** The latest subscription of this account to this record, if any. */
  latest: SubscriptionState | null;
  grants: readonly GrantState[];
  /** False for a contact whose deep data has neither an email nor a phone. */
  deliverable: boolean;
  source: SubscriptionSource;
  now: number;
}

export function decideRead(facts: ReadFacts): ReadDecision {
  const { latest, now } = facts;
  if (latest && isActive(latest, now)) return { type: 'covered', subscription: latest };
  if (!facts.deliverable) return { type: 'nothing_to_deliver' };
  const generation = (latest?.generation ?? 0) + 1;
  const period = { generation, startedAt: now, expiresAt: subscriptionExpiry(now) };
  if (facts.source !== 'credit') return { type: 'free_start', ...period };
  const allocations = planDraw(facts.grants, creditsPerSubscription, now);
  if (!allocations) return { type: 'insufficient_credits' };
  return { type: 'charge', allocations, ...period };
}
