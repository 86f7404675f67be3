// Proves that fast-check generated garbage sent to every route of the customer and the operator API (path parameters, query strings, JSON and raw bodies, headers, credentials) gets a documented 4xx in the documented error shape, never a 5xx, and moves no credit.
//
//   QUARRY_FUZZ_RUNS  generated requests per route and input kind (default 100: 10 to 20 s per
//                     database; a few thousand make a bug hunt)
//   QUARRY_FUZZ_SEED  the fast-check seed (fast-check prints it with a failure; set it to replay)
//   QUARRY_FUZZ_REPORT=1  prints, per route, how many replies got each status
//
// Routes come from the running server (test/fuzz/fuzz_routes.ts), so a new route is fuzzed the
// day it lands. Known bugs are excused by name in `knownBugs` and each is reproduced, strictly,
// by an `it.fails` at the end: when one is fixed, its `it.fails` fails and its excuse must go.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, testAdminToken, type TestApp } from '../harness/test_app.ts';
import { insertCompany, insertContact } from '../factories/catalog.ts';
import { creditState, type CreditState } from '../factories/accounts.ts';
import {
  anyJson,
  anyText,
  bodyValue,
  conforming,
  encodeText,
  foreignContentType,
  idempotencyKey,
  invalidJsonText,
  jsonText,
  pathSegment,
  poisonedJsonText,
  queryString,
  strayHeaders,
  type Hints,
} from './fuzz_arbitraries.ts';
import { fuzzRoutes, knownRoutes, registeredApiRoutes, type FuzzRoute, type OpenApiDocument, type Scope } from './fuzz_routes.ts';

const runs = positiveInteger('QUARRY_FUZZ_RUNS', 100);
const seed = integerOrUndefined('QUARRY_FUZZ_SEED');
const report = process.env['QUARRY_FUZZ_REPORT'] === '1';
const itTimeoutMs = 10 * 60 * 1000;

