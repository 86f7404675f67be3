// GET /admin/v1/reconcile: checks every account's ledger, grants and subscriptions.
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { reconcile } from '../../app/operator/reconcile.ts';
import type { RouteApp } from '../route_app.ts';

export function registerReconcileGet(app: RouteApp, context: AppContext): void {
  app.get(
    '/reconcile',
    {
      schema: {
        summary: 'Reconcile every account',
        tags: ['operator'],
        response: {
          200: z.object({
            ok: z.boolean(),
            accounts_checked: z.number().int(),
            differences: z.array(z.object({ account_id: z.string(), check: z.string(), message: z.string() })),
          }),
        },
      },
    },
    async () => reconcile(context),
  );
}
