// GET /admin/v1/plans: the plans an account can be opened on or moved to (the catalog's current
// plans; retired ones are left out, since no new account or plan change may use them).
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { planView } from '../../app/views.ts';
import type { RouteApp } from '../route_app.ts';

const planSchema = z.object({
  id: z.string(),
  name: z.string(),
  features: z.array(z.string()),
  credits_per_period: z.number().int(),
  period: z.enum(['month', 'year']),
});

export function registerPlansList(app: RouteApp, context: AppContext): void {
  app.get(
    '/plans',
    {
      schema: {
        summary: 'The plans of the catalog',
        description: 'Every plan a new account or a plan change may use.',
        tags: ['operator'],
        response: { 200: z.object({ data: z.array(planSchema), next_cursor: z.null() }) },
      },
    },
    async () => ({
      data: context.plans.allPlans().map(planView),
      next_cursor: null,
    }),
  );
}
