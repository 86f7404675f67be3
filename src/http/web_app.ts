// The web app (web/, built by Vite into web/dist) served by the API's own server at `/`.
//
// Every built file gets a route of its own (`wildcard: false`): a catch-all route would also
// answer unknown /v1 paths, which must keep their JSON 404. Client-side routes (/search,
// /companies/cmp_1, …) are answered by the not-found handler instead: a GET for a page gets
// index.html, and the React app picks the page from the URL. Paths that belong to the server
// (the APIs, the docs, the tracking script) never fall back to the page.
//
// When the build is missing (a server started without `npm install`'s build step), the pages
// answer with a short message saying how to build it; the APIs work as always.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Paths the server owns: an unknown one is a JSON 404, never the web app's page. */
const serverPathPrefixes = ['/v1', '/admin/v1', '/docs', '/openapi.json', '/health', '/t.js', '/collect', '/assets/'];

/**
 * What the page may load: only this origin's scripts, styles and API (the app talks only to
 * it), no framing by other sites (clickjacking), no plugins, no form posts elsewhere.
 */
export const webAppContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Vite names built assets by their content hash, so a browser may keep them for a year. */
const assetCacheControl = 'public, max-age=31536000, immutable';

const buildMissingPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Quarry</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>Quarry</h1>
<p>The web app has not been built. Build it with <code>npm run build:web</code> (or <code>npm install</code>, which builds it),
then reload this page.</p>
<p>The API works without it: <a href="/docs">API documentation</a>.</p>
</body></html>
`;

export interface WebAppState {
  /** Whether the built app was found (index.html in the directory). */
  built: boolean;
}

/** Registers the built web app's files; returns whether there was a build to serve. */
export async function registerWebApp(app: FastifyInstance, directory: string): Promise<WebAppState> {
  const built = existsSync(join(directory, 'index.html'));
  if (!built) return { built };
  await app.register(fastifyStatic, {
    root: directory,
    prefix: '/',
    wildcard: false,
    index: false,
    // The headers below say how long to keep each file; the plugin's default would override them.
    cacheControl: false,
    setHeaders: (response, path) => {
      response.setHeader('Cache-Control', path.includes('/assets/') ? assetCacheControl : 'no-cache');
      response.setHeader('X-Content-Type-Options', 'nosniff');
      if (path.endsWith('.html')) pageSecurityHeaders(response);
    },
  });
  return { built };
}

function pageSecurityHeaders(response: { setHeader(name: string, value: string): unknown }): void {
  response.setHeader('Content-Security-Policy', webAppContentSecurityPolicy);
  response.setHeader('Referrer-Policy', 'same-origin');
  response.setHeader('X-Frame-Options', 'DENY');
}

/** Whether a request that matched no route is a browser asking for one of the app's pages. */
export function isWebAppPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET') return false;
  const path = request.url.split('?')[0] ?? '';
  if (serverPathPrefixes.some((prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))) return false;
  // Browsers ask for pages with Accept: text/html; a missing file (favicon.ico, an image) asked
  // for otherwise is a plain 404. Record ids may contain dots, so the path alone cannot tell.
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/** Answers a page request with the app's index.html, or with the build-missing message. */
export async function sendWebAppPage(reply: FastifyReply, state: WebAppState): Promise<FastifyReply> {
  if (!state.built) {
    return reply.code(503).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(buildMissingPage);
  }
  // sendFile's setHeaders adds the cache and security headers of index.html.
  return reply.sendFile('index.html');
}
