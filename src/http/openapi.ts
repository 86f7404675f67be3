// The OpenAPI 3.1 document, generated from the route schemas (STYLE.md rule 6), served at
// GET /openapi.json, with interactive documentation at GET /docs (Swagger UI, served from this
// server: no CDN). @fastify/swagger collects every route; fastify-type-provider-zod turns its zod
// schemas into JSON Schema; `describeRoute` adds what every route of a scope shares (security,
// the error responses, the credit headers), so no route file repeats it and none can forget it.
import fastifySwagger, { type SwaggerTransform } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import packageJson from '../../package.json' with { type: 'json' };
import type { ErrorCode } from '../lib/result.ts';
import { accountSchema, errorResponse, grantSchema, ledgerEntrySchema, subscriptionSchema } from './schemas.ts';

export const openApiPath = '/openapi.json';
export const ndjsonContentType = 'application/x-ndjson';
const ndjsonBodySchema = {
  type: 'string',
  description: 'NDJSON: one JSON object a line, in the import format of the API (see `quarry import --help`).',
};
export const docsPrefix = '/docs';
/** Routes that serve the documentation itself, or probe the process, stay out of the document. */
const undocumentedPaths = new Set(['/health', openApiPath]);

export const customerSecurityScheme = 'api_key';
export const operatorSecurityScheme = 'operator_token';
export const sessionSecurityScheme = 'session_cookie';

type Scope = 'customer' | 'operator' | 'public';

function scopeOf(url: string): Scope {
  if (url === '/v1' || url.startsWith('/v1/')) return 'customer';
  if (url === '/admin/v1' || url.startsWith('/admin/v1/')) return 'operator';
  return 'public';
}

/** Every error code of API.md with its statuses; a new code fails the typecheck until it is documented here. */
const errorCodes: Record<ErrorCode, { statuses: number[]; meaning: string }> = {
  unauthorized: { statuses: [401], meaning: 'missing, unknown or revoked API key, operator token or session; at sign-in, a wrong email or password (one answer for both)' },
  insufficient_credits: { statuses: [402], meaning: 'the balance cannot pay for the records asked for' },
  feature_not_in_plan: { statuses: [403], meaning: "the account's plan does not include the feature this endpoint needs" },
  forbidden: { statuses: [403], meaning: 'the caller may not act on this resource (a member or an API key managing keys or users; a request made with the session cookie without its X-CSRF-Token, or from another site)' },
  not_found: { statuses: [404], meaning: 'no such record, account or route' },
  idempotency_conflict: { statuses: [409], meaning: 'the Idempotency-Key was used before with another request' },
  invalid_request: { statuses: [400, 422], meaning: 'a malformed request (400) or one that cannot be carried out as asked (422); `field` names the field at fault' },
  payload_too_large: { statuses: [413], meaning: 'the body is larger than the bound' },
  rate_limited: { statuses: [429], meaning: 'too many requests for this API key, or sign-in attempts for this email or from this address; retry after `Retry-After` seconds' },
  unavailable: { statuses: [503], meaning: 'SQLite only: another process held the database\'s write lock (a large `quarry import`) for longer than a write waits; nothing was done: retry after `Retry-After` seconds' },
  internal: { statuses: [500], meaning: 'a failure of the server; the request_id helps the operator find it' },
};

const successDescriptions: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted', '204': 'No content' };

function responseDescription(status: string): string {
  const success = successDescriptions[status];
  if (success) return success;
  if (status === 'default') return 'Any other error (`internal` 500, …), in the same error shape';
  const codes = Object.entries(errorCodes).filter(([, entry]) => entry.statuses.includes(Number(status)));
  if (codes.length === 0) return `Error ${status}`;
  return codes.map(([code, entry]) => `\`${code}\`: ${entry.meaning}`).join('; ');
}

