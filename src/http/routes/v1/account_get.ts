// GET /v1/account: plan, current period and credits. Free.
import type { AppContext } from '../../../app/context.ts';
import { summarizeAccount } from '../../../app/accounts/account_summary.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf } from '../../auth.ts';
import { accountSchema } from '../../schemas.ts';

export function registerAccountGet(app: RouteApp, context: AppContext): void {
  app.get(
    '/account',
    { schema: { summary: 'The account: plan, billing period and credits', tags: ['account'], response: { 200: accountSchema } } },
    async (request) => summarizeAccount(context, principalOf(request).account),
  );
}
