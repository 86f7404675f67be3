// POST /admin/v1/clock: moves the manual test clock (QUARRY_CLOCK=manual); 404 otherwise.
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { clockAdvanceDaysMax, setClock } from '../../app/operator/set_clock.ts';
import { ManualClock, toIso } from '../../lib/clock.ts';
import { fail } from '../../lib/result.ts';
import type { RouteApp } from '../route_app.ts';
import { sendFailure } from '../errors.ts';
import { errorResponse, instantSchema } from '../schemas.ts';

export function registerClockSet(app: RouteApp, context: AppContext): void {
  app.post(
    '/clock',
    {
      schema: {
        summary: 'Move the test clock',
        description: `Only when the server runs with QUARRY_CLOCK=manual. The clock only moves forward, at most ${clockAdvanceDaysMax} days (about 100 years) at a time.`,
        tags: ['operator'],
        body: z.union([
          z.object({ advance_days: z.number().min(0).max(clockAdvanceDaysMax) }).strict(),
          z.object({ now: instantSchema }).strict(),
        ]),
        response: { 200: z.object({ now: z.string() }), 400: errorResponse, 404: errorResponse, 422: errorResponse },
      },
    },
    async (request, reply) => {
      if (!(context.clock instanceof ManualClock)) {
        return sendFailure(request, reply, fail('not_found', 'the clock is not manual (start with QUARRY_CLOCK=manual)'));
      }
      const body = request.body;
      const result = await setClock(context, 'now' in body ? { now: body.now } : { advanceDays: body.advance_days });
      if (!result.ok) return sendFailure(request, reply, result);
      return { now: toIso(result.now) };
    },
  );
}
