// The session cookie of the web app: HttpOnly (page scripts never see the token), SameSite=Lax
// (other sites' requests do not carry it, except top-level navigations), Path=/, and Secure when
// the request came over https (directly, or through a proxy trusted with QUARRY_TRUST_PROXY).
//
// SameSite=Lax is not enough on its own: a top-level navigation from another site is a GET that
// carries the cookie, a sibling subdomain counts as the same site, and reading a record with GET
// spends a credit. So every request the cookie authenticates, whatever its method, must also
// carry the session's CSRF token in X-CSRF-Token, which another site can make a browser send the
// cookie with but can never read. Two routes are exempt (`config.csrf: 'exempt'`), and both only
// read: GET /v1/session, which is how the page learns the token, and GET /v1/events, since
// EventSource cannot send headers.
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionCookieName } from '../app/users/session_tokens.ts';
import { wallNow } from '../lib/clock.ts';

/** Browsers send this header with the CSRF token on every request made with the cookie. */
export const csrfHeaderName = 'x-csrf-token';

/**
 * Whether a route takes the cookie without the CSRF token, in its `config.csrf`: only for routes
 * that read nothing worth forging and change nothing (see the top of this file).
 */
export type RouteCsrf = 'exempt';

declare module 'fastify' {
  interface FastifyContextConfig {
    csrf?: RouteCsrf;
  }
}

/** The session token the request carries, if any. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  // The router answers some malformed URLs before the cookie plugin's hook has run.
  const cookies = request.cookies ?? (typeof request.headers.cookie === 'string' ? fastifyCookie.parse(request.headers.cookie) : {});
  const token = cookies[sessionCookieName];
  return token === undefined || token.length === 0 ? undefined : token;
}

function cookieOptions(request: FastifyRequest) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: request.protocol === 'https' };
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: number): void {
  const maxAgeSeconds = Math.max(0, Math.floor((expiresAt - wallNow()) / 1000));
  reply.setCookie(sessionCookieName, token, { ...cookieOptions(request), maxAge: maxAgeSeconds });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  // A reply made for a URL the router refused (bad %-encoding, an over-long parameter) was never
  // decorated by the cookie plugin: it has no clearCookie, so the header is written by hand, with
  // the same attributes and the same expiry in the past as clearCookie would give it.
  if (typeof reply.clearCookie === 'function') {
    reply.clearCookie(sessionCookieName, cookieOptions(request));
    return;
  }
  const cleared = fastifyCookie.serialize(sessionCookieName, '', { ...cookieOptions(request), expires: new Date(0), maxAge: 0 });
  const existing = reply.getHeader('set-cookie');
  const others = existing === undefined ? [] : [existing].flat().map(String);
  reply.header('set-cookie', [...others, cleared]);
}

/**
 * Whether a cookie-authenticated request must carry the CSRF token: every request but those of
 * the few routes exempt in their config. A URL no route matched has no config, so it needs it.
 */
export function needsCsrfToken(request: FastifyRequest): boolean {
  const config = (request.routeOptions as { config?: { csrf?: RouteCsrf } } | undefined)?.config;
  return config?.csrf !== 'exempt';
}

/**
 * Whether the browser says another site made this request (Sec-Fetch-Site, set by browsers and
 * not by page scripts). The web app's own requests are same-origin (or same-site behind a proxy);
 * a cross-site request made with the cookie is refused whatever route it targets.
 */
export function isCrossSite(request: FastifyRequest): boolean {
  return request.headers['sec-fetch-site'] === 'cross-site';
}
