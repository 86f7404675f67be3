// POST /v1/contacts/batch: many contacts' deep data in one request. 1 credit per newly
// subscribed contact (a contact with neither email nor phone is free), never more than
// `max_credits`, never twice for one id. Needs `api_basic`.
import type { AppContext } from '../../../app/context.ts';
import type { RouteApp } from '../../route_app.ts';
import { errorResponse } from '../../schemas.ts';
import { contactSchema } from './contacts_get.ts';
import { batchBody, batchResponse, replyWithBatch } from './records_batch_route.ts';

export function registerContactsBatch(app: RouteApp, context: AppContext): void {
  app.post(
    '/contacts/batch',
    {
      schema: {
        summary: "Read many contacts' deep data",
        description:
          'Each contact not yet subscribed costs 1 credit and starts a 12-month subscription, in the order given, until max_credits (over_budget) or the balance (insufficient_credits) runs out. A contact with neither email nor phone is free. With an Idempotency-Key, a repeat returns the first response.',
        tags: ['records'],
        body: batchBody,
        response: { 200: batchResponse(contactSchema), 400: errorResponse, 403: errorResponse, 409: errorResponse },
      },
    },
    async (request, reply) => replyWithBatch(context, request, reply, { recordType: 'contact', body: request.body }),
  );
}
