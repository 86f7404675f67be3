// GET /admin/v1/accounts/{id}
import type { AppContext } from '../../app/context.ts';
import { getAccount } from '../../app/accounts/get_account.ts';
import type { RouteApp } from '../route_app.ts';
import { sendFailure } from '../errors.ts';
import { accountSchema, errorResponse, idParams } from '../schemas.ts';

export function registerAccountsGet(app: RouteApp, context: AppContext): void {
  app.get(
    '/accounts/:id',
    { schema: { summary: 'Read an account', tags: ['operator'], params: idParams, response: { 200: accountSchema, 404: errorResponse } } },
    async (request, reply) => {
      const result = await getAccount(context, request.params.id);
      if (!result.ok) return sendFailure(request, reply, result);
      return result.account;
    },
  );
}
