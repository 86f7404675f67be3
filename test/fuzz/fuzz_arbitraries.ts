// fast-check arbitraries for hostile HTTP input, driven by the JSON schemas of the OpenAPI
// document: values that fit a field, values that break it at its bounds, values of the wrong
// type, and the text around them (path segments, query strings, raw bodies, header values).
import fc from 'fast-check';

/** The subset of JSON Schema that fastify-type-provider-zod writes into the OpenAPI document. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  default?: unknown;
}

/** Values a field of this name should also try (plan ids, IP addresses…), beside what its schema allows. */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

/** Strings that have broken parsers, routers, SQL or JSON somewhere before. */
export const nastyStrings = [
  '',
  ' ',
  '   ',
  '\u0000',
  'a\u0000b',
  '\t',
  '\n',
  '\r\n',
  '\u200b',
  '\ufeff',
  '\u202e',
  'é',
  '☃',
  '😀',
  '\ud800',
  '\udfff',
  '%00',
  '%',
  '%zz',
  '..',
  '../..',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; DROP TABLE accounts; --',
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'NaN',
  'true',
  '0',
  '-1',
  '1e309',
  '-0',
  '9007199254740993',
];

export const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...nastyStrings) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5000 }).map((length) => 'w'.repeat(length)) },
);

/** Any JSON value, small, with the nasty strings in the mix. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  anyText,
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(anyText, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

export function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null');
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  return undefined;
}

function hasType(value: unknown, type: string | undefined): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

/** Integers in [min, max], bounds included, beyond the 32 bits fc.integer covers. */
export function integerIn(min: number, max: number): fc.Arbitrary<number> {
  const int32 = 2 ** 31 - 1;
  const inner = min >= -int32 && max <= int32 ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true }).map((value) => Math.min(max, Math.max(min, Math.round(value))));
  return fc.oneof({ weight: 1, arbitrary: fc.constantFrom(min, max) }, { weight: 4, arbitrary: inner });
}

const dateMin = new Date('2000-01-01T00:00:00Z');
const dateMax = new Date('2100-01-01T00:00:00Z');

/** ISO 8601 instants the schemas accept: Z or an offset, with or without milliseconds, and the far edges. */
export const isoInstant: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc
    .tuple(fc.date({ min: dateMin, max: dateMax, noInvalidDate: true }), fc.constantFrom('Z', '+00:00', '+05:30', '-23:59', 'no-ms'))
    .map(([date, zone]) => {
      const iso = date.toISOString();
      if (zone === 'Z') return iso;
      if (zone === 'no-ms') return iso.replace(/\.\d{3}Z$/, 'Z');
      return iso.replace('Z', zone);
    }) },
  { weight: 1, arbitrary: fc.constantFrom('0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '9999-12-31T23:59:59-23:59', '1970-01-01T00:00:00.000000001Z', '2028-02-29T12:00:00Z') },
);

const badInstants = [
  '2026-02-30T00:00:00Z',
  '2027-02-29T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01',
  '2026-01-01T00:00:00',
  '2026-01-01 00:00:00Z',
  '+010000-01-01T00:00:00.000Z',
  '-000001-01-01T00:00:00.000Z',
  'tomorrow',
  'now',
  '1767225600000',
  '0000-00-00T00:00:00Z',
];

function conformingString(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength;
  if (schema.format === 'date-time') return isoInstant;
  if (schema.format === 'email') return fc.emailAddress().filter((email) => max === undefined || email.length <= max);
  const fits = (text: string) => text.length >= min && (max === undefined || text.length <= max);
  if (schema.pattern) {
    const matching = fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
    return max === undefined ? matching : fc.oneof({ weight: 6, arbitrary: matching }, { weight: 1, arbitrary: fc.constant('a'.repeat(Math.max(min, max))) });
  }
  const free = fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.max(min, Math.min(max ?? 30, 30)) });
  return max === undefined ? free : fc.oneof({ weight: 6, arbitrary: free }, { weight: 1, arbitrary: fc.constant('a'.repeat(max)) });
}

/** Values that satisfy `schema` (a whitespace-only text may still be refused by a trim). */
export function conforming(schema: JsonSchema, hints: Hints, name?: string, depth = 0): fc.Arbitrary<unknown> {
  const hint = name === undefined ? undefined : hints[name];
  if (hint) return hint;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) return fc.oneof(...alternatives.map((alternative) => conforming(alternative, hints, undefined, depth + 1)));
  switch (typeOf(schema)) {
    case 'string':
      return conformingString(schema);
    case 'integer':
      return integerIn(schema.minimum ?? -1_000_000_000, schema.maximum ?? 1_000_000_000);
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 5, 5));
      return fc.array(conforming(schema.items ?? {}, hints, undefined, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectOf(schema, (property, key) => conforming(property, hints, key, depth + 1), schema.required ?? []);
    default:
      return depth > 3 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  }
}

