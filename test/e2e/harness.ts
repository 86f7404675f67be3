// What every browser test stands on: a real `quarry serve` process on a free port with a fresh
// data directory and the e2e catalog, customers and operators made through the operator API and
// the CLI, and Debian's Chromium driven by playwright-core (never a downloaded browser).
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServerProcess, testAdminToken, type ServerProcess } from '../harness/server_process.ts';
import { companies, contacts, ndjson } from './catalog.ts';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const screenshotDirectory = join(repositoryRoot, 'test', 'e2e', 'screenshots');

/** How soon a credit spent elsewhere must show in an open page (issue #4). */
export const liveBalanceMs = 2_000;
/**
 * How long a page view may take to show in GET /v1/visitors: POST /collect answers before the
 * visit is written (the collector writes in batches, within about a second), so tests poll.
 */
export const visitShownMs = 10_000;
export const password = 'correct horse battery staple';

export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Customer {
  accountId: string;
  email: string;
  password: string;
  apiKey: string;
}

export interface E2eServer {
  url: string;
  /** The server's QUARRY_DATA_DIR (on SQLite, the database file and its write-ahead log). */
  dataDir: string;
  process: ServerProcess;
  /** An operator API call with the operator token. */
  admin<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer<T>>;
  /** A customer API call with an API key. */
  api<T = unknown>(key: string, method: string, path: string, body?: unknown): Promise<HttpAnswer<T>>;
  /** Opens an account with an owner (POST /admin/v1/accounts). */
  createCustomer(planId: string, name: string): Promise<Customer>;
  /** Creates an operator user with the CLI, as a vendor does. */
  createOperator(): Promise<{ email: string; password: string }>;
  stop(): Promise<void>;
}

let emailSequence = 0;

async function httpCall<T>(url: string, init: { method: string; headers: Record<string, string>; body?: string | undefined }): Promise<HttpAnswer<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  const body = text && (response.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as T) : (text as T);
  return { status: response.status, body, headers: response.headers };
}

export interface E2eServerOptions {
  /** Extra settings for the server, e.g. `{ QUARRY_TRUST_PROXY: 'true' }`. */
  env?: Record<string, string>;
}

export async function startE2eServer(options: E2eServerOptions = {}): Promise<E2eServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'quarry-e2e-'));
  const process_ = await startServerProcess({ dataDir, env: options.env });
  const url = process_.url;
  const call = <T>(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    httpCall<T>(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const server: E2eServer = {
    url,
    dataDir,
    process: process_,
    admin: (method, path, body, headers) => call(testAdminToken, method, path, body, headers),
    api: (key, method, path, body) => call(key, method, path, body),
    async createCustomer(planId, name) {
      emailSequence += 1;
      const email = `owner.${emailSequence}.${planId}@e2e.example`;
      const answer = await server.admin<{ account: { id: string }; api_key: string }>('POST', '/admin/v1/accounts', {
        name,
        plan_id: planId,
        owner_email: email,
        owner_password: password,
      });
      if (answer.status !== 201) throw new Error(`account creation failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return { accountId: answer.body.account.id, email, password, apiKey: answer.body.api_key };
    },
    async createOperator() {
      emailSequence += 1;
      const email = `operator.${emailSequence}@e2e.example`;
      await promisify(execFile)(process.execPath, [join(repositoryRoot, 'bin', 'quarry.js'), 'operators', 'create', '--email', email, '--password', password], {
        cwd: repositoryRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, QUARRY_DATA_DIR: dataDir, QUARRY_DEMO: 'false', QUARRY_LOG_LEVEL: 'warn' },
      });
      return { email, password };
    },
    async stop() {
      await process_.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  for (const [type, records] of [
    ['companies', companies],
    ['contacts', contacts],
  ] as const) {
    const answer = await httpCall(`${url}/admin/v1/catalog/${type}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testAdminToken}`, 'content-type': 'application/x-ndjson' },
      body: ndjson(records),
    });
    if (answer.status !== 200) throw new Error(`catalog import of ${type} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return server;
}

export interface BrowserOptions {
  /** Host names the browser resolves to 127.0.0.1 (a customer's website served by a test). */
  loopbackHosts?: readonly string[];
}

/** Debian's Chromium (CHROMIUM_PATH, else /usr/bin/chromium), headless, without its phoning home. */
export async function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  const hosts = options.loopbackHosts ?? [];
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(hosts.length > 0 ? [`--host-resolver-rules=${hosts.map((host) => `MAP ${host} 127.0.0.1`).join(', ')}`] : []),
    ],
  });
}