function errorCodesTable(): string {
  const rows = Object.entries(errorCodes).map(([code, entry]) => `| \`${code}\` | ${entry.statuses.join(' or ')} | ${entry.meaning} |`);
  return ['| code | status | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

const documentDescription = `A self-hostable B2B company-data API metered by one pool of account credits:
1 credit starts a 12-month subscription to a record's deep data, during which every read of it is free.

**Customer API** (\`/v1\`): \`Authorization: Bearer <api key>\`. **Operator API** (\`/admin/v1\`):
\`Authorization: Bearer <QUARRY_ADMIN_TOKEN>\`. The web app uses the same endpoints with the session
cookie of \`POST /v1/session\` instead, and sends \`X-CSRF-Token\` with every request (GETs too:
reading a record spends a credit) but \`GET /v1/session\` and \`GET /v1/events\`.

**Credits.** Every response to an API key carries \`X-Credits-Remaining\` (the balance after the
request); every response that reads deep data also carries \`X-Credits-Charged\` (credits this
request consumed).

**Lists** take \`?limit=\` (bounded) and \`?cursor=\` and answer \`{"data": [...], "next_cursor": string|null}\`.

**Idempotency.** A POST that creates something accepts an \`Idempotency-Key\` header: a repeat with
the same key and body returns the first response; the same key with another body is 409.

**Errors** are \`{"error": {"code", "message", "request_id"}}\` (with \`field\` for \`invalid_request\`):

${errorCodesTable()}`;

const tags = [
  { name: 'account', description: 'The calling account: its plan, billing period and credits.' },
  { name: 'credits', description: 'The credit ledger, top-up bundles and self-serve top-ups.' },
  {
    name: 'records',
    description: "Deep data of companies and contacts. Reading a record costs 1 credit and starts a 12-month subscription, unless the account already has one; while it lasts every read is free.",
  },
  { name: 'search', description: "Search the catalog (companies, contacts, an IP address's company). Free; needs the plan's API features." },
  { name: 'subscriptions', description: "The account's record subscriptions." },
  { name: 'session', description: 'Signing in and out of the web app: the session cookie and its CSRF token.' },
  { name: 'team', description: "The account's users: owners and members of the web app." },
  { name: 'visitors', description: "Website visitors: the account's tracked sites (and the snippet to paste), and the companies identified visiting them. Needs `website_visitors`." },
  { name: 'keys', description: "The account's API keys: list, create (the secret is shown once), revoke." },
  { name: 'operator', description: 'The operator API (`/admin/v1`): accounts, credits, API keys, catalog imports, the test clock and reconciliation. Authenticated with the operator token.' },
];

/**
 * Shared schemas that become named components (`#/components/schemas/Account`, …), so the typed
 * client can name them. The registry only affects the document, never validation.
 */
const componentSchemas = z.registry<{ id?: string | undefined; description?: string; [key: string]: unknown }>();
componentSchemas.add(errorResponse, { id: 'Error', description: 'The error shape of every failure' });
componentSchemas.add(accountSchema, { id: 'Account', description: 'An account: plan, billing period and credits' });
componentSchemas.add(ledgerEntrySchema, { id: 'LedgerEntry', description: 'One credit movement, with the balance after it' });
componentSchemas.add(subscriptionSchema, { id: 'Subscription', description: "An account's subscription to one record" });
componentSchemas.add(grantSchema, { id: 'Grant', description: 'A grant of credits (allowance, top-up, adjustment or refund)' });

const zodTransform = createJsonSchemaTransform({ schemaRegistry: componentSchemas });
const zodTransformObject = createJsonSchemaTransformObject({ schemaRegistry: componentSchemas });

interface RouteSchema extends FastifySchema {
  response?: Record<string, unknown>;
}

/** The error responses every route of a scope can give, beyond those the route declares. */
function sharedErrors(scope: Scope, schema: RouteSchema, route: { deepData: boolean; method: string }): Record<string, z.ZodType> {
  const { deepData } = route;
  const errors: Record<string, z.ZodType> = { default: errorResponse };
  if (scope !== 'public') errors['401'] = errorResponse;
  // Deep data needs the channel's plan feature (api_basic for API keys): feature_not_in_plan.
  // And the session cookie, which every customer and operator route takes, needs its CSRF token
  // (X-CSRF-Token): forbidden without it.
  if (deepData || scope !== 'public') errors['403'] = errorResponse;
  // Any method but GET also parses a body, declared or not, and refuses a malformed one.
  if (schema.params || schema.querystring || schema.body || schema.headers || route.method !== 'GET') errors['400'] = errorResponse;
  // Any method but GET reads a body, declared or not, and refuses one over the bound.
  if (schema.body || route.method !== 'GET') errors['413'] = errorResponse;
  if (scope === 'customer') errors['429'] = errorResponse;
  return errors;
}

/** A deep-data read answers with `credits: {charged, …}` (GET /v1/companies/{id}, batches, …). */
function readsDeepData(schema: RouteSchema): boolean {
  const success = schema.response?.['200'] ?? schema.response?.['201'];
  if (!(success instanceof z.ZodObject)) return false;
  const credits: unknown = success.shape['credits'];
  return credits instanceof z.ZodObject && 'charged' in credits.shape;
}

const creditsRemainingHeader = { type: 'integer', description: "The account's credit balance after this request" };
const creditsChargedHeader = { type: 'integer', description: 'Credits this request consumed (0 when it failed)' };
const retryAfterHeader = { type: 'integer', description: 'Seconds to wait before the next request' };
/** src/http/rate_limit.ts sets these on every response to a key while rate limiting is on. */
const rateLimitHeaders = {
  'RateLimit-Limit': { type: 'integer', description: "The key's burst: requests allowed at once (while rate limiting is on)" },
  'RateLimit-Remaining': { type: 'integer', description: 'Requests left in the bucket (while rate limiting is on)' },
  'RateLimit-Reset': { type: 'integer', description: 'Seconds until the bucket is full again (while rate limiting is on)' },
  'RateLimit-Policy': { type: 'string', description: 'The policy, e.g. `40;w=2`: 40 requests per 2-second window (while rate limiting is on)' },
};

/** The response headers API.md promises for one status of one route. */
function responseHeaders(scope: Scope, status: string, deepData: boolean): Record<string, object> | undefined {
  // Every 429 says when to come back: the key's bucket, and the sign-in throttle (a public route).
  if (scope !== 'customer') return status === '429' ? { 'Retry-After': retryAfterHeader } : undefined;
  if (status === '401' || status === 'default') return undefined;
  const headers: Record<string, object> = { 'X-Credits-Remaining': creditsRemainingHeader };
  // Deep-data reads set X-Credits-Charged once the read ran: on success and on its own failures.
  if (deepData && ['200', '201', '402', '404'].includes(status)) headers['X-Credits-Charged'] = creditsChargedHeader;
  if (status === '429') headers['Retry-After'] = retryAfterHeader;
  if (status === '429' || status.startsWith('2')) Object.assign(headers, rateLimitHeaders);
  return headers;
}

function securityOf(scope: Scope): Array<Record<string, string[]>> {
  if (scope === 'customer') return [{ [customerSecurityScheme]: [] }, { [sessionSecurityScheme]: [] }];
  if (scope === 'operator') return [{ [operatorSecurityScheme]: [] }, { [sessionSecurityScheme]: [] }];
  return [];
}

function byStatus(left: string, right: string): number {
  return (left === 'default' ? 1000 : Number(left)) - (right === 'default' ? 1000 : Number(right));
}

/** The per-route transform: the route's own schemas, plus what its scope shares. */
const describeRoute: SwaggerTransform = (input) => {
  const { url } = input;
  if (undocumentedPaths.has(url)) return { schema: { hide: true }, url };
  const schema = (input.schema ?? {}) as RouteSchema;
  if (schema.hide) return { schema, url };
  // A route that declares `security: []` takes no credential (signing in): it is public.
  const scope = Array.isArray(schema.security) && schema.security.length === 0 ? 'public' : scopeOf(url);
  const deepData = readsDeepData(schema);
  const method = String(Array.isArray(input.route.method) ? input.route.method[0] : input.route.method).toUpperCase();
  const responses = { ...sharedErrors(scope, schema, { deepData, method }), ...schema.response };
  const converted = zodTransform({ ...input, schema: { ...schema, response: responses } });
  // A route that reads NDJSON (the catalog import) has no body schema for Fastify to validate (its
  // body is a stream): the document describes it here.
  const body = schema.consumes?.includes(ndjsonContentType) ? { body: ndjsonBodySchema } : {};
  const jsonResponses = (converted.schema as RouteSchema).response ?? {};
  const withHeaders: Record<string, unknown> = {};
  for (const status of Object.keys(jsonResponses).sort(byStatus)) {
    const headers = responseHeaders(scope, status, deepData);
    withHeaders[status] = headers ? { ...(jsonResponses[status] as object), headers } : jsonResponses[status];
  }
  return { schema: { ...converted.schema, ...body, response: withHeaders, security: securityOf(scope) }, url: converted.url };
};

type OpenApiObject = ReturnType<ReturnType<typeof createJsonSchemaTransformObject>>;

/** Component schemas no operation reaches (the `…Input` twins of output-only schemas) are dropped. */
function withoutUnusedSchemas(document: OpenApiObject): OpenApiObject {
  if (!('components' in document) || !document.components?.schemas) return document;
  const schemas = document.components.schemas as Record<string, unknown>;
  const { components, ...rest } = document;
  const used = new Set<string>();
  const pending = [...referencedSchemas(rest)];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (used.has(name)) continue;
    used.add(name);
    pending.push(...referencedSchemas(schemas[name]));
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...document, components: { ...components, schemas: kept } } as OpenApiObject;
}

const operationMethods = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

/**
 * Each response says what it means: the error codes of its status, from the table above. Done
 * on the whole document because @fastify/swagger reads a description only from inline schemas,
 * and the error responses are `$ref`s to `Error`.
 */
function withResponseDescriptions(document: OpenApiObject): OpenApiObject {
  for (const pathItem of Object.values(document.paths ?? {}) as Array<Record<string, unknown>>) {
    for (const method of operationMethods) {
      const operation = pathItem[method] as { responses?: Record<string, { description?: string }> } | undefined;
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        if (response.description === undefined || response.description === 'Default Response') {
          response.description = responseDescription(status);
        }
      }
    }
  }
  return document;
}

