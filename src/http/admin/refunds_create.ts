// POST /admin/v1/accounts/{id}/refunds: ends a paid subscription and returns its credit.
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { refundSubscription } from '../../app/credits/refund_subscription.ts';
import type { RouteApp } from '../route_app.ts';
import { operatorOriginOf } from '../auth.ts';
import { sendFailure } from '../errors.ts';
import { idempotencyClaim, isFailure } from '../idempotency.ts';
import { errorResponse, idParams, idSchema, ledgerEntrySchema, textSchema } from '../schemas.ts';
import { noteCharsMax } from './top_ups_create.ts';

export function registerRefundsCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/accounts/:id/refunds',
    {
      schema: {
        summary: 'Refund a subscription',
        tags: ['operator'],
        params: idParams,
        body: z.object({ subscription_id: idSchema, reason: textSchema(noteCharsMax) }),
        response: { 201: z.object({ entry: ledgerEntrySchema, balance: z.number().int() }), 400: errorResponse, 404: errorResponse, 409: errorResponse, 422: errorResponse },
      },
    },
    async (request, reply) => {
      const idempotency = idempotencyClaim(request, 'operator', request.params.id);
      if (isFailure(idempotency)) return sendFailure(request, reply, idempotency);
      const result = await refundSubscription(context, {
        accountId: request.params.id,
        subscriptionId: request.body.subscription_id,
        reason: request.body.reason,
        origin: operatorOriginOf(request),
        idempotency,
      });
      if (!result.ok) return sendFailure(request, reply, result);
      return reply.code(201).send({ entry: result.entry, balance: result.balance });
    },
  );
}
