// A quote (`POST /v1/credits/quote`): what reading these companies and contacts would cost now,
// decided by the same plan as the batch reads (domain/subscriptions/batch.ts), without writing.
import { openGrants, toGrantState } from '../../store/credits.ts';
import { latestSubscriptions } from '../../store/subscriptions.ts';
import { recordsByIds } from '../../store/catalog.ts';
import type { RecordType } from '../../store/schema.ts';
import { applyAllocations, spendableBalance, type GrantState } from '../../domain/credits/grants.ts';
import { distinctIds, planBatch } from '../../domain/subscriptions/batch.ts';
import type { Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { candidateOf } from '../records/read_records_batch.ts';

export type QuoteStatus = 'charge' | 'subscribed' | 'free' | 'not_found';

export interface Quote {
  credits_required: number;
  already_subscribed: number;
  not_found: number;
  balance: number;
  sufficient: boolean;
  /** Each distinct record asked for and what reading it would do. */
  items: Array<{ record_type: RecordType; id: string; status: QuoteStatus }>;
}

export interface QuoteInput {
  accountId: string;
  companies: readonly string[];
  contacts: readonly string[];
}

export async function quoteCredits(context: AppContext, input: QuoteInput): Promise<Result<{ quote: Quote }>> {
  const db = context.store.readDb;
  const now = context.clock.now();
  let grants: GrantState[] = (await openGrants(db, input.accountId)).map(toGrantState);
  const balance = spendableBalance(grants, now);
  const quote: Quote = { credits_required: 0, already_subscribed: 0, not_found: 0, balance, sufficient: true, items: [] };
  for (const recordType of ['company', 'contact'] as const) {
    const ids = distinctIds(recordType === 'company' ? input.companies : input.contacts);
    const records = await recordsByIds(db, recordType, ids);
    const latest = await latestSubscriptions(db, input.accountId, recordType, [...records.keys()]);
    const plan = planBatch({
      candidates: ids.map((id) => candidateOf(id, records, latest)),
      grants,
      now,
    });
    for (const item of plan.items) {
      const status = quoteStatus(item);
      quote.items.push({ record_type: recordType, id: item.id, status });
      if (status === 'subscribed') quote.already_subscribed += 1;
      if (status === 'not_found') quote.not_found += 1;
      if (item.status === 'ok' && item.decision.type === 'charge') grants = applyAllocations(grants, item.decision.allocations);
    }
    quote.credits_required += plan.creditsRequired;
  }
  quote.sufficient = quote.credits_required <= balance;
  return { ok: true, quote };
}

function quoteStatus(item: ReturnType<typeof planBatch>['items'][number]): QuoteStatus {
  if (item.status === 'not_found') return 'not_found';
  if (item.status !== 'ok') return 'charge';
  switch (item.decision.type) {
    case 'covered':
      return 'subscribed';
    case 'nothing_to_deliver':
      return 'free';
    case 'charge':
      return 'charge';
  }
}
