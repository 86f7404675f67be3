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
import type { RateLimitOptions, SignInRateLimitOptions } from '../../src/http/rate_limit.ts';
import { openTestStore, type TestDatabaseKind, type TestStore } from './databases.ts';

export const testAdminToken = 'test-operator-token-0123456789';
/** log2 of scrypt's N for passwords in tests: cheap, still a real scrypt hash. */
export const testPasswordCost = 10;
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
  rawBody?: string | Buffer;
}

/** A signed-in browser: the session cookie to send back and the CSRF token of POST /v1/session. */
export interface WebSession {
  cookie: string;
  csrfToken: string;
  /** The body POST /v1/session answered. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface WebRequestOptions extends RequestOptions {
  /** The X-CSRF-Token to send (on every method, as the web app does): the session's by default; `null` sends none. */
  csrf?: string | null;
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
  /** A call as the web app makes it: the session cookie, and X-CSRF-Token on every request. */
  web<T = any>(session: WebSession, method: string, url: string, options?: WebRequestOptions): Promise<Response<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** POST /v1/session; fails the test unless it signs in. */
  signIn(email: string, password: string): Promise<WebSession>;
  /** Opens an account with an owner user through the operator API. */
  createAccountWithOwner(planId: string, owner: { email: string; password: string }): Promise<{ id: string; key: string; ownerId: string }>;
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
    /** The sign-in throttle (per IP and per email); off unless a test opts in, as with QUARRY_RATE_LIMIT=0. */
    signInRateLimit?: SignInRateLimitOptions;
    /** QUARRY_TRUST_PROXY: X-Forwarded-For and X-Forwarded-Proto are believed. */
    trustProxy?: boolean;
    /** The logger (silent by default); with it, requests are logged as `serve` logs them. */
    logger?: pino.Logger;
    /** SQLite: how long a write waits for a lock another process holds (default: production's 10 s). */
    sqliteWriteLockWaitMs?: number;
  } = {},
): Promise<TestApp> {
  const store = await openTestStore(kind, { sqliteWriteLockWaitMs: options.sqliteWriteLockWaitMs });
  const clock = new ManualClock(options.start ?? testStart);
  const plans = new PlanRegistry(options.plans ?? defaultPlanCatalog);
  await syncPlans(store, plans, clock.now());
  // A cheap password hash (scrypt N = 2^10): tests sign in often; production uses 2^15.
  const context: AppContext = { store, clock, plans, logger: options.logger ?? pino({ level: 'silent' }), events: new CreditEvents(), passwordCost: testPasswordCost };
  const server = await buildServer(context, {
    adminToken: testAdminToken,
    trustProxy: options.trustProxy ?? false,
    logRequests: options.logger !== undefined,
    rateLimit: options.rateLimit,
    signInRateLimit: options.signInRateLimit,
  });
  await server.ready();

  async function call<T>(method: string, url: string, options: RequestOptions & { token?: string }): Promise<Response<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    let payload: string | Buffer | undefined;
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
    web(session, method, url, options = {}) {
      const headers: Record<string, string> = { cookie: session.cookie, ...options.headers };
      const csrf = options.csrf === undefined ? session.csrfToken : options.csrf;
      if (csrf !== null) headers['x-csrf-token'] = csrf;
      return call(method, url, { ...options, headers });
    },
    async signIn(email, password) {
      const response = await call<{ csrf_token: string }>('POST', '/v1/session', { body: { email, password } });
      if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(response.body)}`);
      return { cookie: sessionCookieOf(response), csrfToken: response.body.csrf_token, body: response.body };
    },
    async createAccountWithOwner(planId, owner) {
      const response = await app.admin<{ account: { id: string }; api_key: string; owner: { id: string } }>('POST', '/admin/v1/accounts', {
        name: `Account of ${owner.email}`,
        plan_id: planId,
        owner_email: owner.email,
        owner_password: owner.password,
      });
      if (response.status !== 201) throw new Error(`account creation failed: ${JSON.stringify(response.body)}`);
      return { id: response.body.account.id, key: response.body.api_key, ownerId: response.body.owner.id };
    },
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

/** `quarry_session=<token>` from a response's Set-Cookie, ready for a Cookie header. */
export function sessionCookieOf(response: Response): string {
  const header = response.headers['set-cookie'];
  const cookies = Array.isArray(header) ? header : header === undefined ? [] : [String(header)];
  const session = cookies.find((cookie) => cookie.startsWith('quarry_session='));
  if (!session) throw new Error(`no session cookie in ${JSON.stringify(header)}`);
  return session.split(';')[0]!;
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