/** A fresh browser profile (its own cookies) with a page on the server. */
export async function newPage(browser: Browser, server: E2eServer): Promise<Page> {
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'UTC' });
  return context.newPage();
}

/** Signs in through the form, as a person does, and waits for the signed-in layout. */
export async function signIn(page: Page, email: string, secret = password): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Every balance on the page (the header's and the dashboard's) as numbers. */
export async function balancesOf(page: Page): Promise<number[]> {
  const texts = await page.getByTestId('credit-balance').allTextContents();
  return texts.map((text) => Number(text));
}

/** Waits until every balance on the page reads `expected`; fails after `timeoutMs`. */
export async function waitForBalance(page: Page, expected: number, timeoutMs = liveBalanceMs): Promise<void> {
  await page.waitForFunction(
    (value) => {
      const elements = [...(globalThis as unknown as PageGlobals).document.querySelectorAll('[data-testid="credit-balance"]')];
      return elements.length > 0 && elements.every((element) => element.textContent === String(value));
    },
    expected,
    { timeout: timeoutMs },
  );
}

export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDirectory, { recursive: true });
  await page.screenshot({ path: join(screenshotDirectory, `${name}.png`), fullPage: true });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is now. axe is evaluated through
 * the DevTools protocol, which the page's Content-Security-Policy does not govern, so the policy
 * stays on while the page is checked.
 */
/**
 * The page's globals, typed just enough for the functions these tests run in the page: the test
 * code is compiled for Node (no DOM library), and the functions run in the browser.
 */
export interface PageGlobals {
  document: {
    activeElement: { id: string } | null;
    querySelectorAll(selector: string): Iterable<{ textContent: string | null }>;
  };
}

export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const page = globalThis as unknown as PageGlobals & { axe: { run(context: unknown, options: object): Promise<{ violations: AxeViolation[] }> } };
    const result = await page.axe.run(page.document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target, failureSummary: node.failureSummary })),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** A customer's website for the visitors tests: one HTML page, answered at every path. */
export interface StaticSite {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The port it listens on (on 127.0.0.1). */
  port: number;
  /** The paths of the GET requests it answered, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `html` on a free port of 127.0.0.1 (node:http), at every path, as a single-page site does. */
export async function startStaticSite(html: string): Promise<StaticSite> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(html);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a browser sends as its user agent; the collector drops visits from HTTP libraries as bots. */
export const browserUserAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

/**
 * A page view as the tracking script reports it (POST /collect, text/plain JSON as sendBeacon
 * sends it), from `address` through X-Forwarded-For: the server must trust the proxy header
 * (QUARRY_TRUST_PROXY=true). The collector answers 204 whatever happens; the visit shows in
 * GET /v1/visitors a moment later.
 */
export async function sendVisit(server: E2eServer, visit: { siteId: string; url: string; address: string; referrer?: string }): Promise<void> {
  const response = await fetch(`${server.url}/collect`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': browserUserAgent, 'x-forwarded-for': visit.address },
    body: JSON.stringify({ site_id: visit.siteId, url: visit.url, referrer: visit.referrer ?? null }),
  });
  if (response.status !== 204) throw new Error(`POST /collect answered ${response.status}`);
}

export interface VisitorItem {
  company: { id: string; name: string | null; domain: string | null };
  site_id: string;
  visits: number;
  first_seen: string;
  last_seen: string;
  pages: string[];
  referrers: string[];
}

/**
 * The account's visitors feed once it holds at least `count` items (the collector writes a moment
 * after POST /collect answered); fails after `visitShownMs`. Works in hooks, unlike expect.poll.
 */
export async function waitForVisitors(server: E2eServer, apiKey: string, count: number, query = ''): Promise<VisitorItem[]> {
  const deadline = Date.now() + visitShownMs;
  let items: VisitorItem[] = [];
  while (Date.now() < deadline) {
    items = await visitorsOf(server, apiKey, query);
    if (items.length >= count) return items;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`GET /v1/visitors${query} held ${items.length} items after ${visitShownMs} ms, not ${count}: ${JSON.stringify(items)}`);
}

/** The account's visitors feed through the API (the first page, newest first). */
export async function visitorsOf(server: E2eServer, apiKey: string, query = ''): Promise<VisitorItem[]> {
  const answer = await server.api<{ data: VisitorItem[] }>(apiKey, 'GET', `/v1/visitors${query}`);
  if (answer.status !== 200) throw new Error(`GET /v1/visitors answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}
