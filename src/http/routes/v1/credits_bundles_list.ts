// GET /v1/credits/bundles: the top-up bundles an account can buy. Free.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import type { RouteApp } from '../../route_app.ts';

export const bundleSchema = z.object({
  id: z.string(),
  name: z.string(),
  credits: z.number().int(),
  price: z.object({ amount_cents: z.number().int(), currency: z.string() }),
});

export function registerCreditsBundlesList(app: RouteApp, context: AppContext): void {
  app.get(
    '/credits/bundles',
    {
      schema: {
        summary: 'Top-up bundles for sale',
        tags: ['credits'],
        response: { 200: z.object({ data: z.array(bundleSchema), next_cursor: z.null() }) },
      },
    },
    async () => ({
      data: context.plans.allBundles().map((bundle) => ({
        id: bundle.id,
        name: bundle.name,
        credits: bundle.credits,
        price: { amount_cents: bundle.priceCents, currency: bundle.currency },
      })),
      next_cursor: null,
    }),
  );
}
