// POST /v1/credits/top-ups: buys a bundle; the credits expire at the end of the current billing
// period. With an Idempotency-Key, a repeat grants once and returns the first response.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { buyTopUp } from '../../../app/credits/grant_top_up.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { idempotencyClaim, isFailure } from '../../idempotency.ts';
import { errorResponse, grantSchema, idSchema } from '../../schemas.ts';

export function registerCreditsTopUpsCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/credits/top-ups',
    {
      schema: {
        summary: 'Buy a top-up bundle',
        tags: ['credits'],
        body: z.object({ bundle: idSchema }),
        response: { 201: z.object({ grant: grantSchema, balance: z.number().int() }), 400: errorResponse, 409: errorResponse, 422: errorResponse },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const idempotency = idempotencyClaim(request, 'customer', principal.account.id);
      if (isFailure(idempotency)) return sendFailure(request, reply, idempotency);
      const result = await buyTopUp(context, {
        accountId: principal.account.id,
        bundleId: request.body.bundle,
        origin: principal.origin,
        idempotency,
      });
      if (!result.ok) return sendFailure(request, reply, result);
      request.creditsRemaining = result.currentBalance;
      if (result.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(201).send({ grant: result.grant, balance: result.balance });
    },
  );
}
