// Proves the batch plan: never over the budget or the balance, one decision per distinct id,
// burn-down across charges, and not-found / covered / undeliverable records free.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planBatch, type BatchCandidate } from './batch.ts';
import type { GrantState } from '../credits/grants.ts';

const now = Date.UTC(2026, 0, 15);
const dayMs = 86_400_000;

function grant(id: string, remaining: number, expiresInDays: number, source: GrantState['source'] = 'allowance'): GrantState {
  return { id, source, remaining, expiresAt: now + expiresInDays * dayMs, createdSeq: 1 };
}

function candidate(id: string, overrides: Partial<BatchCandidate> = {}): BatchCandidate {
  return { id, found: true, deliverable: true, latest: null, ...overrides };
}

const active = { id: 'sub_1', recordType: 'company' as const, recordId: 'x', generation: 1, source: 'credit' as const, startedAt: now - dayMs, expiresAt: now + dayMs, endedAt: null };

describe('planBatch', () => {
  it('charges each new record once, in order, drawing the soonest-expiring grant first', () => {
    const plan = planBatch({
      candidates: [candidate('a'), candidate('b'), candidate('c')],
      grants: [grant('late', 5, 30, 'top_up'), grant('soon', 2, 10)],
      now,
    });
    expect(plan.credits).toBe(3);
    const grantsUsed = plan.items.map((item) => (item.status === 'ok' && item.decision.type === 'charge' ? item.decision.allocations[0]!.grantId : null));
    expect(grantsUsed).toEqual(['soon', 'soon', 'late']);
  });

  it('leaves covered, undeliverable and missing records free', () => {
    const plan = planBatch({
      candidates: [candidate('a', { latest: { ...active, recordId: 'a' } }), candidate('b', { deliverable: false }), candidate('c', { found: false })],
      grants: [grant('g', 1, 10)],
      now,
    });
    expect(plan.credits).toBe(0);
    expect(plan.creditsRequired).toBe(0);
    expect(plan.items.map((item) => item.status)).toEqual(['ok', 'ok', 'not_found']);
  });

  it('stops at the budget with over_budget, and at the balance with insufficient_credits', () => {
    const budget = planBatch({ candidates: [candidate('a'), candidate('b'), candidate('c')], grants: [grant('g', 10, 10)], maxCredits: 1, now });
    expect(budget.items.map((item) => item.status)).toEqual(['ok', 'over_budget', 'over_budget']);
    const balance = planBatch({ candidates: [candidate('a'), candidate('b')], grants: [grant('g', 1, 10)], now });
    expect(balance.items.map((item) => item.status)).toEqual(['ok', 'insufficient_credits']);
    expect(balance.creditsRequired).toBe(2);
  });

  it('never charges more than the budget, the balance or the records needing a charge', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ found: fc.boolean(), deliverable: fc.boolean(), covered: fc.boolean() }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 4 }),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
        (records, grantSizes, maxCredits) => {
          const candidates = records.map((record, index) =>
            candidate(`r${index}`, { found: record.found, deliverable: record.deliverable, latest: record.covered ? { ...active, recordId: `r${index}` } : null }),
          );
          const grants = grantSizes.map((size, index) => grant(`g${index}`, size, index + 1));
          const balance = grantSizes.reduce((sum, size) => sum + size, 0);
          const plan = planBatch({ candidates, grants, maxCredits, now });
          const needing = records.filter((record) => record.found && record.deliverable && !record.covered).length;
          expect(plan.creditsRequired).toBe(needing);
          expect(plan.credits).toBe(Math.min(needing, balance, maxCredits ?? Infinity));
        },
      ),
    );
  });
});
