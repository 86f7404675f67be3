// Billing periods and expiry, derived from the clock (DESIGN.md rule 7). Given an account's
// period state and its open grants, computes every event that is due at `now`, in time order:
// grants that expire, and allowances of periods that have begun. Because it is computed from the
// clock and the stored period index, a boundary passed while the server was down is neither
// skipped nor granted twice: each missed period is granted, and expires, in turn.

import { compareBurnDown, type GrantState } from './grants.ts';
import { periodBounds, periodStart } from '../plans/periods.ts';
import type { PeriodLength } from '../plans/plans.ts';

export interface PeriodState {
  anchor: number;
  epoch: number;
  /** The latest period whose allowance has been granted. */
  index: number;
  creditsPerPeriod: number;
  period: PeriodLength;
}

export type RolloverEvent =
  | { type: 'expire'; at: number; grantId: string; credits: number }
  | { type: 'allowance'; at: number; periodIndex: number; credits: number; expiresAt: number };

export interface RolloverPlan {
  events: RolloverEvent[];
  /** The period index after the events. */
  periodIndex: number;
  /** When the next event falls due. */
  nextEventAt: number;
}

/** A placeholder id for an allowance granted within this plan, before it has a real id. */
export function pendingAllowanceId(periodIndex: number): string {
  return `pending_allowance_${periodIndex}`;
}

export function planRollover(state: PeriodState, grants: readonly GrantState[], now: number): RolloverPlan {
  const open = grants.filter((grant) => grant.remaining > 0);
  const events: RolloverEvent[] = [];
  let periodIndex = state.index;
  for (;;) {
    const nextPeriodAt = periodStart(state.anchor, state.period, periodIndex + 1);
    const soonestExpiry = earliest(open.map((grant) => grant.expiresAt));
    const dueAt = Math.min(nextPeriodAt, soonestExpiry);
    if (dueAt > now) break;
    if (soonestExpiry <= nextPeriodAt) {
      // Expiry comes first at a shared instant: the old allowance leaves before the new arrives.
      for (const grant of open.filter((g) => g.expiresAt === soonestExpiry).sort(compareBurnDown)) {
        events.push({ type: 'expire', at: soonestExpiry, grantId: grant.id, credits: grant.remaining });
        open.splice(open.indexOf(grant), 1);
      }
      continue;
    }
    periodIndex += 1;
    const bounds = periodBounds(state.anchor, state.period, periodIndex);
    if (state.creditsPerPeriod > 0) {
      events.push({
        type: 'allowance',
        at: bounds.start,
        periodIndex,
        credits: state.creditsPerPeriod,
        expiresAt: bounds.end,
      });
      open.push({
        id: pendingAllowanceId(periodIndex),
        source: 'allowance',
        remaining: state.creditsPerPeriod,
        expiresAt: bounds.end,
        createdSeq: Number.MAX_SAFE_INTEGER,
      });
    }
  }
  return { events, periodIndex, nextEventAt: nextEventAt(state.anchor, state.period, periodIndex, open) };
}

/** The earliest of the next period start and the expiry of any grant that still holds credits. */
export function nextEventAt(
  anchor: number,
  period: PeriodLength,
  periodIndex: number,
  grants: readonly GrantState[],
): number {
  const expiries = grants.filter((grant) => grant.remaining > 0).map((grant) => grant.expiresAt);
  return Math.min(periodStart(anchor, period, periodIndex + 1), earliest(expiries));
}

/** The smallest value (Infinity for none), without spreading: an account may hold many grants. */
function earliest(values: readonly number[]): number {
  let result = Infinity;
  for (const value of values) if (value < result) result = value;
  return result;
}
