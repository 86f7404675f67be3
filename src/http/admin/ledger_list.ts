// GET /admin/v1/accounts/{id}/ledger: any account's ledger, for account managers.
import type { AppContext } from '../../app/context.ts';
import { listLedger } from '../../app/credits/list_ledger.ts';
import { findAccount } from '../../store/accounts.ts';
import { fail } from '../../lib/result.ts';
import type { RouteApp } from '../route_app.ts';
import { sendFailure } from '../errors.ts';
import { errorResponse, idParams, ledgerEntrySchema, listResponse } from '../schemas.ts';
import { ledgerQuery } from '../routes/v1/credits_ledger_list.ts';

export function registerLedgerList(app: RouteApp, context: AppContext): void {
  app.get(
    '/accounts/:id/ledger',
    {
      schema: {
        summary: "An account's ledger",
        tags: ['operator'],
        params: idParams,
        querystring: ledgerQuery,
        response: { 200: listResponse(ledgerEntrySchema), 400: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      if (!(await findAccount(context.store.db, request.params.id))) {
        return sendFailure(request, reply, fail('not_found', `account ${request.params.id} not found`));
      }
      const result = await listLedger(context, { accountId: request.params.id, ...request.query });
      if (!result.ok) return sendFailure(request, reply, result);
      return { data: result.data, next_cursor: result.next_cursor };
    },
  );
}
