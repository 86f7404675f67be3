// The HTTP server: Fastify with zod-validated routes, the error model of API.md, the credit
// headers, and every route of the customer API (/v1) and the operator API (/admin/v1).
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../app/context.ts';
import { newId } from '../lib/ids.ts';
import { fail, type Failure } from '../lib/result.ts';
import { customerAuth, operatorAuth } from './auth.ts';
import { errorBody, statusFor } from './errors.ts';
import { registerOpenApi } from './openapi.ts';
import { rateLimit, type RateLimitOptions } from './rate_limit.ts';
import type { RouteApp } from './route_app.ts';
import { registerCustomerRoutes } from './routes/v1/index_routes.ts';
import { registerOperatorRoutes } from './admin/index_routes.ts';

/** JSON bodies larger than this are refused with 413 (catalog imports stream and have their own bound). */
export const bodyBytesMax = 1024 * 1024;
/** The router's bound on one path parameter, in characters. */
export const routeParamCharsMax = 1024;

export interface ServerOptions {
  adminToken: string;
  trustProxy: boolean;
  /** Log every request (off in benchmarks). */
  logRequests?: boolean;
  /** Rate limits per API key on /v1 (src/http/rate_limit.ts); omitted, requests are not limited. */
  rateLimit?: RateLimitOptions | undefined;
}

export async function buildServer(context: AppContext, options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: options.logRequests === false }),
    bodyLimit: bodyBytesMax,
    trustProxy: options.trustProxy,
    genReqId: () => newId('request'),
    requestIdHeader: false,
    return503OnClosing: true,
    // A HEAD of a record path would run its GET handler and charge for a body it never sends.
    exposeHeadRoutes: false,
    // Above every id bound (128), so an over-long id reaches zod and gets the documented 400.
    routerOptions: { maxParamLength: routeParamCharsMax },
    // Errors the router raises before any route runs (bad URL encoding, over-long parameters)
    // answer in the documented error shape too.
    frameworkErrors: (error, request, reply) => {
      void answerRouterError(error, request, reply as FastifyReply, { context, adminToken: options.adminToken });
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Responses are built from typed views; the response schemas document them (OpenAPI) and are
  // checked in tests, so production serialises with plain JSON.stringify.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const failure = failureFromError(error);
    if (failure.code === 'internal') request.log.error({ err: error }, 'request failed');
    return reply.code(statusFor(failure)).send(errorBody(failure, request.id));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(routeNotFound(request), request.id)));
  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    if (request.principal) {
      reply.header('X-Credits-Remaining', String(request.creditsRemaining ?? request.principal.account.balance));
    }
  });
  // Before every route: the OpenAPI document only sees routes registered after it.
  await registerOpenApi(app);
  app.get('/health', async () => ({ ok: true }));
  await app.register(async (scope: RouteApp) => {
    // onRequest: a caller is authenticated before its input is even parsed, so an anonymous
    // request gets 401 (not validation details) and a key holder's 400 carries its balance.
    scope.addHook('onRequest', customerAuth(context));
    // After authentication, so the hook knows the key and its plan; a refusal runs no handler.
    const limitRequests = options.rateLimit && rateLimit(context, options.rateLimit);
    if (limitRequests) scope.addHook('onRequest', limitRequests);
    // An unknown /v1 path is answered after authentication, so a key holder's 404 carries its balance.
    scope.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(routeNotFound(request), request.id)));
    registerCustomerRoutes(scope, context);
  }, { prefix: '/v1' });
  await app.register(async (scope: RouteApp) => {
    scope.addHook('onRequest', operatorAuth(options.adminToken));
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
  else if (path === '/admin/v1' || path.startsWith('/admin/v1/')) await operatorAuth(auth.adminToken)(request, reply);
  if (reply.sent) return;
  if (request.principal) reply.header('X-Credits-Remaining', String(request.principal.account.balance));
  const failure = fail('invalid_request', error.message);
  await reply.code(statusFor(failure)).send(errorBody(failure, request.id));
}

function routeNotFound(request: FastifyRequest): Failure {
  return fail('not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
}

/** Maps framework errors (validation, parsing, limits) to the documented codes. */
export function failureFromError(error: FastifyError): Failure {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issue = error.validation[0];
    const path = issue?.instancePath?.replace(/^\//, '').replaceAll('/', '.') ?? '';
    const field = [error.validationContext, path].filter(Boolean).join('.');
    return fail('invalid_request', `${field || 'request'}: ${issue?.message ?? 'invalid'}`, field || undefined);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return fail('payload_too_large', `the body is larger than ${bodyBytesMax} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return fail('invalid_request', 'unsupported Content-Type: send application/json', 'Content-Type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return fail('invalid_request', 'the body is empty; send a JSON object', 'body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return fail('invalid_request', 'Content-Length does not match the body');
    default:
      break;
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return fail('invalid_request', 'the body is not valid JSON', 'body');
  }
  const status = error.statusCode ?? 500;
  if (status === 413) return fail('payload_too_large', error.message);
  if (status >= 400 && status < 500) return fail('invalid_request', error.message);
  return fail('internal', 'internal error');
}