function positiveInteger(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive integer, got '${value}'`);
  return parsed;
}

function integerOrUndefined(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`${name} must be an integer, got '${value}'`);
  return parsed;
}

/** The body bound of src/http/server.ts (API.md: `payload_too_large` 413), restated rather than imported. */
const bodyBytesMax = 1024 * 1024;

/** API.md's closed list of error codes and their statuses. */
const statusesOfCode: Record<string, number[]> = {
  unauthorized: [401],
  insufficient_credits: [402],
  feature_not_in_plan: [403],
  forbidden: [403],
  not_found: [404],
  idempotency_conflict: [409],
  invalid_request: [400, 422],
  payload_too_large: [413],
  rate_limited: [429],
  internal: [500],
};

type InputKind = 'path' | 'query' | 'body' | 'raw' | 'headers' | 'auth';

interface Caller {
  /** A valid credential of the route's scope, or none (anonymous, forged, another scope's). */
  valid: boolean;
  name: string;
  /** The balance X-Credits-Remaining must show (customer keys only; nothing is ever charged). */
  balance?: number;
  /** The plan lacks a feature some route needs, so 403 feature_not_in_plan is a fair answer. */
  gated?: boolean;
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

interface FuzzCase {
  route: FuzzRoute;
  input: InputKind;
  /** Which generator made it, e.g. `raw: over-limit`. */
  variant: string;
  caller: Caller;
  request: FuzzRequest;
  /** The statuses this kind of input may get (and each must also be documented for the route). */
  allowed: number[];
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  body: unknown;
}

interface KnownBug {
  id: string;
  /** Whether this reply is the bug; then the violations it explains are excused. */
  matches(fuzzCase: FuzzCase, reply: Reply): boolean;
  explains: RegExp;
}





function errorMessageOf(reply: Reply): string {
  const error = (reply.body as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error?.message === 'string' ? error.message : '';
}

/**
 * Bugs found by this fuzz and not fixed yet (see test/fuzz/README.md), each reproduced strictly
 * by an `it.fails` below. The nine it found first are fixed; their reproductions stay as tests.
 */
const knownBugs: KnownBug[] = [];

/** Everything the fuzz requires of one reply. */
function violationsOf(fuzzCase: FuzzCase, reply: Reply): string[] {
  const { route, caller, allowed } = fuzzCase;
  const found: string[] = [];
  const status = reply.status;
  if (status >= 500) found.push(`server-error: ${status}`);
  if (!allowed.includes(status)) found.push(`status-not-allowed: ${status} is not one of ${allowed.join(', ')} for ${fuzzCase.variant}`);
  if (status !== 404 && !route.documented.has(status)) found.push(`status-undocumented: ${status} is not documented for ${route.name}`);
  if (status === 404 && !route.documented.has(404) && !/^no route /.test(errorMessageOf(reply))) {
    found.push(`status-undocumented: 404 is not documented for ${route.name}`);
  }
  if (status >= 400) found.push(...errorShapeViolations(reply));
  if (status >= 200 && status < 300 && status !== 204 && (typeof reply.body !== 'object' || reply.body === null || 'error' in reply.body)) {
    found.push(`success-shape: a ${status} without a JSON object: ${clip(reply.text, 200)}`);
  }
  const remaining = reply.headers['x-credits-remaining'];
  // A public route (signing in) authenticates nobody, so it reports no balance.
  if (route.scope === 'customer' && caller.valid && !route.public) {
    if (remaining !== String(caller.balance)) found.push(`credits-remaining: X-Credits-Remaining is ${String(remaining)}, the balance is ${caller.balance}`);
  } else if (remaining !== undefined) {
    found.push(`credits-remaining: X-Credits-Remaining ${String(remaining)} sent to ${caller.name}`);
  }
  const charged = reply.headers['x-credits-charged'];
  if (charged !== undefined && charged !== '0') found.push(`credits-charged: X-Credits-Charged is ${String(charged)}`);
  if (status === 401 && reply.headers['www-authenticate'] !== 'Bearer') found.push(`www-authenticate: ${String(reply.headers['www-authenticate'])}`);
  return found;
}

function errorShapeViolations(reply: Reply): string[] {
  const body = reply.body as { error?: Record<string, unknown> } | undefined;
  const error = body?.error;
  if (typeof body !== 'object' || body === null || typeof error !== 'object' || error === null) return [`error-shape: not {error: {...}}: ${reply.text.slice(0, 200)}`];
  const found: string[] = [];
  const extraTop = Object.keys(body).filter((key) => key !== 'error');
  if (extraTop.length > 0) found.push(`error-shape: extra top-level keys ${extraTop.join(', ')}`);
  // `lines`, `invalid_lines` and `omitted`: a refused catalog import's report (documented on its 400).
  const extra = Object.keys(error).filter((key) => !['code', 'message', 'request_id', 'field', 'lines', 'invalid_lines', 'omitted'].includes(key));
  if (extra.length > 0) found.push(`error-shape: extra error keys ${extra.join(', ')}`);
  const { code, message, request_id: requestId, field } = error;
  if (typeof code !== 'string' || !(code in statusesOfCode)) found.push(`error-shape: code ${String(code)} is not in the closed list`);
  else if (!statusesOfCode[code]!.includes(reply.status)) found.push(`code-status: ${code} with status ${reply.status}`);
  if (typeof message !== 'string' || message.length === 0) found.push('error-shape: no message');
  if (typeof requestId !== 'string' || !/^req_/.test(requestId)) found.push(`error-shape: request_id ${String(requestId)}`);
  else if (reply.headers['x-request-id'] !== requestId) found.push(`request-id: X-Request-Id ${String(reply.headers['x-request-id'])} is not ${requestId}`);
  if (field !== undefined && typeof field !== 'string') found.push('error-shape: field is not a string');
  return found;
}

function clip(text: string, length = 240): string {
  return text.length <= length ? text : `${text.slice(0, length)}… (${text.length} characters)`;
}

function describeRequest(request: FuzzRequest): string {
  const headers = Object.entries(request.headers).map(([name, value]) => `${name}: ${clip(JSON.stringify(value), 80)}`);
  const payload = request.payload === undefined ? 'no body' : `body ${clip(JSON.stringify(request.payload))}`;
  return `${request.method} ${clip(request.url)} [${headers.join('; ')}] ${payload}`;
}

function makeCase(fields: FuzzCase): FuzzCase {
  // fast-check prints counterexamples with this, so a 1 MiB body prints as its first characters.
  return Object.assign(fields, { [fc.toStringMethod]: () => `${fields.variant} ${describeRequest(fields.request)}` });
}

interface World {
  app: TestApp;
  scope: Scope;
  routes: FuzzRoute[];
  /** Valid callers of the scope, with their credentials. */
  callers: Array<{ caller: Caller; authorization: string }>;
  /** Credentials that must never pass: another scope's, near misses of the valid ones. */
  forged: string[];
  hints: Hints;
  /** Stands in for a path parameter when the path is not what is being fuzzed. */
  placeholder(param: { name: string; schema: FuzzRoute['pathParams'][number]['schema'] }): fc.Arbitrary<string>;
  seenBugs: Set<string>;
  /** Replies per route and status, for QUARRY_FUZZ_REPORT. */
  statuses: Map<string, Map<number, number>>;
}

function printReport(world: World, title: string): void {
  if (world.seenBugs.size > 0) console.info(`${title}: known bugs met: ${[...world.seenBugs].join(', ')}`);
  if (!report) return;
  const lines = [...world.statuses].map(([route, counts]) => `  ${route}: ${[...counts].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ')}`);
  console.info([`${title}: replies by status`, ...lines].join('\n'));
}

async function send(app: TestApp, request: FuzzRequest): Promise<Reply> {
  const response = await app.server.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  });
  let body: unknown = undefined;
  if (String(response.headers['content-type'] ?? '').includes('json') && response.body.length > 0) {
    try {
      body = JSON.parse(response.body);
    } catch {
      body = undefined;
    }
  }
  return { status: response.statusCode, headers: response.headers, text: response.body, body };
}

