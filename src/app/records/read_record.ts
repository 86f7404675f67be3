// Reading a record's deep data (DESIGN.md rules 2–6): free under an active subscription;
// otherwise it starts one for 1 credit, charged exactly once however many reads race for it.
//
// Setup → compute → execute: the record is loaded first (a missing record or a failed load
// costs nothing), then the decision is taken under the account's lock, then applied.

import type { RecordType } from '../../store/schema.ts';
import type { SubscriptionRow } from '../../store/subscriptions.ts';
import { latestSubscription, toSubscriptionState } from '../../store/subscriptions.ts';
import { decideRead, isActive, type SubscriptionSource } from '../../domain/subscriptions/subscriptions.ts';
import { fail, type Result } from '../../lib/result.ts';
import { assertNever } from '../../lib/assert.ts';
import type { AppContext } from '../context.ts';
import { inAccountTransaction, type AccountTransaction, type Origin } from '../credits/account_transaction.ts';
import { startSubscription } from './start_subscription.ts';

/** What a read delivers, loaded before any credit moves. */
export interface LoadedRecord<T> {
  data: T;
  /** False for a contact with neither email nor phone: such a read costs nothing. */
  deliverable: boolean;
}

export interface ReadRecordInput<T> {
  accountId: string;
  recordType: RecordType;
  recordId: string;
  origin: Origin;
  /** Loads the deep data; null when the record does not exist. */
  load: () => Promise<LoadedRecord<T> | null>;
  /** `credit` for reads; `web_visit` or `grant` for the free sources. */
  source?: SubscriptionSource;
}

export interface RecordRead<T> {
  data: T;
  subscription: SubscriptionRow | null;
  /** Credits this read consumed (0 or 1). */
  charged: number;
  /** The balance after the read, when the read went through a credit transaction. */
  balance: number | undefined;
}

export async function readRecord<T>(context: AppContext, input: ReadRecordInput<T>): Promise<Result<RecordRead<T>>> {
  const now = context.clock.now();
  // The record and the latest subscription are independent reads: on PostgreSQL they travel in
  // parallel on two pooled connections. A subscription active now covers this read, no lock.
  const [loaded, latest] = await Promise.all([
    input.load(),
    context.store.reads.latestSubscription(input.accountId, input.recordType, input.recordId),
  ]);
  if (!loaded) return fail('not_found', `${input.recordType} ${input.recordId} not found`);
  if (latest && isActive(toSubscriptionState(latest), now)) {
    return { ok: true, data: loaded.data, subscription: latest, charged: 0, balance: undefined };
  }
  const outcome = await inAccountTransaction(context, input.accountId, (transaction) =>
    decideAndStart(transaction, input, loaded.deliverable),
  );
  if (!outcome.ok) return outcome;
  const { subscription, charged } = outcome.value;
  return { ok: true, data: loaded.data, subscription, charged, balance: outcome.balance };
}

async function decideAndStart<T>(
  transaction: AccountTransaction,
  input: ReadRecordInput<T>,
  deliverable: boolean,
): Promise<Result<{ subscription: SubscriptionRow | null; charged: number }>> {
  const { tx, now } = transaction;
  const latest = await latestSubscription(tx, input.accountId, input.recordType, input.recordId);
  const decision = decideRead({
    latest: latest ? toSubscriptionState(latest) : null,
    grants: transaction.grants,
    deliverable,
    source: input.source ?? 'credit',
    now,
  });
  switch (decision.type) {
    case 'covered':
      return { ok: true, subscription: latest!, charged: 0 };
    case 'nothing_to_deliver':
      return { ok: true, subscription: null, charged: 0 };
    case 'insufficient_credits':
      return fail('insufficient_credits', 'not enough credits to start a subscription to this record');
    case 'free_start':
    case 'charge': {
      const subscription = await startSubscription(transaction, {
        accountId: input.accountId,
        recordType: input.recordType,
        recordId: input.recordId,
        source: input.source ?? 'credit',
        origin: input.origin,
        decision,
      });
      return { ok: true, subscription, charged: decision.type === 'charge' ? 1 : 0 };
    }
    default:
      return assertNever(decision);
  }
}
