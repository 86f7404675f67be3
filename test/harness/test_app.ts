// A whole Quarry in process for route, scenario and model tests: a fresh database of the given
// kind, the manual clock, the default plans, and the HTTP server driven by `inject` (no socket).
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../src/app/context.ts';
import { CreditEvents } from '../../src/app/credits/credit_events.ts';
import { PlanRegistry, syncPlans } from '../../src/app/plans/plan_registry.ts';
import { defaultPlanCatalog, type PlanCatalog } from '../../src/domain/plans/plans.ts';
import { ManualClock, dayMs } from '../../src/lib/clock.ts';
import { buildServer } from '../../src/http/server.ts';
import { createQuarryClient, createQuarryOperatorClient, type QuarryClient, type QuarryOperatorClient } from '../../src/client/quarry_client.ts';
import type { RateLimitOptions } from '../../src/http/rate_limit.ts';
import { openTestStore, type TestDatabaseKind, type TestStore } from './databases.ts';

export const testAdminToken = 'test-operator-token-0123456789';
/** Tests start on a fixed instant so periods and expiries are predictable. */
export const testStart = Date.parse('2026-01-15T10:00:00.000Z');

export interface Response<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface RequestOptions {
  key?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
  /** A raw body (string) sent as is, for malformed-input tests. */
  rawBody?: string;
}

export interface TestApp {
  kind: TestDatabaseKind;
  context: AppContext;
  server: FastifyInstance;
  clock: ManualClock;
  store: TestStore;
  /** A customer API call with an API key. */
  api<T = any>(method: string, url: string, options?: RequestOptions): Promise<Response<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** An operator API call with the admin token. */
  admin<T = any>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Response<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Opens an account through the operator API; returns its id and API key. */
  createAccount(planId?: string, name?: string): Promise<{ id: string; key: string }>;
  advanceDays(days: number): void;
  /** The typed client (src/client/quarry_client.ts) of the customer API with `key`, bound to this server in process. */
  client(key: string): QuarryClient;
  /** The typed client of the operator API with the admin token, bound to this server in process. */
  operatorClient(): QuarryOperatorClient;
  close(): Promise<void>;
}

export async function startTestApp(
  kind: TestDatabaseKind,
  options: {
    plans?: PlanCatalog;
    start?: number;
    /** Rate limits per API key; off unless a test opts in (most tests send many requests per key). */
    rateLimit?: RateLimitOptions;
  } = {},
): Promise<TestApp> {
  const store = await openTestStore(kind);
  const clock = new ManualClock(options.start ?? testStart);
  const plans = new PlanRegistry(options.plans ?? defaultPlanCatalog);
  await syncPlans(store.db, plans, clock.now());
  const context: AppContext = { store, clock, plans, logger: pino({ level: 'silent' }), events: new CreditEvents() };
  const server = await buildServer(context, {
    adminToken: testAdminToken,
    trustProxy: false,
    logRequests: false,
    rateLimit: options.rateLimit,
  });
  await server.ready();

  async function call<T>(method: string, url: string, options: RequestOptions & { token?: string }): Promise<Response<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (options.rawBody !== undefined) payload = options.rawBody;
    else if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await server.inject({ method: method as 'GET', url, headers, payload });
    const text = response.body;
    let body: unknown = text;
    if (text.length > 0 && String(response.headers['content-type'] ?? '').includes('json')) body = JSON.parse(text);
    return { status: response.statusCode, body: body as T, headers: response.headers };
  }

  const app: TestApp = {
    kind,
    context,
    server,
    clock,
    store,
    api: (method, url, options = {}) => call(method, url, { ...options, token: options.key }),
    admin: (method, url, body, headers) => call(method, url, { body, headers, token: testAdminToken }),
    async createAccount(planId = 'platform', name = 'Test account') {
      const response = await app.admin<{ account: { id: string }; api_key: string }>('POST', '/admin/v1/accounts', {
        name,
        plan_id: planId,
      });
      if (response.status !== 201) throw new Error(`account creation failed: ${JSON.stringify(response.body)}`);
      return { id: response.body.account.id, key: response.body.api_key };
    },
    advanceDays(days) {
      if (!clock.advance(Math.round(days * dayMs))) throw new Error('the clock only moves forward');
    },
    client: (key) => createQuarryClient({ baseUrl: testBaseUrl, apiKey: key, fetch: injectFetch(server) }),
    operatorClient: () => createQuarryOperatorClient({ baseUrl: testBaseUrl, adminToken: testAdminToken, fetch: injectFetch(server) }),
    async close() {
      await server.close();
      await store.dropDatabase();
    },
  };
  return app;
}

/** The origin the typed clients of a test app use; nothing listens there, `injectFetch` answers. */
export const testBaseUrl = 'http://quarry.test';

/**
 * A fetch that hands the request to the in-process server through `inject`: the typed client
 * exercises the real routes (auth, validation, hooks, serialisation) without a socket.
 */
export function injectFetch(server: FastifyInstance): (request: Request) => Promise<globalThis.Response> {
  return async (request) => {
    const url = new URL(request.url);
    const payload = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const response = await server.inject({
      method: request.method as 'GET',
      url: `${url.pathname}${url.search}`,
      headers: Object.fromEntries(request.headers),
      ...(payload === undefined ? {} : { payload }),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, String(item));
    }
    // A Response with these statuses must have no body.
    const body = [101, 204, 205, 304].includes(response.statusCode) ? null : response.rawPayload;
    return new globalThis.Response(body, { status: response.statusCode, headers });
  };
}
