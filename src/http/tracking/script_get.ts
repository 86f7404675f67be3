// GET /t.js: the tracking script (tracking_script.ts). Public, cacheable, with an ETag so a
// revalidation costs a 304. Outside the API document, like /health: it is not an API.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { requestWithoutAddress } from './collect.ts';
import { trackingScript } from './tracking_script.ts';

/** How long browsers and CDNs may keep the script without asking again, in seconds. */
export const trackingScriptMaxAgeSeconds = 3600;

const etag = `"${createHash('sha256').update(trackingScript).digest('base64url').slice(0, 22)}"`;

export function registerTrackingScript(app: FastifyInstance): void {
  app.get('/t.js', { schema: { hide: true }, logSerializers: { req: requestWithoutAddress } }, async (request, reply) => {
    reply
      .header('Cache-Control', `public, max-age=${trackingScriptMaxAgeSeconds}`)
      .header('ETag', etag)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('text/javascript; charset=utf-8').send(trackingScript);
  });
}
