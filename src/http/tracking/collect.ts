// POST /collect: a page view from the tracking script. Public, from any origin (CORS, with the
// OPTIONS preflight answered too), JSON or text/plain JSON (what sendBeacon sends), bounded.
// It always answers 204 with no body, whatever the input: a tracking call must never show an
// error to a visitor's browser, nor tell a prober which site ids or addresses are known. The
// answer goes as soon as the view is queued: the visit collector (app/visitors/visit_collector.ts)
// writes queued views in batches, and what is not a valid visit (malformed body, bot, a client
// over its rate, unknown site, address of no company) records nothing.
//
// The client address is `request.ip`: the connection's, or the X-Forwarded-For client when
// QUARRY_TRUST_PROXY is true (Fastify's trustProxy, set in server.ts). It is never logged: these
// routes log requests without the remote address (`requestWithoutAddress`).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { VisitCollector, type VisitCollectorOptions } from '../../app/visitors/visit_collector.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The collector behind POST /collect; tests flush it to see their visits written. */
    visitCollector: VisitCollector;
  }
}

/** The largest body accepted, in bytes: a site id and two bounded URLs fit well within it. */
export const collectBodyBytesMax = 8 * 1024;
/** The longest page or referrer URL accepted, in characters. */
export const collectUrlCharsMax = 2048;
/** How long a browser may cache the preflight's answer, in seconds. */
const preflightMaxAgeSeconds = 86_400;

const collectBody = z.object({
  site_id: z.string().min(1).max(64),
  url: z.string().min(1).max(collectUrlCharsMax),
  referrer: z.string().max(collectUrlCharsMax).nullish(),
});

/** Fastify's request log fields without `remoteAddress` and `remotePort`. */
export function requestWithoutAddress(request: FastifyRequest): { method: string; url: string } {
  return { method: request.method, url: request.url.split('?')[0] ?? '' };
}

function allowAnyOrigin(reply: FastifyReply): void {
  reply
    .header('Access-Control-Allow-Origin', '*')
    .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
    .header('Access-Control-Allow-Headers', 'Content-Type')
    .header('Access-Control-Max-Age', String(preflightMaxAgeSeconds));
}

/** The body as an object: text/plain arrives as a string of JSON. Undefined when it is not one. */
function parseBody(body: unknown): z.infer<typeof collectBody> | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const parsed = collectBody.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function registerCollect(app: FastifyInstance, context: AppContext, options: VisitCollectorOptions): void {
  const collector = new VisitCollector(context, options);
  app.decorate('visitCollector', collector);
  // The IP-to-company index is built in the background once the server is ready, and whatever
  // is queued is written before the store closes.
  let warming: Promise<void> = Promise.resolve();
  app.addHook('onReady', async () => {
    warming = collector.warm().catch((error: unknown) => context.logger.error({ err: error }, 'building the IP-to-company index failed'));
  });
  app.addHook('onClose', async () => {
    await warming;
    await collector.close();
  });
  const logSerializers = { req: requestWithoutAddress };
  app.options('/collect', { schema: { hide: true }, logSerializers }, async (_request, reply) => {
    allowAnyOrigin(reply);
    return reply.code(204).send();
  });
  app.post(
    '/collect',
    {
      schema: { hide: true },
      bodyLimit: collectBodyBytesMax,
      logSerializers,
      onRequest: async (_request, reply) => allowAnyOrigin(reply),
      // A body too large, of another type, or not JSON: still a quiet 204.
      errorHandler: (_error, _request, reply) => reply.code(204).send(),
    },
    async (request, reply) => {
      const body = parseBody(request.body);
      if (body) {
        collector.accept({
          siteId: body.site_id,
          url: body.url,
          referrer: body.referrer ?? undefined,
          address: request.ip,
          userAgent: request.headers['user-agent'],
        });
      }
      return reply.code(204).send();
    },
  );
}
