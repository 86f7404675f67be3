// GET /v1/credits/ledger: every credit movement, newest first. Free.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { listLedger } from '../../../app/credits/list_ledger.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { cursorSchema, errorResponse, instantSchema, ledgerEntrySchema, limitSchema, listResponse } from '../../schemas.ts';

export const ledgerQuery = z.strictObject({
  kind: z.enum(['grant', 'charge', 'expire', 'refund', 'adjust']).optional(),
  since: instantSchema.optional(),
  until: instantSchema.optional(),
  limit: limitSchema,
  cursor: cursorSchema,
});

export function registerCreditsLedgerList(app: RouteApp, context: AppContext): void {
  app.get(
    '/credits/ledger',
    {
      schema: {
        summary: 'The credit ledger, newest first',
        tags: ['credits'],
        querystring: ledgerQuery,
        response: { 200: listResponse(ledgerEntrySchema), 400: errorResponse },
      },
    },
    async (request, reply) => {
      const result = await listLedger(context, { accountId: principalOf(request).account.id, ...request.query });
      if (!result.ok) return sendFailure(request, reply, result);
      return { data: result.data, next_cursor: result.next_cursor };
    },
  );
}