async function expectDocumentedReply(world: World, fuzzCase: FuzzCase): Promise<void> {
  const reply = await send(world.app, fuzzCase.request);
  const counts = world.statuses.get(fuzzCase.route.name) ?? new Map<number, number>();
  counts.set(reply.status, (counts.get(reply.status) ?? 0) + 1);
  world.statuses.set(fuzzCase.route.name, counts);
  let found = violationsOf(fuzzCase, reply);
  for (const bug of knownBugs) {
    if (!bug.matches(fuzzCase, reply)) continue;
    const excused = found.filter((violation) => bug.explains.test(violation));
    if (excused.length > 0) world.seenBugs.add(bug.id);
    found = found.filter((violation) => !bug.explains.test(violation));
  }
  if (found.length > 0) {
    throw new Error(
      [`${fuzzCase.route.name} (${fuzzCase.variant}, as ${fuzzCase.caller.name})`, `request: ${describeRequest(fuzzCase.request)}`, `reply: ${reply.status} ${clip(reply.text, 400)}`, ...found].join('\n  '),
    );
  }
}

/** Runs the property for each route that has an arbitrary for this input kind. */
async function fuzzEachRoute(world: World, build: (route: FuzzRoute) => fc.Arbitrary<FuzzCase> | undefined): Promise<number> {
  let fuzzed = 0;
  for (const route of world.routes) {
    const arbitrary = build(route);
    if (!arbitrary) continue;
    fuzzed += 1;
    await fc.assert(
      fc.asyncProperty(arbitrary, (generated) => expectDocumentedReply(world, generated)),
      { numRuns: runs, ...(seed === undefined ? {} : { seed }) },
    );
  }
  return fuzzed;
}

// ---- What each input kind may get ----------------------------------------------------------

/** Routes for signed-in owners only: an API key, the fuzz's only customer credential, gets 403 forbidden there. */
const ownersOnlyRoutes = new Set(['POST /v1/members', 'DELETE /v1/members/{id}', 'POST /v1/api-keys', 'DELETE /v1/api-keys/{id}']);

/** Input that may be fine: any success, a validation refusal, an idempotency conflict. */
function lenient(route: FuzzRoute, caller: Caller): number[] {
  const statuses = [200, 201, 204, 400, 409, 422];
  if (route.pathParams.length > 0) statuses.push(404);
  // A sign-in with well-formed but unknown credentials is 401, whoever sends it.
  if (route.public) statuses.push(401);
  if (caller.gated || (caller.valid && ownersOnlyRoutes.has(route.name))) statuses.push(403);
  return statuses;
}

// ---- The pieces of a request ---------------------------------------------------------------

function fillPath(route: FuzzRoute, values: Record<string, string>): string {
  return route.path.replace(/\{(\w+)\}/g, (_match, name: string) => values[name] ?? '');
}

function placeholderPath(world: World, route: FuzzRoute): fc.Arbitrary<string> {
  if (route.pathParams.length === 0) return fc.constant(route.path);
  const model: Record<string, fc.Arbitrary<string>> = {};
  for (const param of route.pathParams) model[param.name] = world.placeholder(param);
  return fc.record(model).map((values) => fillPath(route, values));
}

/** A path with at least one parameter fuzzed, the others standing in. */
function fuzzedPath(world: World, route: FuzzRoute): fc.Arbitrary<string> {
  const model: Record<string, fc.Arbitrary<{ fuzzed: boolean; text: string }>> = {};
  for (const param of route.pathParams) {
    model[param.name] = fc.oneof(
      pathSegment(param.schema, world.hints, param.name).map((text) => ({ fuzzed: true, text })),
      world.placeholder(param).map((text) => ({ fuzzed: false, text })),
    );
  }
  return fc
    .record(model)
    .filter((values) => Object.values(values).some((value) => value.fuzzed))
    .map((values) => fillPath(route, Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value.text]))));
}

const importFields = ['id', 'name', 'domain', 'industry', 'employees', 'revenue_usd', 'country', 'city', 'founded', 'description', 'technologies', 'ip_ranges', 'signals', 'financials', 'news', 'company_id', 'first_name', 'last_name', 'title', 'seniority', 'department', 'email', 'phone', 'linkedin_url'];

/** NDJSON catalog lines: records with random fields, a few valid ones, broken lines, blank lines. */
const ndjsonBody: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...importFields), fc.oneof(anyJson, anyText), { maxKeys: 6 }).map((record) => JSON.stringify(record)) },
      // Valid-looking companies (`fuzz_a` among them) and contacts of `fuzz_a`, so imports also succeed.
      { weight: 1, arbitrary: fc.record({ id: fc.oneof(fc.constant('fuzz_a'), fc.stringMatching(/^fuzz_[a-z0-9]{1,8}$/)), name: anyText }).map((record) => JSON.stringify(record)) },
      { weight: 1, arbitrary: fc.record({ id: fc.stringMatching(/^fuzz_[a-z0-9]{1,8}$/), company_id: fc.constantFrom('fuzz_a', 'nope'), first_name: anyText, last_name: anyText }).map((record) => JSON.stringify(record)) },
      { weight: 1, arbitrary: invalidJsonText },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r', '[]', 'null', '{}') },
    ),
    { maxLength: 6 },
  )
  .map((lines) => lines.join('\n'));

