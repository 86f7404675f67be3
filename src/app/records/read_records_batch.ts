// Reading many records of one type at once: every found record's deep data, each new
// subscription charged 1 credit, never more than `max_credits` and never twice for one id (an
// id repeated in the request is decided once). One account transaction for the whole batch.
//
// Setup → compute → execute: the records are loaded first (a missing record costs nothing),
// then, under the account's lock, domain/subscriptions/batch.ts plans the batch, and the plan's
// charges are appended as one ledger entry each.
import type { RecordType } from '../../store/schema.ts';
import { latestSubscriptions, toSubscriptionState, type SubscriptionRow } from '../../store/subscriptions.ts';
import { recordsByIds } from '../../store/catalog.ts';
import type { IdempotencyClaim } from '../../store/idempotency.ts';
import { contactIsDeliverable, type CompanyRecord, type ContactRecord } from '../../domain/catalog/records.ts';
import { distinctIds, planBatch, type BatchCandidate, type BatchItemPlan } from '../../domain/subscriptions/batch.ts';
import type { Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { inAccountTransaction, type AccountTransaction, type Origin } from '../credits/account_transaction.ts';
import { subscriptionView, type SubscriptionView } from '../views.ts';
import { startSubscription } from './start_subscription.ts';

/** Ids per batch request (STYLE.md rule 11). */
export const batchIdsMax = 100;

export type BatchStatus = BatchItemPlan['status'];

export interface BatchItemResult {
  id: string;
  status: BatchStatus;
  data?: CompanyRecord | ContactRecord;
  subscription?: SubscriptionView | null;
  /** Credits this item consumed: 1 for the first occurrence of a newly subscribed id, else 0. */
  charged: number;
}

export interface BatchInput {
  accountId: string;
  recordType: RecordType;
  ids: readonly string[];
  maxCredits?: number | undefined;
  origin: Origin;
  idempotency?: IdempotencyClaim | undefined;
}

export interface BatchOutcome {
  results: BatchItemResult[];
  charged: number;
  balance: number;
  /** True when an Idempotency-Key matched an earlier request: these are its results. */
  replayed: boolean;
  currentBalance: number;
}

export type LoadedRecords = Map<string, CompanyRecord | ContactRecord>;

export async function readRecordsBatch(context: AppContext, input: BatchInput): Promise<Result<BatchOutcome>> {
  const ids = distinctIds(input.ids);
  const records: LoadedRecords = await recordsByIds(context.store.readDb, input.recordType, ids);
  const outcome = await inAccountTransaction(
    context,
    input.accountId,
    async (transaction) => ({ ok: true, results: await applyBatch(transaction, input, ids, records) }),
    { idempotency: input.idempotency },
  );
  if (!outcome.ok) return outcome;
  const results = outcome.value.results;
  return {
    ok: true,
    results,
    charged: results.reduce((sum, item) => sum + item.charged, 0),
    balance: outcome.balance,
    replayed: outcome.replayed,
    currentBalance: outcome.currentBalance,
  };
}

/** Plans the batch under the account's lock and appends its charges. */
async function applyBatch(
  transaction: AccountTransaction,
  input: BatchInput,
  ids: readonly string[],
  records: LoadedRecords,
): Promise<BatchItemResult[]> {
  const latest = await latestSubscriptions(transaction.tx, input.accountId, input.recordType, [...records.keys()]);
  const plan = planBatch({
    candidates: ids.map((id) => candidateOf(id, records, latest)),
    grants: transaction.grants,
    maxCredits: input.maxCredits,
    now: transaction.now,
  });
  const byId = new Map<string, BatchItemResult>();
  for (const item of plan.items) {
    byId.set(item.id, await applyItem(transaction, input, item, records, latest));
  }
  // Every requested position answers; a repeated id repeats its result without a second charge.
  const seen = new Set<string>();
  return input.ids.map((id) => {
    const result = byId.get(id)!;
    if (seen.has(id)) return { ...result, charged: 0 };
    seen.add(id);
    return result;
  });
}

/** What the plan needs to know of one requested id (shared with the quote). */
export function candidateOf(id: string, records: LoadedRecords, latest: Map<string, SubscriptionRow>): BatchCandidate {
  const record = records.get(id);
  const subscription = latest.get(id);
  return {
    id,
    found: record !== undefined,
    deliverable: record === undefined || !('email' in record) || contactIsDeliverable(record),
    latest: subscription ? toSubscriptionState(subscription) : null,
  };
}

async function applyItem(
  transaction: AccountTransaction,
  input: BatchInput,
  item: BatchItemPlan,
  records: LoadedRecords,
  latest: Map<string, SubscriptionRow>,
): Promise<BatchItemResult> {
  if (item.status !== 'ok') return { id: item.id, status: item.status, charged: 0 };
  const data = records.get(item.id)!;
  const decision = item.decision;
  if (decision.type === 'covered') {
    return { id: item.id, status: 'ok', data, subscription: subscriptionView(latest.get(item.id)!), charged: 0 };
  }
  if (decision.type === 'nothing_to_deliver') return { id: item.id, status: 'ok', data, subscription: null, charged: 0 };
  const subscription = await startSubscription(transaction, {
    accountId: input.accountId,
    recordType: input.recordType,
    recordId: item.id,
    source: 'credit',
    origin: input.origin,
    decision,
  });
  return { id: item.id, status: 'ok', data, subscription: subscriptionView(subscription), charged: 1 };
}
