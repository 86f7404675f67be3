// The HTTP server: Fastify with zod-validated routes, the error model of API.md, the credit
// headers, the session cookie, and every route of the customer API (/v1) and the operator API (/admin/v1).
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app/context.ts';
import { newId } from '../lib/ids.ts';
import { fail, type Failure } from '../lib/result.ts';
import { customerAuth, operatorAuth } from './auth.ts';
import { answerError, bodyBytesMax, errorBody, statusFor } from './errors.ts';
import { registerOpenApi } from './openapi.ts';
import { rateLimit, SignInThrottle, type RateLimitOptions, type SignInRateLimitOptions } from './rate_limit.ts';
import type { RouteApp } from './route_app.ts';
import { registerCustomerRoutes } from './routes/v1/index_routes.ts';
import { registerOperatorRoutes } from './admin/index_routes.ts';
import { dummyPasswordHash } from '../app/users/passwords.ts';
import { isWebAppPage, registerWebApp, sendWebAppPage } from './web_app.ts';
import { registerTrackingScript } from './tracking/script_get.ts';
import { registerCollect } from './tracking/collect.ts';
import type { VisitCollectorOptions } from '../app/visitors/visit_collector.ts';

/** Where `npm run build:web` puts the web app (web/dist at the repository's root). */
export const webAppDirectoryDefault = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

/** The router's bound on one path parameter, in characters. */
export const routeParamCharsMax = 1024;

export interface ServerOptions {
  adminToken: string;
  trustProxy: boolean;
  /** Log every request (off in benchmarks). */
  logRequests?: boolean;
  /** Rate limits per API key on /v1 (src/http/rate_limit.ts); omitted, requests are not limited. */
  rateLimit?: RateLimitOptions | undefined;
  /** Limits on POST /v1/session per client IP and per email; omitted (QUARRY_RATE_LIMIT=0), sign-ins are not limited. */
  signInRateLimit?: SignInRateLimitOptions | undefined;
  /** POST /collect's batching and its limit per client address (app/visitors/visit_collector.ts); omitted, no limit. */
  collect?: VisitCollectorOptions | undefined;
  /** The built web app served at `/` (src/http/web_app.ts); `webAppDirectoryDefault` when omitted. */
  webAppDirectory?: string | undefined;
}

export async function buildServer(context: AppContext, options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: options.logRequests === false }),
    bodyLimit: bodyBytesMax,
    trustProxy: options.trustProxy,
    genReqId: () => newId('request'),
    requestIdHeader: false,
    // A request Node's HTTP parser refuses (a Content-Length that is not a number, a broken
    // header) never reaches Fastify's cycle: it is answered here, in the documented error shape.
    clientErrorHandler: (error, socket) => answerClientError(error, socket, context.logger),
    return503OnClosing: true,
    // A HEAD of a record path would run its GET handler and charge for a body it never sends.
    exposeHeadRoutes: false,
    // Above every id bound (128), so an over-long id reaches zod and gets the documented 400.
    routerOptions: { maxParamLength: routeParamCharsMax },
    // Errors the router raises before any route runs (bad URL encoding, over-long parameters)
    // answer in the documented error shape too.
    frameworkErrors: (error, request, reply) => {
      // Nothing outside Fastify's request cycle catches a rejection here, and an unhandled
      // rejection ends the process: whatever fails is logged and answered 500.
      answerRouterError(error, request, reply as FastifyReply, { context, adminToken: options.adminToken }).catch((failure: unknown) => {
        answerInternalError(failure, request, reply as FastifyReply);
      });
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Responses are built from typed views; the response schemas document them (OpenAPI) and are
  // checked in tests, so production serialises with plain JSON.stringify.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(answerError);
  // The web app's files; its client-side routes (/search, /companies/…) get its page here.
  const webApp = await registerWebApp(app, options.webAppDirectory ?? webAppDirectoryDefault);
  app.setNotFoundHandler((request, reply) => {
    if (isWebAppPage(request)) return sendWebAppPage(reply, webApp);
    return reply.code(404).send(errorBody(routeNotFound(request), request.id));
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    if (request.principal) {
      reply.header('X-Credits-Remaining', String(request.creditsRemaining ?? request.principal.account.balance));
    }
  });
  // Parses the session cookie of the web app (src/http/session_cookie.ts) before any scope's hooks.
  await app.register(fastifyCookie);
  // Made now rather than on the first sign-in with an unknown email, which would then take
  // twice as long as a wrong password and tell the two apart.
  void dummyPasswordHash(context.passwordCost);
  // Before every route: the OpenAPI document only sees routes registered after it.
  await registerOpenApi(app);
  app.get('/health', async () => ({ ok: true }));
  // Website tracking (public, outside the API document): the script and its page views.
  registerTrackingScript(app);
  registerCollect(app, context, options.collect ?? {});
  await app.register(async (scope: RouteApp) => {
    // onRequest: a caller is authenticated before its input is even parsed, so an anonymous
    // request gets 401 (not validation details) and a key holder's 400 carries its balance.
    scope.addHook('onRequest', customerAuth(context));
    // After authentication, so the hook knows the key and its plan; a refusal runs no handler.
    const limitRequests = options.rateLimit && rateLimit(context, options.rateLimit);
    if (limitRequests) scope.addHook('onRequest', limitRequests);
    // An unknown /v1 path is answered after authentication, so a key holder's 404 carries its balance.
    scope.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(routeNotFound(request), request.id)));
    registerCustomerRoutes(scope, context, { signInThrottle: options.signInRateLimit && new SignInThrottle(options.signInRateLimit) });
  }, { prefix: '/v1' });
  await app.register(async (scope: RouteApp) => {
    scope.addHook('onRequest', operatorAuth(options.adminToken, context));
    // As on /v1: an unknown operator path is answered after the token is checked.
    scope.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(routeNotFound(request), request.id)));
    registerOperatorRoutes(scope, context);
  }, { prefix: '/admin/v1' });
  return app;
}

