// Proves billing periods are calendar periods counted from the anchor: clamped month ends,
// half-open bounds, and that every instant falls in exactly one period.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addMonths, periodAt, periodIndexAt, periodStart, subscriptionExpiry } from './periods.ts';

const at = (iso: string) => Date.parse(iso);

describe('addMonths', () => {
  it('clamps the day to the end of shorter months and comes back to the anchor day', () => {
    const anchor = at('2026-01-31T09:30:00Z');
    expect(new Date(addMonths(anchor, 1)).toISOString()).toBe('2026-02-28T09:30:00.000Z');
    expect(new Date(addMonths(anchor, 2)).toISOString()).toBe('2026-03-31T09:30:00.000Z');
    expect(new Date(addMonths(at('2028-01-31T00:00:00Z'), 1)).toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });

  it('adds years across leap days', () => {
    expect(new Date(addMonths(at('2028-02-29T12:00:00Z'), 12)).toISOString()).toBe('2029-02-28T12:00:00.000Z');
    expect(new Date(subscriptionExpiry(at('2026-03-15T08:00:00Z'))).toISOString()).toBe('2027-03-15T08:00:00.000Z');
  });
});

describe('periodAt', () => {
  it('treats the period end as the next period start (half-open)', () => {
    const anchor = at('2026-01-15T10:00:00Z');
    const end = periodStart(anchor, 'month', 1);
    expect(periodAt(anchor, 'month', end - 1).index).toBe(0);
    expect(periodAt(anchor, 'month', end).index).toBe(1);
    expect(periodAt(anchor, 'year', at('2027-01-15T09:59:59.999Z')).index).toBe(0);
    expect(periodAt(anchor, 'year', at('2027-01-15T10:00:00Z')).index).toBe(1);
  });

  it('places every instant in exactly one period, for any anchor', () => {
    const instant = fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') });
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 40 * 366 * 86_400_000 }), fc.constantFrom('month' as const, 'year' as const), (anchor, offset, period) => {
        const now = anchor + offset;
        const index = periodIndexAt(anchor, period, now);
        const bounds = periodAt(anchor, period, now);
        expect(bounds.index).toBe(index);
        expect(bounds.start).toBeLessThanOrEqual(now);
        expect(now).toBeLessThan(bounds.end);
        expect(bounds.end).toBe(periodStart(anchor, period, index + 1));
      }),
    );
  });
});
