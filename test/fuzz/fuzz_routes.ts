// The routes the fuzz covers, read from the running server rather than listed by hand: Fastify's
// route tree gives every METHOD and path, the OpenAPI document (GET /openapi.json) gives each
// one's parameters, body schema and documented statuses. A route added tomorrow is fuzzed without
// editing this folder; `knownRoutes` is only a floor, so a broken enumeration cannot pass by
// fuzzing nothing.
import type { FastifyInstance } from 'fastify';
import type { JsonSchema } from './fuzz_arbitraries.ts';

export type Scope = 'customer' | 'operator';
export type BodyKind = 'json' | 'ndjson' | 'none';

export interface FuzzRoute {
  /** `METHOD /path/{param}`, as in the OpenAPI document. */
  name: string;
  method: string;
  path: string;
  scope: Scope;
  pathParams: Array<{ name: string; schema: JsonSchema }>;
  queryParams: Array<{ name: string; schema: JsonSchema }>;
  /** The JSON body schema, when the route takes a JSON body. */
  body: JsonSchema | undefined;
  bodyKind: BodyKind;
  /** The statuses its OpenAPI operation documents (`default` aside). */
  documented: ReadonlySet<number>;
  /** The operation takes no credential (`security: []`): signing in. */
  public: boolean;
  /** Its success is an endless text/event-stream: only refusals (bad credentials) can be awaited. */
  stream: boolean;
}

/** Every route of the two APIs on the day this fuzz was written; more may come, none may go missing. */
export const knownRoutes = [
  'GET /v1/account',
  'GET /v1/credits/ledger',
  'GET /v1/credits/bundles',
  'POST /v1/credits/top-ups',
  'POST /v1/credits/quote',
  'GET /v1/companies',
  'POST /v1/companies/search',
  'POST /v1/companies/batch',
  'GET /v1/companies/{id}',
  'GET /v1/companies/{id}/signals',
  'GET /v1/companies/{id}/financials',
  'GET /v1/companies/{id}/news',
  'GET /v1/contacts',
  'POST /v1/contacts/batch',
  'GET /v1/contacts/{id}',
  'GET /v1/subscriptions',
  'GET /v1/ip/{address}',
  'POST /v1/session',
  'GET /v1/session',
  'DELETE /v1/session',
  'GET /v1/members',
  'POST /v1/members',
  'DELETE /v1/members/{id}',
  'GET /v1/api-keys',
  'POST /v1/api-keys',
  'DELETE /v1/api-keys/{id}',
  'GET /v1/events',
  'POST /v1/sites',
  'GET /v1/sites',
  'GET /v1/visitors',
  'POST /admin/v1/accounts',
  'GET /admin/v1/accounts',
  'GET /admin/v1/accounts/{id}',
  'PATCH /admin/v1/accounts/{id}',
  'POST /admin/v1/accounts/{id}/top-ups',
  'POST /admin/v1/accounts/{id}/adjustments',
  'POST /admin/v1/accounts/{id}/refunds',
  'POST /admin/v1/accounts/{id}/api-keys',
  'DELETE /admin/v1/accounts/{id}/api-keys/{key_id}',
  'GET /admin/v1/accounts/{id}/ledger',
  'POST /admin/v1/catalog/companies',
  'POST /admin/v1/catalog/contacts',
  'POST /admin/v1/clock',
  'GET /admin/v1/reconcile',
];

/**
 * Every route of the customer and operator APIs, as `METHOD /path/{param}`, from Fastify's route
 * tree (`printRoutes` with full segments: each line is a segment appended to its parent's path).
 */
export function registeredApiRoutes(server: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of server.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    if (scopeOf(path) === undefined) continue;
    for (const method of match[3]?.split(', ') ?? []) {
      if (method !== 'HEAD') routes.push(`${method} ${path}`);
    }
  }
  return [...new Set(routes)].sort();
}

export function scopeOf(path: string): Scope | undefined {
  if (path.startsWith('/v1/')) return 'customer';
  if (path.startsWith('/admin/v1/')) return 'operator';
  return undefined;
}

interface OpenApiParameter {
  in: string;
  name: string;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  security?: unknown[];
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/**
 * The fuzz's view of each registered route. Throws for a route the document does not describe:
 * without its documented statuses the fuzz could not tell a documented refusal from a stray one.
 */
export function fuzzRoutes(names: string[], document: OpenApiDocument): FuzzRoute[] {
  return names.map((name) => {
    const [method, path] = name.split(' ') as [string, string];
    const operation = document.paths[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${name} is registered but not in the OpenAPI document`);
    const parameters = (operation.parameters ?? []).map((parameter) => ({
      in: parameter.in,
      name: parameter.name,
      schema: resolveRefs(parameter.schema ?? {}, document),
    }));
    const jsonBody = operation.requestBody?.content?.['application/json']?.schema;
    const bodyKind: BodyKind = path.startsWith('/admin/v1/catalog/') ? 'ndjson' : jsonBody ? 'json' : 'none';
    return {
      name,
      method,
      path,
      scope: scopeOf(path)!,
      pathParams: pathParamNames(path).map((param) => ({
        name: param,
        schema: parameters.find((parameter) => parameter.in === 'path' && parameter.name === param)?.schema ?? { type: 'string' },
      })),
      queryParams: parameters.filter((parameter) => parameter.in === 'query').map(({ name: param, schema }) => ({ name: param, schema })),
      body: jsonBody ? resolveRefs(jsonBody, document) : undefined,
      bodyKind,
      documented: new Set(Object.keys(operation.responses ?? {}).filter((status) => /^\d{3}$/.test(status)).map(Number)),
      public: Array.isArray(operation.security) && operation.security.length === 0,
      stream: operation.responses?.['200']?.content?.['text/event-stream'] !== undefined,
    };
  });
}

export function pathParamNames(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
}

/** The schema with every `$ref` to `#/components/schemas/…` replaced by its target. */
function resolveRefs(schema: JsonSchema, document: OpenApiDocument, depth = 0): JsonSchema {
  if (depth > 20) return {};
  const resolved = schema.$ref ? (document.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')] ?? {}) : schema;
  const copy: JsonSchema = { ...resolved };
  delete copy.$ref;
  if (copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([key, value]) => [key, resolveRefs(value, document, depth + 1)]));
  }
  if (copy.items) copy.items = resolveRefs(copy.items, document, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const alternatives = copy[key];
    if (alternatives) copy[key] = alternatives.map((alternative) => resolveRefs(alternative, document, depth + 1));
  }
  return copy;
}
