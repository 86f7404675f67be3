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

export async function setClock(context: AppContext, move: ClockMove): Promise<Result<{ now: number }>> {
  const clock = context.clock;
  if (!(clock instanceof ManualClock)) return unprocessable('the clock is not manual');
  const target = 'now' in move ? move.now : clock.now() + Math.round(move.advanceDays * dayMs);
  if (!clock.set(target)) return unprocessable('the clock only moves forward', 'now' in move ? 'now' : 'advance_days');
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
