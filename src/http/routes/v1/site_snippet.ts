// The snippet a site pastes into its pages: a script tag loading GET /t.js from the address the
// caller reached this server at, with the site's id in `data-site`. Shared by the sites routes.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SiteView } from '../../../app/visitors/sites.ts';

/** A Host header as a browser or proxy sends it: a name or an IPv6 literal, and a port. */
const hostPattern = /^(?:[a-z0-9.-]{1,253}|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/i;

export const siteSchema = z.object({
  id: z.string(),
  domain: z.string(),
  created_at: z.string(),
  snippet: z.string().describe('The `<script>` tag to paste into every page of the site'),
});

/** This server's origin as the request reached it (X-Forwarded-Proto/-Host only behind a trusted proxy). */
export function serverOrigin(request: FastifyRequest): string {
  const host = hostPattern.test(request.host) ? request.host : 'localhost';
  const protocol = request.protocol === 'https' ? 'https' : 'http';
  return `${protocol}://${host}`;
}

export function withSnippet(site: SiteView, request: FastifyRequest): z.infer<typeof siteSchema> {
  // The host and the id are checked above and by the id module: nothing here needs HTML escaping.
  const snippet = `<script async src="${serverOrigin(request)}/t.js" data-site="${site.id}"></script>`;
  return { ...site, snippet };
}
