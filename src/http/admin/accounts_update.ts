// PATCH /admin/v1/accounts/{id}: change the plan (a new billing period starts now).
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { changePlan } from '../../app/accounts/change_plan.ts';
import { getAccount } from '../../app/accounts/get_account.ts';
import type { RouteApp } from '../route_app.ts';
import { operatorOriginOf } from '../auth.ts';
import { sendFailure } from '../errors.ts';
import { accountSchema, errorResponse, idParams, idSchema } from '../schemas.ts';

export function registerAccountsUpdate(app: RouteApp, context: AppContext): void {
  app.patch(
    '/accounts/:id',
    {
      schema: {
        summary: "Change an account's plan",
        tags: ['operator'],
        params: idParams,
        body: z.object({ plan_id: idSchema }),
        response: { 200: accountSchema, 400: errorResponse, 404: errorResponse, 422: errorResponse },
      },
    },
    async (request, reply) => {
      const changed = await changePlan(context, { accountId: request.params.id, planId: request.body.plan_id, origin: operatorOriginOf(request) });
      if (!changed.ok) return sendFailure(request, reply, changed);
      const result = await getAccount(context, request.params.id);
      if (!result.ok) return sendFailure(request, reply, result);
      return result.account;
    },
  );
}
