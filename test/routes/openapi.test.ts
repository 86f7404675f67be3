// Proves /openapi.json is a valid OpenAPI 3.1 document that documents every route the server registers (method, path, security, errors, credit headers), /docs serves its UI from this server alone, and the committed client types match the document.
import { readFile } from 'node:fs/promises';
import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { generateOpenApiTypes, openApiTypesPath } from '../../src/client/generate_types.ts';
import { customerSecurityScheme, operatorSecurityScheme, sessionSecurityScheme } from '../../src/http/openapi.ts';

interface Operation {
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, unknown> }>;
}

interface Document {
  openapi: string;
  info: { title: string; version: string; description?: string };
  tags: Array<{ name: string; description?: string }>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
  paths: Record<string, Record<string, Operation>>;
}

/** The routes that take no credential: signing in. */
const publicOperations = ['POST /v1/session'];

/** Served by the documentation itself or probing the process: not part of the API. */
// The built web app's files (src/http/web_app.ts, when web/dist exists) are pages, not API.
// Website tracking (GET /t.js, POST and OPTIONS /collect) is for browsers, not API clients.
const undocumented = [/^\/openapi\.json$/, /^\/docs(\/|$)/, /^\/health$/, /^\/t\.js$/, /^\/collect$/, /^\/index\.html$/, /^\/assets\//];

/**
 * Every route the server registered, as `METHOD /path/{param}`, read from Fastify's route tree
 * (`printRoutes` with full segments: each line is a segment appended to its parent's path).
 */
function registeredRoutes(app: TestApp): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.server.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of match[3]?.split(', ') ?? []) {
      if (method === 'HEAD' || undocumented.some((pattern) => pattern.test(path))) continue;
      routes.push(`${method} ${path}`);
    }
  }
  return routes.sort();
}

/** The validator's verdict on `value`, as @readme/openapi-parser gives it. */
function validateDocument(value: unknown): ReturnType<typeof validate> {
  return validate(structuredClone(value) as Parameters<typeof validate>[0]);
}

function operations(document: Document): Array<{ name: string; path: string; operation: Operation }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, path, operation })),
  );
}

