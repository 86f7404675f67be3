// GET /v1/visitors: the companies identified visiting the account's sites, newest first (by
// their last visit). Free; needs `website_visitors`.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { listVisitors } from '../../../app/visitors/list_visitors.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireFeature } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { cursorSchema, errorResponse, idSchema, instantSchema, limitSchema, listResponse, subscriptionSchema } from '../../schemas.ts';

export const visitorSchema = z.object({
  company: z.object({ id: z.string(), name: z.string().nullable(), domain: z.string().nullable() }),
  site_id: z.string(),
  visits: z.number().int().describe('Page views attributed to the company on this site'),
  first_seen: z.string(),
  last_seen: z.string(),
  pages: z.array(z.string()).describe('Distinct paths viewed (no query strings), first seen first; at most 50'),
  referrers: z.array(z.string()).describe('Distinct hosts of other sites that sent the company; at most 20'),
  subscription: subscriptionSchema
    .nullable()
    .describe("The account's active subscription to the company now (source `web_visit` when a visit started it), or null when it has lapsed"),
});

export function registerVisitorsList(app: RouteApp, context: AppContext): void {
  app.get(
    '/visitors',
    {
      schema: {
        summary: 'Companies that visited your websites',
        description:
          'One item per company and site, newest last visit first. `since` and `until` bound the last visit (`since` inclusive, `until` exclusive). Each company gets a free subscription (source `web_visit`) on its first identified visit. Needs `website_visitors`.',
        tags: ['visitors'],
        querystring: z.strictObject({
          site_id: idSchema.optional(),
          since: instantSchema.optional(),
          until: instantSchema.optional(),
          limit: limitSchema,
          cursor: cursorSchema,
        }),
        response: { 200: listResponse(visitorSchema), 400: errorResponse, 403: errorResponse },
      },
    },
    async (request, reply) => {
      if (!requireFeature(request, reply, 'website_visitors')) return reply;
      const query = request.query;
      const result = await listVisitors(context, {
        accountId: principalOf(request).account.id,
        siteId: query.site_id,
        since: query.since,
        until: query.until,
        cursor: query.cursor,
        limit: query.limit,
      });
      if (!result.ok) return sendFailure(request, reply, result);
      return { data: result.data, next_cursor: result.next_cursor };
    },
  );
}