function objectOf(schema: JsonSchema, field: (property: JsonSchema, key: string) => fc.Arbitrary<unknown>, requiredKeys: string[]): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, property] of Object.entries(properties)) model[key] = field(property, key);
  return fc.record(model, { requiredKeys: requiredKeys.filter((key) => key in properties) });
}

/** Values of any JSON type but the one `schema` wants. */
export function wrongType(schema: JsonSchema): fc.Arbitrary<unknown> {
  const type = typeOf(schema);
  return anyJson.filter((value) => !hasType(value, type) && !(type === 'number' && typeof value === 'number'));
}

/** Values that break `schema`: just past its bounds, the wrong format, the wrong type. */
export function violating(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  const candidates: Array<fc.Arbitrary<unknown>> = [wrongType(schema)];
  if (schema.enum) {
    const allowed = new Set(schema.enum);
    candidates.push(anyText.filter((text) => !allowed.has(text)));
    candidates.push(fc.constantFrom(...schema.enum.map((value) => String(value).toUpperCase() + ' ')));
  }
  switch (typeOf(schema)) {
    case 'string': {
      const max = schema.maxLength;
      if (max !== undefined) candidates.push(fc.constant('x'.repeat(max + 1)), fc.constant('é'.repeat(max + 1)));
      if ((schema.minLength ?? 0) > 0) candidates.push(fc.constant(''));
      candidates.push(fc.constantFrom('a\u0000b', '   ', ' padded ', 'a b', 'é☃😀', '\ud800'));
      if (schema.format === 'date-time') candidates.push(fc.constantFrom(...badInstants));
      if (schema.format === 'email') candidates.push(fc.constantFrom('not-an-email', '@', 'a@b', 'a@@b.com', 'a@b.c'));
      break;
    }
    case 'integer':
    case 'number': {
      const edges = [1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER - 2, 2 ** 31, -(2 ** 31) - 1, 2 ** 63, Number.MIN_VALUE];
      if (schema.minimum !== undefined) edges.push(schema.minimum - 1, schema.minimum - 0.001);
      if (schema.maximum !== undefined) edges.push(schema.maximum + 1, schema.maximum + 0.001);
      if (typeOf(schema) === 'integer') edges.push(0.5, -0.5, (schema.minimum ?? 0) + 0.5, 1.0000001);
      candidates.push(fc.constantFrom(...edges), fc.constantFrom('1', '0', '-1', '1e3', ' 5'));
      break;
    }
    case 'array': {
      const items = schema.items ?? {};
      if (schema.maxItems !== undefined && schema.maxItems <= 2000) {
        candidates.push(fc.array(conforming(items, hints), { minLength: 1, maxLength: 1 }).map((one) => Array.from({ length: schema.maxItems! + 1 }, () => one[0])));
      }
      if ((schema.minItems ?? 0) > 0) candidates.push(fc.constant([]));
      candidates.push(fc.array(violating(items, hints), { minLength: 1, maxLength: 3 }));
      break;
    }
    case 'object': {
      const required = schema.required ?? [];
      if (required.length > 0) candidates.push(objectOf(schema, (property, key) => conforming(property, hints, key), []).filter((value) => required.some((key) => !(key in (value as object)))));
      if (schema.additionalProperties === false) {
        candidates.push(fc.tuple(objectOf(schema, (property, key) => conforming(property, hints, key), required), fc.constantFrom('extra', 'id', 'account_id', 'credits')).map(([value, key]) => ({ ...(value as object), [key]: 1 })));
      }
      break;
    }
    default:
      break;
  }
  return fc.oneof(...candidates);
}

/** One field: mostly valid, often broken, sometimes anything at all. */
export function fieldValue(schema: JsonSchema, hints: Hints, name: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: conforming(schema, hints, name) },
    { weight: 2, arbitrary: violating(schema, hints) },
    { weight: 1, arbitrary: anyJson },
  );
}

/**
 * A JSON body for a route: its known fields each valid, broken or missing, plus extra fields; a
 * wholly valid body (so success paths run too); any JSON value; or whatever fc.anything() gives
 * (undefined sends no body). A union (`anyOf`) picks one of its shapes.
 */
