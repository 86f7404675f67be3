// Proves periods are derived from the clock: a boundary passed while nobody looked is neither
// skipped nor granted twice, expiry comes before the new allowance at a shared instant, and
// running the rollover again at the same instant does nothing.
import { describe, expect, it } from 'vitest';
import { planRollover, type PeriodState } from './rollover.ts';
import { periodStart } from '../plans/periods.ts';
import type { GrantState } from './grants.ts';

const anchor = Date.parse('2026-01-31T00:00:00Z');
const state: PeriodState = { anchor, epoch: 0, index: 0, creditsPerPeriod: 100, period: 'month' };
const allowance0: GrantState = { id: 'a0', source: 'allowance', remaining: 40, expiresAt: periodStart(anchor, 'month', 1), createdSeq: 1 };

describe('planRollover', () => {
  it('does nothing before the period ends', () => {
    const plan = planRollover(state, [allowance0], periodStart(anchor, 'month', 1) - 1);
    expect(plan.events).toEqual([]);
    expect(plan.nextEventAt).toBe(periodStart(anchor, 'month', 1));
  });

  it('at the boundary expires the old allowance first, then grants the new one', () => {
    const boundary = periodStart(anchor, 'month', 1);
    const plan = planRollover(state, [allowance0], boundary);
    expect(plan.events.map((event) => event.type)).toEqual(['expire', 'allowance']);
    expect(plan.events[0]).toMatchObject({ grantId: 'a0', credits: 40, at: boundary });
    expect(plan.events[1]).toMatchObject({ periodIndex: 1, credits: 100, at: boundary, expiresAt: periodStart(anchor, 'month', 2) });
    expect(plan.periodIndex).toBe(1);
  });

  it('after three months of downtime grants and expires each missed period exactly once', () => {
    const now = periodStart(anchor, 'month', 3) + 5;
    const plan = planRollover(state, [allowance0], now);
    const allowances = plan.events.filter((event) => event.type === 'allowance');
    expect(allowances.map((event) => event.type === 'allowance' && event.periodIndex)).toEqual([1, 2, 3]);
    expect(plan.events.filter((event) => event.type === 'expire')).toHaveLength(3);
    expect(plan.periodIndex).toBe(3);
    // Run again from the new state: nothing more is due.
    const again = planRollover({ ...state, index: plan.periodIndex }, [], now);
    expect(again.events.filter((event) => event.type === 'allowance')).toEqual([]);
  });

  it('expires a top-up at its own expiry, between period boundaries', () => {
    const topUp: GrantState = { id: 't', source: 'top_up', remaining: 7, expiresAt: anchor + 86_400_000, createdSeq: 2 };
    const plan = planRollover(state, [allowance0, topUp], anchor + 86_400_000);
    expect(plan.events).toEqual([{ type: 'expire', at: anchor + 86_400_000, grantId: 't', credits: 7 }]);
  });
});
