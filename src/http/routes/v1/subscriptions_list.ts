// GET /v1/subscriptions: the account's record subscriptions (active ones by default). Free.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { listSubscriptions } from '../../../app/subscriptions/list_subscriptions.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { booleanQuery, cursorSchema, errorResponse, instantSchema, limitSchema, listResponse, subscriptionSchema } from '../../schemas.ts';

export const subscriptionsQuery = z.strictObject({
  record_type: z.enum(['company', 'contact']).optional(),
  active: booleanQuery.default(true),
  expiring_before: instantSchema.optional(),
  limit: limitSchema,
  cursor: cursorSchema,
});

export function registerSubscriptionsList(app: RouteApp, context: AppContext): void {
  app.get(
    '/subscriptions',
    {
      schema: {
        summary: 'Record subscriptions',
        tags: ['subscriptions'],
        querystring: subscriptionsQuery,
        response: { 200: listResponse(subscriptionSchema), 400: errorResponse },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const result = await listSubscriptions(context, {
        accountId: principalOf(request).account.id,
        recordType: query.record_type,
        active: query.active,
        expiringBefore: query.expiring_before,
        cursor: query.cursor,
        limit: query.limit,
      });
      if (!result.ok) return sendFailure(request, reply, result);
      return { data: result.data, next_cursor: result.next_cursor };
    },
  );
}