interface BodyPart {
  headers: Record<string, string>;
  payload?: string;
  variant: string;
}

/** A body the route's own parser reads: generated JSON values for JSON routes, NDJSON lines for imports. */
function generatedBody(world: World, route: FuzzRoute): fc.Arbitrary<BodyPart> {
  if (route.bodyKind === 'ndjson') return ndjsonBody.map((payload) => ({ headers: { 'content-type': 'application/x-ndjson' }, payload, variant: 'ndjson' }));
  if (route.bodyKind === 'none') return fc.constant({ headers: {}, variant: 'no body' });
  return bodyValue(route.body, world.hints).map((value): BodyPart => {
    const payload = jsonText(value);
    return payload === undefined ? { headers: {}, variant: 'json: none' } : { headers: { 'content-type': 'application/json' }, payload, variant: 'json' };
  });
}

function firstFieldOf(route: FuzzRoute): string {
  return Object.keys(route.body?.properties ?? {})[0] ?? 'ids';
}

/** Raw bodies: broken JSON, foreign content types, empty, nested deep, huge, over and at the limit, lying lengths. */
function rawBody(route: FuzzRoute, caller: Caller): fc.Arbitrary<BodyPart & { allowed: number[] }> {
  const json = { 'content-type': 'application/json' };
  const imports = route.bodyKind === 'ndjson';
  const field = firstFieldOf(route);
  // A string body is a fine body for a route that reads none (DELETE), and NDJSON for an import.
  const bodyRefusal = imports ? [200, 400] : route.bodyKind === 'none' ? lenient(route, caller) : [400];
  const variants: Array<fc.Arbitrary<BodyPart & { allowed: number[] }>> = [
    invalidJsonText.map((payload) => ({ headers: json, payload, variant: 'raw: invalid JSON', allowed: [400] })),
    poisonedJsonText.map((payload) => ({ headers: json, payload, variant: 'raw: prototype poisoning', allowed: [400] })),
    fc.tuple(foreignContentType, fc.oneof(fc.jsonValue().map((value) => JSON.stringify(value)), anyText)).map(([type, payload]) => ({
      headers: { 'content-type': type },
      payload,
      variant: 'raw: foreign content type',
      allowed: [400],
    })),
    fc.jsonValue().map((value) => ({ headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(value), variant: 'raw: text/plain', allowed: bodyRefusal })),
    fc.constant({ headers: json, payload: '', variant: 'raw: empty JSON body', allowed: [400] }),
    fc.constant({ headers: {}, variant: 'raw: no body, no content type', allowed: imports ? [400] : lenient(route, caller) }),
    fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.boolean()).map(([depth, arrays]) => ({
      headers: json,
      payload: arrays ? `{"${field}":${'['.repeat(depth)}${']'.repeat(depth)}}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
      variant: 'raw: deeply nested',
      allowed: imports ? [400] : lenient(route, caller),
    })),
    fc.tuple(fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom('"x"', '1', 'null', '{}', '"cmp_x"', '[]')).map(([count, item]) => ({
      headers: json,
      payload: `{"${field}":[${Array.from({ length: Math.min(count, Math.floor((bodyBytesMax - 100) / (item.length + 1))) }, () => item).join(',')}]}`,
      variant: 'raw: huge array under the limit',
      allowed: imports ? [400] : lenient(route, caller),
    })),
    fc.tuple(fc.integer({ min: 1, max: 4096 }), fc.boolean()).map(([over, multibyte]) => {
      // Multi-byte: fewer characters than the bound, more bytes; the bound is on bytes.
      const filler = multibyte ? 'é'.repeat(Math.ceil((bodyBytesMax + over) / 2)) : 'x'.repeat(bodyBytesMax + over);
      return { headers: json, payload: `{"${field}":"${filler}"}`, variant: 'raw: over the body limit', allowed: imports ? [400] : [413] };
    }),
    fc.constantFrom(0, 1).map((over) => ({
      headers: json,
      payload: `{}${' '.repeat(bodyBytesMax - 2 + over)}`,
      variant: over === 0 ? 'raw: exactly at the body limit' : 'raw: one byte over the body limit',
      allowed: imports ? [400] : over === 0 ? lenient(route, caller) : [413],
    })),
    fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.integer({ min: -20, max: 20 }).filter((delta) => delta !== 0)).map(([value, delta]) => {
      const payload = JSON.stringify(value);
      return {
        headers: { ...json, 'content-length': String(Math.max(0, Buffer.byteLength(payload) + delta)) },
        payload,
        variant: 'raw: Content-Length does not match',
        // The NDJSON importer streams the body, which `inject` delivers whole whatever the header says.
        allowed: imports ? [200, 400] : [400],
      };
    }),
  ];
  return fc.oneof(...variants);
}

/** A credential that must be refused with 401: missing, malformed, forged, near misses, another scope's. */
function badAuthorization(world: World): fc.Arbitrary<string | undefined> {
  const valid = new Set(world.callers.map((entry) => bearerTokenOf(entry.authorization)));
  return fc
    .oneof(
      fc.constant(undefined),
      fc.constantFrom('', 'Bearer', 'Bearer ', 'Bearer  ', 'Basic', 'Basic dXNlcjpwYXNz', 'Token abc', 'bearer', 'BEARER x', 'Bearer\tx y', 'Bearer qry_', 'Bearer null', `Bearer ${'a'.repeat(10_000)}`, 'Bearer é', 'Bearer \u0000', `Bearer qry_${'A'.repeat(43)}`),
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      anyText.map((text) => `Bearer ${text}`),
      fc.base64String({ minLength: 4, maxLength: 64 }).map((text) => `Bearer qry_${text}`),
      fc.constantFrom(...world.forged),
    )
    .filter((authorization) => authorization === undefined || !valid.has(bearerTokenOf(authorization)));
}

/** The token of `Authorization: Bearer <token>` as RFC 6750 reads it (scheme case-insensitive). */
function bearerTokenOf(authorization: string): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
}

function validCaller(world: World): fc.Arbitrary<{ caller: Caller; authorization: string }> {
  return fc.constantFrom(...world.callers);
}

// ---- One arbitrary per input kind ----------------------------------------------------------

function pathCases(world: World, route: FuzzRoute): fc.Arbitrary<FuzzCase> | undefined {
  if (route.pathParams.length === 0) return undefined;
  return fc.tuple(validCaller(world), fuzzedPath(world, route), generatedBody(world, route)).map(([{ caller, authorization }, path, body]) =>
    makeCase({
      route,
      input: 'path',
      variant: `path (${body.variant})`,
      caller,
      request: { method: route.method, url: path, headers: { authorization, ...body.headers }, ...(body.payload === undefined ? {} : { payload: body.payload }) },
      // An owners-only route refuses a key (403) once the id parses, before looking it up.
      allowed: route.scope === 'customer' ? [400, 404, ...(caller.valid && ownersOnlyRoutes.has(route.name) ? [403] : [])] : [400, 404, 422],
    }),
  );
}

function queryCases(world: World, route: FuzzRoute): fc.Arbitrary<FuzzCase> | undefined {
  if (route.method !== 'GET' && route.method !== 'DELETE') return undefined;
  return fc.tuple(validCaller(world), placeholderPath(world, route), queryString(route.queryParams, world.hints)).map(([{ caller, authorization }, path, query]) =>
    makeCase({ route, input: 'query', variant: 'query', caller, request: { method: route.method, url: `${path}${query}`, headers: { authorization } }, allowed: lenient(route, caller) }),
  );
}

function bodyCases(world: World, route: FuzzRoute): fc.Arbitrary<FuzzCase> | undefined {
  if (route.bodyKind === 'none') return undefined;
  return fc.tuple(validCaller(world), placeholderPath(world, route), generatedBody(world, route)).map(([{ caller, authorization }, path, body]) =>
    makeCase({
      route,
      input: 'body',
      variant: `body (${body.variant})`,
      caller,
      request: { method: route.method, url: path, headers: { authorization, ...body.headers }, ...(body.payload === undefined ? {} : { payload: body.payload }) },
      allowed: route.bodyKind === 'ndjson' ? [200, 400] : lenient(route, caller),
    }),
  );
}

function rawCases(world: World, route: FuzzRoute): fc.Arbitrary<FuzzCase> | undefined {
  if (route.method === 'GET') return undefined;
  return fc
    .tuple(validCaller(world), placeholderPath(world, route))
    .chain(([entry, path]) => rawBody(route, entry.caller).map((body) => ({ entry, path, body })))
    .map(({ entry: { caller, authorization }, path, body }) =>
      makeCase({
        route,
        input: 'raw',
        variant: body.variant,
        caller,
        request: { method: route.method, url: path, headers: { authorization, ...body.headers }, ...(body.payload === undefined ? {} : { payload: body.payload }) },
        allowed: body.allowed,
      }),
    );
}

function headerCases(world: World, route: FuzzRoute): fc.Arbitrary<FuzzCase> | undefined {
  const withKey = route.method === 'POST' ? fc.option(idempotencyKey, { nil: undefined, freq: 5 }) : fc.constant(undefined);
  return fc
    .tuple(validCaller(world), placeholderPath(world, route), generatedBody(world, route), withKey, strayHeaders)
    .map(([{ caller, authorization }, path, body, key, stray]) =>
      makeCase({
        route,
        input: 'headers',
        variant: `headers (${body.variant})`,
        caller,
        request: {
          method: route.method,
          url: path,
          headers: { ...stray, authorization, ...body.headers, ...(key === undefined ? {} : { 'idempotency-key': key }) },
          ...(body.payload === undefined ? {} : { payload: body.payload }),
        },
        allowed: lenient(route, caller),
      }),
    );
}

function authCases(world: World, route: FuzzRoute): fc.Arbitrary<FuzzCase> {
  const path = route.pathParams.length === 0 ? placeholderPath(world, route) : fc.oneof(placeholderPath(world, route), fuzzedPath(world, route));
  const json = { 'content-type': 'application/json' };
  const body = fc.oneof(
    { weight: 6, arbitrary: generatedBody(world, route) },
    { weight: 2, arbitrary: invalidJsonText.map((payload): BodyPart => ({ headers: json, payload, variant: 'invalid JSON' })) },
    // Authentication runs before the body is read, so even an oversized one gets 401.
    { weight: 1, arbitrary: fc.constant<BodyPart>({ headers: json, payload: `{"a":"${'x'.repeat(bodyBytesMax)}"}`, variant: 'over the body limit' }) },
  );
  const query = fc.oneof(fc.constant(''), queryString(route.queryParams, world.hints));
  const anonymous: Caller = { valid: false, name: 'a bad credential' };
  // A public route reads no credential: what it answers depends on the input alone.
  const allowed = route.public ? [...lenient(route, anonymous), 413] : [401];
  return fc.tuple(badAuthorization(world), path, query, body).map(([authorization, url, search, part]) =>
    makeCase({
      route,
      input: 'auth',
      variant: `auth (${part.variant})`,
      caller: anonymous,
      request: {
        method: route.method,
        url: `${url}${search}`,
        headers: { ...(authorization === undefined ? {} : { authorization }), ...part.headers },
        ...(part.payload === undefined ? {} : { payload: part.payload }),
      },
      allowed,
    }),
  );
}

const inputKinds: Array<{ kind: InputKind; title: string; build: (world: World, route: FuzzRoute) => fc.Arbitrary<FuzzCase> | undefined }> = [
  { kind: 'path', title: 'path parameters (unicode, %-garbage, over 1024 characters, .., NUL, spaces, empty)', build: pathCases },
  { kind: 'query', title: 'query strings (random keys, repeated keys, huge, negative and fractional numbers, garbage cursors)', build: queryCases },
  { kind: 'body', title: 'JSON bodies (each known field valid, at its bounds or of the wrong type; extra fields; any JSON)', build: bodyCases },
  { kind: 'raw', title: 'raw bodies (invalid JSON, foreign content types, empty, deep, huge, over the 1 MiB limit, lying lengths)', build: rawCases },
  { kind: 'headers', title: 'headers (random Idempotency-Key values, stray headers)', build: headerCases },
  { kind: 'auth', title: 'credentials (missing, malformed, forged, another scope’s): 401 before any input is read', build: authCases },
];

// ---- The worlds ------------------------------------------------------------------------------

const ipAddress: fc.Arbitrary<string> = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.constantFrom('::ffff:192.0.2.1', '0.0.0.0', '255.255.255.255', '::', '192.0.2.300', '1.2.3', 'fe80::1%eth0'));

const country = fc.constantFrom('GB', 'US', 'DE', 'gb', 'XX', 'G', 'GBR', '');

async function documentOf(app: TestApp): Promise<OpenApiDocument> {
  const response = await app.server.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode, 'GET /openapi.json').toBe(200);
  return JSON.parse(response.body) as OpenApiDocument;
}

async function apiRoutes(app: TestApp, scope: Scope): Promise<FuzzRoute[]> {
  const registered = registeredApiRoutes(app.server);
  return fuzzRoutes(registered, await documentOf(app)).filter((route) => route.scope === scope);
}

async function reconcile(app: TestApp): Promise<{ ok: boolean; differences: unknown[] }> {
  const response = await app.admin<{ ok: boolean; differences: unknown[] }>('GET', '/admin/v1/reconcile');
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

describeEachDatabase('fuzz: every endpoint', (kind) => {
  describe('the routes it fuzzes', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind);
    });
    afterAll(async () => app.close());

    it('are every route of both APIs, each in the OpenAPI document, none of the known ones missing', async () => {
      const registered = registeredApiRoutes(app.server);
      expect(registered).toEqual(expect.arrayContaining(knownRoutes));
      const routes = fuzzRoutes(registered, await documentOf(app));
      expect(routes.map((route) => route.name).sort()).toEqual(registered);
      // Every route is behind a credential, and says so.
      for (const route of routes) expect(route.documented.has(401), `${route.name} documents 401`).toBe(true);
    });
  });

  describe('customer API (/v1): nothing is charged', () => {
    let app: TestApp;
    let world: World;
    let accounts: Array<{ id: string; key: string }>;
    let before: CreditState[];

    beforeAll(async () => {
      app = await startTestApp(kind);
      const platform = await app.createAccount('platform', 'Fuzz platform');
      // web_visitors lacks api_advanced: its 403 feature_not_in_plan is in the mix.
      const visitors = await app.createAccount('web_visitors', 'Fuzz visitors');
      accounts = [platform, visitors];
      // A small catalog, so searches, lists and cursors run over real rows. The fuzz never sends
      // these ids (they are not in any generator), so no read can find, and charge for, a record.
      for (let index = 0; index < 3; index += 1) await insertContact(app.store.db, await insertCompany(app.store.db));
      const balances = await Promise.all(accounts.map(async (account) => (await app.api('GET', '/v1/account', { key: account.key })).body.credits.balance as number));
      world = {
        app,
        scope: 'customer',
        routes: await apiRoutes(app, 'customer'),
        callers: [
          { caller: { valid: true, name: 'a platform key', balance: balances[0]! }, authorization: `Bearer ${platform.key}` },
          { caller: { valid: true, name: 'a web_visitors key', balance: balances[1]!, gated: true }, authorization: `Bearer ${visitors.key}` },
        ],
        forged: [`Bearer ${testAdminToken}`, `Bearer ${platform.key}x`, `Bearer ${platform.key.slice(0, -1)}`, `Bearer ${platform.key.toUpperCase()}`, platform.key, `Basic ${platform.key}`, `Bearer ${platform.key} ${visitors.key}`],
        hints: {
          address: ipAddress,
          country,
          countries: fc.array(country, { maxLength: 4 }),
          seniority: fc.constantFrom('director', 'c_level', 'vp', 'Director', 'none'),
          department: fc.constantFrom('engineering', 'sales', 'hr', 'Engineering', 'none'),
        },
        placeholder: (param) => (param.name === 'address' ? ipAddress.map(encodeText) : conforming(param.schema, {}, undefined).map((value) => encodeText(String(value)))),
        seenBugs: new Set(),
        statuses: new Map(),
      };
      before = await Promise.all(accounts.map((account) => creditState(app, account)));
    });
    afterAll(async () => {
      if (world) printReport(world, `fuzz (${kind}, customer)`);
      await app?.close();
    });

    for (const { kind: input, title, build } of inputKinds) {
      it(
        title,
        async () => {
          // An event stream that opens never ends: only its refusals are fuzzed (see events.test.ts).
          const fuzzed = await fuzzEachRoute(world, (route) => (route.stream && input !== 'auth' ? undefined : build(world, route)));
          expect(fuzzed, `routes fuzzed for ${input}`).toBeGreaterThan(0);
          // No charge, no grant, no subscription: balance, ledger and subscriptions as they were.
          expect(await Promise.all(accounts.map((account) => creditState(app, account)))).toEqual(before);
        },
        itTimeoutMs,
      );
    }

    it('leaves every account reconciled', async () => {
      expect(await reconcile(app)).toEqual(expect.objectContaining({ ok: true, differences: [] }));
    });
  });

  describe('operator API (/admin/v1): every account still reconciles', () => {
    let app: TestApp;
    let world: World;

    beforeAll(async () => {
      app = await startTestApp(kind);
      const target = await app.createAccount('platform', 'Fuzz target');
      world = {
        app,
        scope: 'operator',
        routes: await apiRoutes(app, 'operator'),
        callers: [{ caller: { valid: true, name: 'the operator' }, authorization: `Bearer ${testAdminToken}` }],
        forged: [`Bearer ${target.key}`, `Bearer ${testAdminToken}x`, `Bearer ${testAdminToken.slice(0, -1)}`, `Bearer ${testAdminToken.toUpperCase()}`, testAdminToken, `Basic ${testAdminToken}`],
        hints: {
          plan_id: fc.constantFrom('platform', 'api_standalone', 'web_visitors', 'enterprise_gold', 'PLATFORM'),
          // Valid clock moves stay small: every account replays each billing period the clock
          // skips, one by one, so a jump of centuries would turn the run into minutes. Broken
          // values (formats, bounds, types) still come from the schema.
          advance_days: fc.oneof(fc.constantFrom(0, 1, 31), fc.double({ min: 0, max: 40, noNaN: true })),
          now: fc.date({ min: new Date('2026-01-15T10:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()),
        },
        // Mostly the real account, so bodies reach the use cases; sometimes one that does not exist.
        placeholder: (param) =>
          param.name === 'id'
            ? fc.oneof({ weight: 4, arbitrary: fc.constant(target.id) }, { weight: 1, arbitrary: fc.constant('acct_missing') })
            : conforming(param.schema, {}, undefined).map((value) => encodeText(String(value))),
        seenBugs: new Set(),
        statuses: new Map(),
      };
    });
    afterAll(async () => {
      if (world) printReport(world, `fuzz (${kind}, operator)`);
      await app?.close();
    });

    for (const { kind: input, title, build } of inputKinds) {
      it(
        title,
        async () => {
          const fuzzed = await fuzzEachRoute(world, (route) => build(world, route));
          expect(fuzzed, `routes fuzzed for ${input}`).toBeGreaterThan(0);
          expect(await reconcile(app)).toEqual(expect.objectContaining({ ok: true, differences: [] }));
        },
        itTimeoutMs,
      );
    }
  });

  describe('bugs the fuzz found, reproduced strictly (fixed: these keep them fixed)', () => {
    let app: TestApp;
    let key: string;
    let routes: FuzzRoute[];

    beforeAll(async () => {
      app = await startTestApp(kind);
      key = (await app.createAccount('platform')).key;
      routes = [...(await apiRoutes(app, 'customer')), ...(await apiRoutes(app, 'operator'))];
    });
    afterAll(async () => app.close());

    async function strictViolations(routeName: string, request: FuzzRequest, caller: Caller, allowed: number[]): Promise<string[]> {
      const route = routes.find((candidate) => candidate.name === routeName);
      expect(route, routeName).toBeDefined();
      return violationsOf({ route: route!, input: 'path', variant: 'reproduction', caller, request, allowed }, await send(app, request));
    }

    it('router-errors-skip-hooks: a key holder gets X-Credits-Remaining on a path with bad %-encoding', async () => {
      const found = await strictViolations('GET /v1/companies/{id}', { method: 'GET', url: '/v1/companies/%zz', headers: { authorization: `Bearer ${key}` } }, { valid: true, name: 'a key', balance: 1000 }, [400, 404]);
      expect(found).toEqual([]);
    });

    it('router-errors-skip-hooks: an anonymous caller gets 401, not 400, for a path parameter over 1024 characters', async () => {
      const found = await strictViolations('GET /v1/contacts/{id}', { method: 'GET', url: `/v1/contacts/${'x'.repeat(1025)}`, headers: {} }, { valid: false, name: 'nobody' }, [401]);
      expect(found).toEqual([]);
    });

    it('bodyless-route-413-undocumented: DELETE /admin/v1/accounts/{id}/api-keys/{key_id} documents the 413 it gives for a body over 1 MiB', async () => {
      const found = await strictViolations(
        'DELETE /admin/v1/accounts/{id}/api-keys/{key_id}',
        { method: 'DELETE', url: '/admin/v1/accounts/acct_x/api-keys/key_x', headers: { authorization: `Bearer ${testAdminToken}`, 'content-type': 'application/json' }, payload: `{}${' '.repeat(bodyBytesMax)}` },
        { valid: true, name: 'the operator' },
        [413],
      );
      expect(found).toEqual([]);
    });

    it('operator-unknown-path-before-auth: an anonymous caller gets 401, not 404, for an unknown /admin/v1 path', async () => {
      const found = await strictViolations('GET /admin/v1/accounts/{id}', { method: 'GET', url: '/admin/v1/nothing-here', headers: {} }, { valid: false, name: 'nobody' }, [401]);
      expect(found).toEqual([]);
    });

    it('operator-text-body-is-a-stream: POST /admin/v1/accounts/{id}/api-keys refuses a text/plain body with 400', async () => {
      const account = await app.createAccount('platform');
      const found = await strictViolations(
        'POST /admin/v1/accounts/{id}/api-keys',
        { method: 'POST', url: `/admin/v1/accounts/${account.id}/api-keys`, headers: { authorization: `Bearer ${testAdminToken}`, 'content-type': 'text/plain' }, payload: '{"name":"ci"}' },
        { valid: true, name: 'the operator' },
        [400],
      );
      expect(found).toEqual([]);
    });

    it('operator-409-undocumented: POST /admin/v1/accounts/{id}/adjustments documents the 409 it gives for a reused Idempotency-Key', async () => {
      const account = await app.createAccount('platform');
      const url = `/admin/v1/accounts/${account.id}/adjustments`;
      const headers = { authorization: `Bearer ${testAdminToken}`, 'content-type': 'application/json', 'idempotency-key': 'reused-key' };
      expect((await send(app, { method: 'POST', url, headers, payload: '{"credits":5,"reason":"first"}' })).status).toBe(201);
      const found = await strictViolations('POST /admin/v1/accounts/{id}/adjustments', { method: 'POST', url, headers, payload: '{"credits":6,"reason":"second"}' }, { valid: true, name: 'the operator' }, [409]);
      expect(found).toEqual([]);
    });


    it('postgres-nul-in-cursor: a cursor hiding a NUL gets 400, not 500', async () => {
      const cursor = Buffer.from(JSON.stringify({ after: '\u0000' })).toString('base64url');
      const found = await strictViolations('GET /v1/companies', { method: 'GET', url: `/v1/companies?cursor=${cursor}`, headers: { authorization: `Bearer ${key}` } }, { valid: true, name: 'a key', balance: 1000 }, [200, 400]);
      expect(found).toEqual([]);
    });

    it('postgres-empty-any-of-list: an advanced search with "countries": [] gets 200, not 500', async () => {
      const found = await strictViolations(
        'POST /v1/companies/search',
        { method: 'POST', url: '/v1/companies/search', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: '{"countries":[]}' },
        { valid: true, name: 'a key', balance: 1000 },
        [200, 400],
      );
      expect(found).toEqual([]);
    });

    it('postgres-nul-in-catalog-import: a catalog line with a NUL in a name gets 400, not 500', async () => {
      const found = await strictViolations(
        'POST /admin/v1/catalog/companies',
        { method: 'POST', url: '/admin/v1/catalog/companies', headers: { authorization: `Bearer ${testAdminToken}`, 'content-type': 'application/x-ndjson' }, payload: '{"id":"cmp_nul","name":"A\\u0000B"}' },
        { valid: true, name: 'the operator' },
        [200, 400],
      );
      expect(found).toEqual([]);
    });

    it('top-up-422-undocumented: POST /v1/credits/top-ups documents the 422 it gives for an unknown bundle', async () => {
      const found = await strictViolations(
        'POST /v1/credits/top-ups',
        { method: 'POST', url: '/v1/credits/top-ups', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: '{"bundle":"no_such_bundle"}' },
        { valid: true, name: 'a key', balance: 1000 },
        [400, 422],
      );
      expect(found).toEqual([]);
    });
  });
});