/**
 * The router refuses some URLs before any hook runs (bad %-encoding, an over-long parameter).
 * The caller is still authenticated first, as on every other path: an anonymous caller gets
 * 401, and a key holder's 400 carries its balance. No hook adds the headers here, so they are
 * set by hand.
 */
async function answerRouterError(
  error: Error,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: { context: AppContext; adminToken: string },
): Promise<void> {
  reply.header('X-Request-Id', request.id);
  const path = request.url.split('?')[0] ?? '';
  if (path === '/v1' || path.startsWith('/v1/')) await customerAuth(auth.context)(request, reply);
  else if (path === '/admin/v1' || path.startsWith('/admin/v1/')) await operatorAuth(auth.adminToken, auth.context)(request, reply);
  if (reply.sent) return;
  if (request.principal) reply.header('X-Credits-Remaining', String(request.principal.account.balance));
  const failure = fail('invalid_request', error.message);
  await reply.code(statusFor(failure)).send(errorBody(failure, request.id));
}

/** The last resort of `answerRouterError`: logs the failure and answers 500 `internal` if nothing was sent yet. */
function answerInternalError(failure: unknown, request: FastifyRequest, reply: FastifyReply): void {
  request.log.error({ err: failure }, 'answering a URL the router refused failed');
  if (reply.sent) return;
  try {
    const internal = fail('internal', 'internal error');
    void reply.code(statusFor(internal)).send(errorBody(internal, request.id));
  } catch (sendError) {
    // The reply itself is broken: the connection is closed rather than the process ended.
    request.log.error({ err: sendError }, 'could not answer 500 either');
    reply.raw.destroy();
  }
}

function answerClientError(error: { code?: string }, socket: Socket, logger: AppContext['logger']): void {
  // The client went away: nobody to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const failure =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? fail('payload_too_large', 'the request headers are too large')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? fail('invalid_request', 'the request was not complete in time')
        : fail('invalid_request', 'malformed HTTP request');
  // As Node answers a request that took too long: 408, in the error shape.
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : statusFor(failure);
  const requestId = newId('request');
  logger.info({ err: error, requestId }, 'refused a request the HTTP parser could not read');
  const body = JSON.stringify(errorBody(failure, requestId));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function routeNotFound(request: FastifyRequest): Failure {
  return fail('not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
}

