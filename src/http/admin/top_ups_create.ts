// POST /admin/v1/accounts/{id}/top-ups: an account manager grants credits, with an optional
// expiry (default: the end of the current billing period). Idempotency-Key: grants once.
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { grantCreditsMax, grantTopUp, noteCharsMax } from '../../app/credits/grant_top_up.ts';
import type { RouteApp } from '../route_app.ts';
import { operatorOriginOf } from '../auth.ts';
import { sendFailure } from '../errors.ts';
import { idempotencyClaim, isFailure } from '../idempotency.ts';
import { errorResponse, grantSchema, idParams, instantSchema, textSchema } from '../schemas.ts';

export { noteCharsMax };

export function registerTopUpsCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/accounts/:id/top-ups',
    {
      schema: {
        summary: 'Grant a top-up',
        tags: ['operator'],
        params: idParams,
        body: z.object({
          credits: z.number().int().min(1).max(grantCreditsMax),
          expires_at: instantSchema.optional(),
          note: textSchema(noteCharsMax).optional(),
        }),
        response: { 201: z.object({ grant: grantSchema, balance: z.number().int() }), 400: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse },
      },
    },
    async (request, reply) => {
      const idempotency = idempotencyClaim(request, 'operator', request.params.id);
      if (isFailure(idempotency)) return sendFailure(request, reply, idempotency);
      const result = await grantTopUp(context, {
        accountId: request.params.id,
        credits: request.body.credits,
        expiresAt: request.body.expires_at,
        note: request.body.note,
        origin: operatorOriginOf(request),
        idempotency,
      });
      if (!result.ok) return sendFailure(request, reply, result);
      if (result.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(201).send({ grant: result.grant, balance: result.balance });
    },
  );
}
