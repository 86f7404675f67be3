// GET /v1/sites: the websites the account tracks, with their snippets. Free; needs `website_visitors`.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { listSites } from '../../../app/visitors/sites.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireFeature } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { cursorSchema, errorResponse, limitSchema, listResponse } from '../../schemas.ts';
import { siteSchema, withSnippet } from './site_snippet.ts';

export function registerSitesList(app: RouteApp, context: AppContext): void {
  app.get(
    '/sites',
    {
      schema: {
        summary: 'Tracked websites',
        description: 'Oldest first. Needs `website_visitors`.',
        tags: ['visitors'],
        querystring: z.strictObject({ limit: limitSchema, cursor: cursorSchema }),
        response: { 200: listResponse(siteSchema), 400: errorResponse, 403: errorResponse },
      },
    },
    async (request, reply) => {
      if (!requireFeature(request, reply, 'website_visitors')) return reply;
      const result = await listSites(context, { accountId: principalOf(request).account.id, ...request.query });
      if (!result.ok) return sendFailure(request, reply, result);
      return { data: result.data.map((site) => withSnippet(site, request)), next_cursor: result.next_cursor };
    },
  );
}
