// POST /v1/sites: a website to track; the answer carries the snippet to paste into its pages.
// A domain the account already tracks answers 200 with its site; a new one 201. Free; needs
// `website_visitors`. Takes an Idempotency-Key like every creation.
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { createSite } from '../../../app/visitors/sites.ts';
import { domainInputCharsMax } from '../../../domain/visitors/sites.ts';
import type { RouteApp } from '../../route_app.ts';
import { principalOf, requireFeature } from '../../auth.ts';
import { sendFailure } from '../../errors.ts';
import { idempotencyClaim, isFailure } from '../../idempotency.ts';
import { errorResponse } from '../../schemas.ts';
import { siteSchema, withSnippet } from './site_snippet.ts';

export function registerSitesCreate(app: RouteApp, context: AppContext): void {
  app.post(
    '/sites',
    {
      schema: {
        summary: 'Add a website to track',
        description:
          'Paste the returned `snippet` into every page of the site: the companies whose networks visit it appear in `GET /v1/visitors` and get a free subscription (source `web_visit`). `domain` is a host name or a URL (its host is kept, lowercase). Adding a domain the account already tracks answers 200 with the existing site. Needs `website_visitors`.',
        tags: ['visitors'],
        body: z.object({ domain: z.string().min(1).max(domainInputCharsMax) }),
        response: { 200: siteSchema, 201: siteSchema, 400: errorResponse, 403: errorResponse, 409: errorResponse },
      },
    },
    async (request, reply) => {
      if (!requireFeature(request, reply, 'website_visitors')) return reply;
      const accountId = principalOf(request).account.id;
      const idempotency = idempotencyClaim(request, 'customer', accountId);
      if (isFailure(idempotency)) return sendFailure(request, reply, idempotency);
      const result = await createSite(context, { accountId, domain: request.body.domain, idempotency });
      if (!result.ok) return sendFailure(request, reply, result);
      if (result.replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(result.created ? 201 : 200).send(withSnippet(result.site, request));
    },
  );
}