describe('the OpenAPI document and the documentation', () => {
  let app: TestApp;
  let document: Document;

  beforeAll(async () => {
    app = await startTestApp('sqlite');
    const response = await app.api<Document>('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    document = response.body;
  });
  afterAll(async () => app.close());

  it('is valid OpenAPI 3.1 for a real validator', async () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.info.title).toBe('Quarry API');
    const packageJson = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(document.info.version).toBe(packageJson.version);
    const result = await validateDocument(document);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('the validator catches a broken document (so the check above means something)', async () => {
    const withoutDescription = structuredClone(document);
    delete (withoutDescription.paths['/v1/account']!['get']!.responses['200'] as { description?: string }).description;
    expect((await validateDocument(withoutDescription)).valid).toBe(false);
    // A path whose parameter is not declared: what a `:id` left in a path would become.
    const undeclaredParameter = structuredClone(document);
    undeclaredParameter.paths['/v1/companies/{company}'] = undeclaredParameter.paths['/v1/companies/{id}']!;
    expect((await validateDocument(undeclaredParameter)).valid).toBe(false);
  });

  it('documents every registered route with its method, and nothing else', () => {
    const routes = registeredRoutes(app);
    // The route tree was read: a change of printRoutes' format must not make this test vacuous.
    expect(routes).toContain('GET /v1/account');
    expect(routes).toContain('GET /v1/companies/{id}');
    expect(routes).toContain('POST /admin/v1/accounts');
    expect(routes).toContain('DELETE /admin/v1/accounts/{id}/api-keys/{key_id}');
    const documented = operations(document).map((entry) => entry.name).sort();
    expect(documented).toEqual(routes);
  });

  it('describes each operation: summary, a declared tag, path parameters, a success body, its scope and errors', () => {
    const declaredTags = new Map(document.tags.map((tag) => [tag.name, tag.description]));
    for (const { name, path, operation } of operations(document)) {
      expect(operation.summary, `${name}: summary`).toBeTruthy();
      expect(operation.tags?.length, `${name}: tags`).toBeGreaterThan(0);
      for (const tag of operation.tags ?? []) {
        expect(declaredTags.get(tag), `${name}: tag ${tag} needs a description in src/http/openapi.ts`).toBeTruthy();
      }
      expect(path, `${name}: path parameters in {name} form`).not.toMatch(/:/);
      for (const parameter of path.match(/\{(\w+)\}/g) ?? []) {
        const declared = operation.parameters?.find((entry) => entry.in === 'path' && `{${entry.name}}` === parameter);
        expect(declared?.required, `${name}: path parameter ${parameter}`).toBe(true);
      }
      const success = Object.entries(operation.responses).find(([status]) => /^2\d\d$/.test(status));
      expect(success?.[1].content, `${name}: a documented success body`).toBeDefined();
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(response.description, `${name} ${status}: description`).not.toBe('Default Response');
      }
      expect(operation.responses['default'], `${name}: default error`).toBeDefined();
      const scheme = path.startsWith('/v1/') ? customerSecurityScheme : path.startsWith('/admin/v1/') ? operatorSecurityScheme : undefined;
      if (publicOperations.includes(name)) {
        expect(operation.security, name).toEqual([]);
        expect(operation.responses['401'], `${name}: 401 (wrong email or password)`).toBeDefined();
      } else if (scheme) {
        // The bearer credential of the scope, or the web app's session cookie.
        expect(operation.security, name).toEqual([{ [scheme]: [] }, { [sessionSecurityScheme]: [] }]);
        expect(operation.responses['401'], `${name}: 401`).toBeDefined();
      }
    }
    expect(document.components.securitySchemes[customerSecurityScheme]).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.securitySchemes[operatorSecurityScheme]).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.securitySchemes[sessionSecurityScheme]).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'quarry_session' });
    expect(publicOperations.every((name) => operations(document).some((entry) => entry.name === name))).toBe(true);
  });

  it('documents the credit headers API.md promises', () => {
    const deepDataReads = ['/v1/companies/{id}', '/v1/companies/{id}/signals', '/v1/companies/{id}/financials', '/v1/companies/{id}/news', '/v1/contacts/{id}'];
    for (const { name, path, operation } of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        // A sign-in has no account yet, so no balance to report.
        const promised = path.startsWith('/v1/') && !publicOperations.includes(name) && status !== '401' && status !== 'default';
        expect(Boolean(response.headers?.['X-Credits-Remaining']), `${name} ${status}: X-Credits-Remaining`).toBe(promised);
      }
      if (deepDataReads.includes(path)) {
        expect(operation.responses['200']?.headers?.['X-Credits-Charged'], `${name}: X-Credits-Charged`).toBeDefined();
      }
    }
    expect(operations(document).find((entry) => entry.name === 'GET /v1/account')?.operation.responses['200']?.headers?.['X-Credits-Charged']).toBeUndefined();
    expect(document.info.description).toContain('insufficient_credits');
  });

  it('serves the interactive documentation and all its assets from this server', async () => {
    for (const url of ['/docs', '/docs/']) {
      const page = await app.api<string>('GET', url);
      expect(page.status, url).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      // No CDN: every script and style sheet is a path on this server.
      const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
      expect(assets.length).toBeGreaterThanOrEqual(4);
      for (const asset of assets) {
        expect(asset, `${url}: ${asset}`).not.toMatch(/^(https?:)?\/\//);
        const resolved = new URL(asset, `http://localhost${url}`).pathname;
        const response = await app.api('GET', resolved);
        expect(response.status, resolved).toBe(200);
      }
    }
    const json = await app.api<Document>('GET', '/docs/json');
    expect(json.status).toBe(200);
    expect(json.body).toEqual(document);
  });

  it('the committed client types are those of the document (else run npm run openapi:types)', async () => {
    const committed = await readFile(openApiTypesPath, 'utf8');
    expect(committed === (await generateOpenApiTypes()), 'src/client/openapi_types.ts is stale: run npm run openapi:types').toBe(true);
  });
});
