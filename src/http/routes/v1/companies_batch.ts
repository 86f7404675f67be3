// POST /v1/companies/batch: many companies' deep data in one request. 1 credit per newly
// subscribed company, never more than `max_credits`, never twice for one id. Needs `api_basic`.
import type { AppContext } from '../../../app/context.ts';
import type { RouteApp } from '../../route_app.ts';
import { errorResponse } from '../../schemas.ts';
import { companySchema } from './companies_get.ts';
import { batchBody, batchResponse, replyWithBatch } from './records_batch_route.ts';

export function registerCompaniesBatch(app: RouteApp, context: AppContext): void {
  app.post(
    '/companies/batch',
    {
      schema: {
        summary: "Read many companies' deep data",
        description:
          'Each company not yet subscribed costs 1 credit and starts a 12-month subscription, in the order given, until max_credits (over_budget) or the balance (insufficient_credits) runs out. Found, subscribed companies are free. With an Idempotency-Key, a repeat returns the first response.',
        tags: ['records'],
        body: batchBody,
        response: { 200: batchResponse(companySchema), 400: errorResponse, 403: errorResponse, 409: errorResponse },
      },
    },
    async (request, reply) => replyWithBatch(context, request, reply, { recordType: 'company', body: request.body }),
  );
}
