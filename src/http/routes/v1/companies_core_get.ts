// GET /v1/companies/{id}/core: a company's core identifiers and the account's active subscription
// to it (null when none), without reading deep data. Free; needs the channel's plan feature, as
// search does. The web app's company page opens with it, so that looking at a company never costs
// a credit until the user presses "Unlock".
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { readCompanyCore } from '../../../app/records/company_core.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireFeature } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { errorResponse, idParams, subscriptionSchema } from '../../schemas.ts';

export const companyCoreWithSubscriptionSchema = z.object({
  id: z.string(),
  name: z.string(),
  domain: z.string().nullable(),
  country: z.string().nullable(),
  subscription: subscriptionSchema.nullable().describe('the active subscription covering this company, or null: reading its deep data would cost 1 credit'),
});

export function registerCompaniesCoreGet(app: RouteApp, context: AppContext): void {
  app.get(
    '/companies/:id/core',
    {
      schema: {
        summary: "A company's core identifiers (free)",
        description: 'Name, domain and country, and the active subscription to the company if there is one. Reads no deep data, so it is free and starts no subscription. Needs api_basic (web_app for the web app).',
        tags: ['search'],
        params: idParams,
        response: { 200: companyCoreWithSubscriptionSchema, 400: errorResponse, 403: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      if (!requireFeature(request, reply, principal.channelFeature)) return reply;
      const result = await readCompanyCore(context, { accountId: principal.account.id, companyId: request.params.id });
      if (!result.ok) return sendFailure(request, reply, result);
      return result.company;
    },
  );
}
