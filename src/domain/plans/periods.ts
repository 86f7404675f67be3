// Billing periods, computed from an anchor instant and the clock. Period k runs from
// anchor + k periods (inclusive) to anchor + (k + 1) periods (exclusive). Months are calendar
// months in UTC, counted from the anchor each time (never chained), so an anchor on the 31st
// gives the 28th/29th in February and the 31st again in March.

import type { PeriodLength } from './plans.ts';
import { assert } from '../../lib/assert.ts';

export interface PeriodBounds {
  index: number;
  start: number;
  end: number;
}

/** `ms` plus `months` calendar months (UTC), the day clamped to the target month's length. */
export function addMonths(ms: number, months: number): number {
  assert(Number.isSafeInteger(months), 'months must be an integer');
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const day = Math.min(date.getUTCDate(), lastDay);
  return Date.UTC(
    targetYear,
    targetMonth,
    day,
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
}

export function monthsPerPeriod(period: PeriodLength): number {
  return period === 'year' ? 12 : 1;
}

/** The start of period `index` counted from `anchor`. */
export function periodStart(anchor: number, period: PeriodLength, index: number): number {
  return addMonths(anchor, index * monthsPerPeriod(period));
}

/** The period (index, start, end) that contains `now`; `now` before the anchor is period 0. */
export function periodAt(anchor: number, period: PeriodLength, now: number): PeriodBounds {
  const index = periodIndexAt(anchor, period, now);
  return periodBounds(anchor, period, index);
}

export function periodBounds(anchor: number, period: PeriodLength, index: number): PeriodBounds {
  return { index, start: periodStart(anchor, period, index), end: periodStart(anchor, period, index + 1) };
}

/** The largest index k >= 0 with periodStart(k) <= now. */
export function periodIndexAt(anchor: number, period: PeriodLength, now: number): number {
  if (now <= anchor) return 0;
  const from = new Date(anchor);
  const to = new Date(now);
  const monthsApart =
    (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  // The estimate is off by at most one period either way because of day clamping; correct it.
  let index = Math.max(0, Math.floor(monthsApart / monthsPerPeriod(period)));
  while (index > 0 && periodStart(anchor, period, index) > now) index -= 1;
  while (periodStart(anchor, period, index + 1) <= now) index += 1;
  return index;
}

/** A record subscription lasts 12 calendar months. */
export const subscriptionMonths = 12;

export function subscriptionExpiry(startedAt: number): number {
  return addMonths(startedAt, subscriptionMonths);
}
