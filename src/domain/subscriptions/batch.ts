// Reading many records at once (`POST /v1/companies/batch`, `/v1/contacts/batch`) and quoting it
// (`POST /v1/credits/quote`). One pure plan serves both, so a quote is exactly what the batch
// would do with the same facts. Rules 2–6 hold per record; on top of them the batch never
// charges more than `maxCredits`, and an id repeated in one request is decided once.
import type { GrantState } from '../credits/grants.ts';
import { applyAllocations } from '../credits/grants.ts';
import { decideRead, type ReadDecision, type SubscriptionState } from './subscriptions.ts';

/** One distinct record of the request, as loaded before deciding. */
export interface BatchCandidate {
  id: string;
  found: boolean;
  /** False for a contact with neither email nor phone (free, no subscription). */
  deliverable: boolean;
  /** The account's latest subscription to the record, if any. */
  latest: SubscriptionState | null;
}

export interface BatchFacts {
  /** Distinct ids, in the order they were first asked for. */
  candidates: readonly BatchCandidate[];
  grants: readonly GrantState[];
  /** The most this batch may charge; undefined means no limit beyond the balance. */
  maxCredits?: number | undefined;
  now: number;
}

export type BatchItemPlan =
  | { id: string; status: 'ok'; decision: Extract<ReadDecision, { type: 'covered' | 'nothing_to_deliver' | 'charge' }> }
  | { id: string; status: 'not_found' | 'over_budget' | 'insufficient_credits' };

export interface BatchPlan {
  items: BatchItemPlan[];
  /** Credits the plan charges: one per `charge` decision. */
  credits: number;
  /** Credits needed to read every found record of the request (ignoring budget and balance). */
  creditsRequired: number;
}

export function planBatch(facts: BatchFacts): BatchPlan {
  let grants = facts.grants;
  let credits = 0;
  let creditsRequired = 0;
  const items: BatchItemPlan[] = [];
  for (const candidate of facts.candidates) {
    if (!candidate.found) {
      items.push({ id: candidate.id, status: 'not_found' });
      continue;
    }
    const decision = decideRead({ latest: candidate.latest, grants, deliverable: candidate.deliverable, source: 'credit', now: facts.now });
    if (decision.type === 'covered' || decision.type === 'nothing_to_deliver') {
      items.push({ id: candidate.id, status: 'ok', decision });
      continue;
    }
    creditsRequired += 1;
    if (facts.maxCredits !== undefined && credits >= facts.maxCredits) {
      items.push({ id: candidate.id, status: 'over_budget' });
    } else if (decision.type === 'insufficient_credits') {
      items.push({ id: candidate.id, status: 'insufficient_credits' });
    } else if (decision.type === 'charge') {
      items.push({ id: candidate.id, status: 'ok', decision });
      grants = applyAllocations(grants, decision.allocations);
      credits += 1;
    } else {
      // A credit read never starts a free subscription.
      throw new Error(`unexpected decision ${decision.type} for a credit read`);
    }
  }
  return { items, credits, creditsRequired };
}

/** The distinct ids of a request, in first-asked order. */
export function distinctIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
