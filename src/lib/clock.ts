// The one place that reads wall time. Everything else receives a Clock (or a `now` in
// milliseconds since the epoch) so tests and the manual test clock can move time.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Wall time for things that must not move with the test clock (ids, request timing). */
export function wallNow(): number {
  return Date.now();
}

/**
 * The test clock of API.md (`QUARRY_CLOCK=manual`). It starts at a given instant and only moves
 * forward: the credit rules assume time never runs backwards.
 */
export class ManualClock implements Clock {
  #now: number;

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Moves the clock to `ms`; returns false (and does not move) when `ms` is in the past. */
  set(ms: number): boolean {
    if (!Number.isSafeInteger(ms) || ms < this.#now) return false;
    this.#now = ms;
    return true;
  }

  advance(ms: number): boolean {
    return this.set(this.#now + ms);
  }
}

export const dayMs = 24 * 60 * 60 * 1000;

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