function referencedSchemas(value: unknown): string[] {
  const prefix = '#/components/schemas/';
  const names: string[] = [];
  JSON.stringify(value, (key, item: unknown) => {
    if (key === '$ref' && typeof item === 'string' && item.startsWith(prefix)) names.push(item.slice(prefix.length));
    return item;
  });
  return names;
}

/**
 * Registers the document and the documentation routes. Call it before any route is registered:
 * @fastify/swagger only sees routes added after it.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Quarry API', version: packageJson.version, description: documentDescription },
      servers: [
        { url: '/', description: 'This server' },
        { url: 'http://localhost:8080', description: 'A local server started with `npm start`' },
      ],
      components: {
        securitySchemes: {
          [customerSecurityScheme]: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key of the account (`qry_…`), for the customer API under `/v1`.',
          },
          [operatorSecurityScheme]: {
            type: 'http',
            scheme: 'bearer',
            description: 'The operator token (`QUARRY_ADMIN_TOKEN`), for the operator API under `/admin/v1`.',
          },
          [sessionSecurityScheme]: {
            type: 'apiKey',
            in: 'cookie',
            name: 'quarry_session',
            description:
              'The web app\'s session cookie, set by `POST /v1/session`: a customer user\'s on `/v1`, an operator user\'s on `/admin/v1`. Every request made with it, whatever its method, needs the session\'s CSRF token in `X-CSRF-Token`, else 403 `forbidden`; only `GET /v1/session` (which returns the token) and `GET /v1/events` (EventSource cannot send headers) are exempt. A request a browser marks `Sec-Fetch-Site: cross-site` is refused with the cookie.',
          },
        },
      },
      tags,
    },
    transform: describeRoute,
    transformObject: (input) => withResponseDescriptions(withoutUnusedSchemas(zodTransformObject(input))),
  });
  await app.register(fastifySwaggerUi, { routePrefix: docsPrefix, theme: { title: 'Quarry API' } });
  app.get(openApiPath, { schema: { hide: true } }, async () => app.swagger());
}
