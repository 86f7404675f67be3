// The manual test clock (QUARRY_CLOCK=manual): moved only by the operator, only forward. Its
// time is kept in the settings table so a restart does not send it back to the wall clock.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { ManualClock, dayMs, wallNow } from '../../lib/clock.ts';
import { unprocessable, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';

const settingKey = 'manual_clock_now';

export async function loadManualClock(db: Kysely<Database>): Promise<ManualClock> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', settingKey).executeTakeFirst();
  return new ManualClock(row ? Number(row.value) : wallNow());
}

export type ClockMove = { advanceDays: number } | { now: number };

/**
 * A bound on one jump: about 100 years. Each account's periods are caught up on its next request
 * (an expiry and a grant per period), so a jump of thousands of years held a server for minutes.
 */
export const clockAdvanceDaysMax = 36_500;

export async function setClock(context: AppContext, move: ClockMove): Promise<Result<{ now: number }>> {
  const clock = context.clock;
  if (!(clock instanceof ManualClock)) return unprocessable('the clock is not manual');
  const target = 'now' in move ? move.now : clock.now() + Math.round(move.advanceDays * dayMs);
  const field = 'now' in move ? 'now' : 'advance_days';
  if (target - clock.now() > clockAdvanceDaysMax * dayMs) return unprocessable(`the clock moves at most ${clockAdvanceDaysMax} days at a time`, field);
  if (!clock.set(target)) return unprocessable('the clock only moves forward', field);
  const value = String(clock.now());
  await context.store.writeTransaction((tx) =>
    tx
      .insertInto('settings')
      .values({ key: settingKey, value })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
      .execute(),
  );
  return { ok: true, now: clock.now() };
}
