// POST /v1/credits/quote: what reading these companies and contacts would cost now — the same
// decision the batch reads make, without writing anything. Free.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { quoteCredits } from '../../../app/credits/quote_credits.ts';
import { batchIdsMax } from '../../../app/records/read_records_batch.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { errorResponse, idSchema } from '../../schemas.ts';

/** Ids per quote, of each type: what two batch requests could read. */
export const quoteIdsMax = batchIdsMax * 10;

export const quoteBody = z
  .strictObject({
    companies: z.array(idSchema).max(quoteIdsMax).default([]),
    contacts: z.array(idSchema).max(quoteIdsMax).default([]),
  });

export const quoteResponse = z.object({
  credits_required: z.number().int().describe('credits needed to read every found record not yet subscribed'),
  already_subscribed: z.number().int().describe('distinct records covered by an active subscription'),
  not_found: z.number().int().describe('distinct ids not in the catalog'),
  balance: z.number().int(),
  sufficient: z.boolean().describe('whether the balance covers credits_required'),
  items: z.array(
    z.object({
      record_type: z.enum(['company', 'contact']),
      id: z.string(),
      status: z.enum(['charge', 'subscribed', 'free', 'not_found']),
    }),
  ),
});

export function registerCreditsQuote(app: RouteApp, context: AppContext): void {
  app.post(
    '/credits/quote',
    {
      schema: {
        summary: 'Quote the credits a read would cost',
        description: 'Decided exactly as the batch reads decide, at this instant, without writing anything. Free.',
        tags: ['credits'],
        body: quoteBody,
        response: { 200: quoteResponse, 400: errorResponse },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const result = await quoteCredits(context, {
        accountId: principal.account.id,
        companies: request.body.companies,
        contacts: request.body.contacts,
      });
      if (!result.ok) return sendFailure(request, reply, result);
      return result.quote;
    },
  );
}
