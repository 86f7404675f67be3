// POST /admin/v1/accounts/{id}/adjustments: a signed correction with a reason.
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { adjustCredits } from '../../app/credits/adjust_credits.ts';
import { grantCreditsMax } from '../../app/credits/grant_top_up.ts';
import type { RouteApp } from '../route_app.ts';
import { operatorOriginOf } from '../auth.ts';
import { sendFailure } from '../errors.ts';
import { idempotencyClaim, isFailure } from '../idempotency.ts';
import { errorResponse, idParams, instantSchema, ledgerEntrySchema, textSchema } from '../schemas.ts';
import { noteCharsMax } from './top_ups_create.ts';

export function registerAdjustmentsCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/accounts/:id/adjustments',
    {
      schema: {
        summary: 'Adjust credits (signed)',
        description: 'A positive adjustment adds a grant (expiring at the period end unless expires_at is given); a negative one takes credits in burn-down order and cannot exceed the balance.',
        tags: ['operator'],
        params: idParams,
        body: z.object({
          credits: z.number().int().min(-grantCreditsMax).max(grantCreditsMax).refine((value) => value !== 0, 'must not be 0'),
          reason: textSchema(noteCharsMax),
          expires_at: instantSchema.optional(),
        }),
        response: { 201: z.object({ entry: ledgerEntrySchema, balance: z.number().int() }), 400: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse },
      },
    },
    async (request, reply) => {
      const idempotency = idempotencyClaim(request, 'operator', request.params.id);
      if (isFailure(idempotency)) return sendFailure(request, reply, idempotency);
      const result = await adjustCredits(context, {
        accountId: request.params.id,
        credits: request.body.credits,
        reason: request.body.reason,
        expiresAt: request.body.expires_at,
        origin: operatorOriginOf(request),
        idempotency,
      });
      if (!result.ok) return sendFailure(request, reply, result);
      return reply.code(201).send({ entry: result.entry, balance: result.balance });
    },
  );
}