export function bodyValue(schema: JsonSchema | undefined, hints: Hints): fc.Arbitrary<unknown> {
  const anything = fc.anything({ maxDepth: 3 });
  const fallback = fc.oneof(fc.jsonValue({ maxDepth: 4 }), anything, anyJson);
  if (!schema) return fallback;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) return fc.oneof(...alternatives.map((alternative) => bodyValue(alternative, hints)));
  if (typeOf(schema) !== 'object') return fc.oneof(conforming(schema, hints), fallback);
  const fields = objectOf(schema, (property, key) => fieldValue(property, hints, key), []);
  const extras = fc.dictionary(fc.oneof(anyText, fc.constantFrom('extra', 'account_id', 'credits', 'balance', 'id')), anyJson, { maxKeys: 3 });
  return fc.oneof(
    { weight: 8, arbitrary: fields },
    { weight: 3, arbitrary: conforming(schema, hints) },
    { weight: 2, arbitrary: fc.tuple(fields, extras).map(([known, extra]) => ({ ...extra, ...(known as object) })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: anything },
  );
}

/** The text of a JSON body, or undefined for none (JSON.stringify of undefined or a function). */
export function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));
  } catch {
    return undefined;
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Text that is not JSON: truncated, almost-JSON, or noise. */
export const invalidJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{',
    '}',
    '[',
    '{"a":}',
    '{"a" 1}',
    "{'a':1}",
    '{a:1}',
    '{"a":1,}',
    '[1,]',
    'undefined',
    'NaN',
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"a":01}',
    '{"a":1e}',
    '{"a":"\\x"}',
    '{"a":"\u0001"}',
    '"unterminated',
    '\u0000',
    '{}{}',
    '{} x',
    'nul',
    'tru',
    '/*c*/{}',
    '{"a":1}//',
    '\ufeff\ufeff{}',
    '{"a":"\\ud800"',
  ),
  fc
    .jsonValue({ maxDepth: 3 })
    .map((value) => JSON.stringify(value))
    .filter((text) => text.length > 1)
    .chain((text) => fc.integer({ min: 1, max: text.length - 1 }).map((end) => text.slice(0, end)))
    .filter((text) => !parses(text)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).filter((text) => !parses(text)),
);

/** Bodies that try prototype pollution; Fastify refuses them before any handler. */
export const poisonedJsonText = fc.constantFrom(
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"ids":["a"],"__proto__":{"max_credits":0}}',
  '{"a":{"__proto__":{"b":1}}}',
);

/** Content types other than JSON (and a few that only look like it). */
export const foreignContentType: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'text/html',
    'application/xml',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    'image/png',
    'application/jsonx',
    'application/json-patch+json',
    'json',
    '*/*',
    'application/',
    '/json',
    ';',
    'text/json',
    'application/json\u0000',
  ),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }).filter((type) => !/json|text\/plain|ndjson/i.test(type)),
);

function percentEncodeBytes(bytes: Uint8Array): string {
  return [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** encodeURIComponent that does not throw on lone surrogates (it writes U+FFFD for them). */
export function encodeText(text: string): string {
  return encodeURIComponent(text.replace(loneSurrogate, '\ufffd'));
}

/** Path segments sent as is: traversal, NUL, bad %-encodings, router syntax, address look-alikes. */
export const rawSegments = [
  '',
  '.',
  '..',
  '%2e',
  '%2e%2e',
  '%2E%2E',
  '.%2e',
  '%00',
  'a%00',
  '%20',
  ' ',
  'a b',
  '%zz',
  '%',
  '%%',
  '%E0%A4%A',
  '%C0%AF',
  '%C0%80',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%FF',
  '%2F',
  '..%2F..',
  '%2F..%2F',
  '%5C',
  '\\',
  '~',
  '*',
  ':id',
  '{id}',
  'null',
  'undefined',
  '0',
  '-1',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  '%3Cscript%3E',
  "'",
  '"',
  ';',
  'é',
  '😀',
  '127.0.0.1',
  '::1',
  '::ffff:1.2.3.4',
  '999.1.1.1',
  '1.2.3',
  '01.02.03.004',
  'fe80::1%25eth0',
  '0x7f.1',
  '[::1]',
  '1.2.3.4%0A',
];

/** A path segment (already in URL form): valid-looking, hostile, very long, or not even valid %-encoding. */
export function pathSegment(schema: JsonSchema, hints: Hints, name: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: anyText.map(encodeText) },
    { weight: 3, arbitrary: fc.constantFrom(...rawSegments) },
    { weight: 2, arbitrary: conforming(schema, hints, name).map((value) => encodeText(String(value))) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'abc-_.~!$&\'()*+,;=:@%09AZ'.split('')), maxLength: 30 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 12 }).map(percentEncodeBytes) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom(128, 129, 1023, 1024, 1025), fc.integer({ min: 129, max: 4000 })).map((length) => 'x'.repeat(length)) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 400 }).map((count) => '%C3%A9'.repeat(count)) },
  );
}

const encodedCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Cursors: random base64, base64 of random JSON, and near-misses of the server's own shapes. */
export const cursorText: fc.Arbitrary<string> = fc.oneof(
  fc.base64String({ maxLength: 80 }),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
  fc.jsonValue({ maxDepth: 3 }).map(encodedCursor),
  fc.record({ after: anyJson, before: anyJson, seq: anyJson, id: anyJson }, { requiredKeys: [] }).map(encodedCursor),
  fc.constantFrom(
    encodedCursor({ after: '' }),
    encodedCursor({ after: 'x'.repeat(400) }),
    encodedCursor({ after: '\u0000' }),
    encodedCursor({ before: 1.5 }),
    encodedCursor({ before: -1 }),
    encodedCursor({ before: 0 }),
    encodedCursor({ before: 1e300 }),
    encodedCursor({ before: '1' }),
    encodedCursor({ before: Number.MAX_SAFE_INTEGER + 2 }),
    'e30',
    'null',
    '%',
    '====',
    'x'.repeat(501),
  ),
);

const numberish = fc.constantFrom('0', '-1', '1', '1.5', '1e3', '1e2', '1e309', '-0', 'NaN', 'Infinity', '-Infinity', '0x10', '0b1', '1_000', '9007199254740993', '2147483648', '500', '501', ' 5', '5 ', '');

/** A value for a query parameter: what its schema allows, what breaks it, numbers, cursors, noise. */
function queryValue(schema: JsonSchema, hints: Hints, name: string): fc.Arbitrary<string> {
  const asText = (value: unknown) => (typeof value === 'string' ? value : (jsonText(value) ?? ''));
  const choices: Array<fc.WeightedArbitrary<string>> = [
    { weight: 3, arbitrary: conforming(schema, hints, name).map(asText) },
    { weight: 2, arbitrary: violating(schema, hints).map(asText) },
    { weight: 2, arbitrary: numberish },
    { weight: 2, arbitrary: anyText },
  ];
  if (name === 'cursor') choices.push({ weight: 4, arbitrary: cursorText });
  return fc.oneof(...choices);
}

export interface QueryPair {
  key: string;
  value: string | undefined;
  /** Sent without percent-encoding (so `%zz`, `&` and `=` reach the parser as they are). */
  raw: boolean;
}

/** A query string (with its `?`, or empty): known parameters, repeated ones, unknown ones, garbage. */
export function queryString(params: Array<{ name: string; schema: JsonSchema }>, hints: Hints): fc.Arbitrary<string> {
  const known = params.map((param) =>
    fc.record({ key: fc.constant(param.name), value: fc.option(queryValue(param.schema, hints, param.name), { nil: undefined, freq: 10 }), raw: fc.boolean() }),
  );
  const unknownKey = fc.oneof(anyText, fc.constantFrom('limit[]', 'limit[0]', 'cursor[after]', '__proto__', 'constructor', '', '[]', 'a.b'));
  const unknown = fc.record({ key: unknownKey, value: fc.option(anyText, { nil: undefined, freq: 10 }), raw: fc.boolean() });
  const pair: fc.Arbitrary<QueryPair> = known.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.oneof(...known) }, { weight: 1, arbitrary: unknown }) : unknown;
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(pair, { maxLength: 8 }).map(formatQuery) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((text) => `?${text.replace(/#/g, '')}`) },
    { weight: 1, arbitrary: fc.constantFrom('?', '?&', '?=', '?&&=&', '?limit=1&limit=2', '?limit=1&limit=1', '?cursor=&cursor=x', '?%zz', '?%=%', '?limit=%00') },
  );
}

function formatQuery(pairs: QueryPair[]): string {
  if (pairs.length === 0) return '';
  const parts = pairs.map(({ key, value, raw }) => {
    const encode = (text: string) => (raw ? text.replace(/[#\s]/g, (character) => encodeText(character)) : encodeText(text));
    return value === undefined ? encode(key) : `${encode(key)}=${encode(value)}`;
  });
  return `?${parts.join('&')}`;
}

/** Idempotency-Key values: a small pool (so repeats and conflicts happen), valid ones, and broken ones. */
export const idempotencyKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 255 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '\t', 'x'.repeat(255), 'x'.repeat(256), 'é', 'a\u0000b', 'a\nb', '\u00ff') },
  { weight: 1, arbitrary: fc.integer({ min: 256, max: 8000 }).map((length) => 'k'.repeat(length)) },
);

/** Headers a client might send with garbage in them; the server must ignore or refuse them, never fail. */
export const strayHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.constantFrom('accept', 'accept-encoding', 'accept-language', 'x-forwarded-for', 'x-real-ip', 'x-request-id', 'cookie', 'origin', 'referer', 'user-agent', 'if-none-match', 'range', 'content-encoding', 'x-http-method-override'),
  fc.oneof(anyText.map((text) => text.replace(/[\r\n]/g, ' ')), fc.constantFrom('gzip', 'br', '*/*', 'application/xml', '1.2.3.4, ::1, garbage', 'DELETE', 'bytes=0-1')),
  { maxKeys: 4 },
);
