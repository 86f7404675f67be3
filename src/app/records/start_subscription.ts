// Writing a decided subscription start (domain/subscriptions/subscriptions.ts `decideRead`): the
// subscription row and, when it costs a credit, its charge entry linked to it. Shared by single
// and batch reads so both write exactly the same rows.
import type { RecordType } from '../../store/schema.ts';
import type { SubscriptionRow } from '../../store/subscriptions.ts';
import type { ReadDecision, SubscriptionSource } from '../../domain/subscriptions/subscriptions.ts';
import { newId } from '../../lib/ids.ts';
import type { AccountTransaction, Origin } from '../credits/account_transaction.ts';

export interface SubscriptionStart {
  accountId: string;
  recordType: RecordType;
  recordId: string;
  source: SubscriptionSource;
  origin: Origin;
  decision: Extract<ReadDecision, { type: 'charge' | 'free_start' }>;
}

/** Buffers the subscription (and its charge) in the transaction; returns the subscription. */
export async function startSubscription(transaction: AccountTransaction, start: SubscriptionStart): Promise<SubscriptionRow> {
  const { decision } = start;
  const subscription: SubscriptionRow = {
    account_id: start.accountId,
    id: newId('subscription'),
    record_type: start.recordType,
    record_id: start.recordId,
    generation: decision.generation,
    source: start.source,
    started_at: decision.startedAt,
    expires_at: decision.expiresAt,
    ended_at: null,
    charge_seq: null,
    refund_seq: null,
  };
  if (decision.type === 'charge') {
    const entry = await transaction.append({
      kind: 'charge',
      at: transaction.now,
      credits: -1,
      origin: start.origin,
      allocations: decision.allocations,
      record: { type: start.recordType, id: start.recordId },
      subscriptionId: subscription.id,
    });
    subscription.charge_seq = entry.seq;
  }
  transaction.addSubscription(subscription);
  return subscription;
}
