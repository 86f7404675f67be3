// Proves the live balance: GET /v1/events streams the account's balance on connect and after every charge, through any channel, to session and API-key callers alike; refuses bad credentials; lets go of its listener when closed; and, on PostgreSQL, carries a charge made on one server process to a stream held by another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeEachDatabase, testDatabases, type TestDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { startServerProcess, stopAllServerProcesses, testAdminToken, type ServerProcess } from '../harness/server_process.ts';
import { openEventStream } from '../harness/event_stream.ts';
import { insertCompany, insertContact } from '../factories/catalog.ts';
import { expectError } from '../factories/accounts.ts';

const password = 'correct horse battery';

describeEachDatabase('live balance events', (kind) => {
  let app: TestApp;
  let baseUrl: string;
  let companyId: string;
  let contactId: string;

  beforeAll(async () => {
    app = await startTestApp(kind);
    baseUrl = await app.server.listen({ port: 0, host: '127.0.0.1' });
    companyId = await insertCompany(app.store.db);
    contactId = await insertContact(app.store.db, companyId);
  });
  afterAll(async () => app.close());

  it('streams the balance on connect and after a charge made through the API, to a signed-in page', async () => {
    const email = `events.${Date.now()}@example.com`;
    const account = await app.createAccountWithOwner('platform', { email, password });
    const session = await app.signIn(email, password);
    const stream = await openEventStream(`${baseUrl}/v1/events`, { cookie: session.cookie });
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(stream.headers.get('x-credits-remaining')).toBe('1000');
      expect(await stream.next()).toEqual({ event: 'balance', data: { balance: 1000, ledger_seq: 1 } });
      expect((await app.api('GET', `/v1/companies/${companyId}`, { key: account.key })).status).toBe(200);
      expect(await stream.next()).toEqual({ event: 'balance', data: { balance: 999, ledger_seq: 2 } });
      // A web charge and an operator top-up reach it too.
      expect((await app.web(session, 'GET', `/v1/contacts/${contactId}`)).status).toBe(200);
      expect(await stream.next()).toEqual({ event: 'balance', data: { balance: 998, ledger_seq: 3 } });
      expect((await app.admin('POST', `/admin/v1/accounts/${account.id}/top-ups`, { credits: 50 })).status).toBe(201);
      expect(await stream.next()).toEqual({ event: 'balance', data: { balance: 1048, ledger_seq: 4 } });
    } finally {
      stream.close();
    }
  });

  it('streams to an API key, and only the caller’s own account', async () => {
    const mine = await app.createAccount('platform', 'Mine');
    const other = await app.createAccount('platform', 'Other');
    const stream = await openEventStream(`${baseUrl}/v1/events`, { authorization: `Bearer ${mine.key}` });
    try {
      expect(await stream.next()).toEqual({ event: 'balance', data: { balance: 1000, ledger_seq: 1 } });
      expect((await app.api('GET', `/v1/companies/${companyId}`, { key: other.key })).status).toBe(200);
      expect((await app.api('GET', `/v1/companies/${companyId}`, { key: mine.key })).status).toBe(200);
      // The other account's charge came first; the stream shows only its own.
      expect(await stream.next()).toEqual({ event: 'balance', data: { balance: 999, ledger_seq: 2 } });
    } finally {
      stream.close();
    }
  });

  it('refuses a missing or forged credential with 401 before streaming', async () => {
    expectError(await app.api('GET', '/v1/events'), 401, 'unauthorized');
    expectError(await app.api('GET', '/v1/events', { headers: { cookie: 'quarry_session=qss_forged' } }), 401, 'unauthorized');
    expectError(await app.api('GET', '/v1/events', { key: 'qry_forged' }), 401, 'unauthorized');
  });

  it('lets go of its listener when the page closes the stream', async () => {
    const listenersBecome = async (count: number) => {
      const deadline = Date.now() + 5_000;
      while (app.context.events.listenerCount() !== count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(app.context.events.listenerCount()).toBe(count);
    };
    // The streams of the tests above are closed, and let go of theirs, first.
    await listenersBecome(0);
    const account = await app.createAccount('platform', 'Closer');
    const stream = await openEventStream(`${baseUrl}/v1/events`, { authorization: `Bearer ${account.key}` });
    await stream.next();
    expect(app.context.events.listenerCount()).toBe(1);
    stream.close();
    await listenersBecome(0);
  });
});

// Only PostgreSQL lets several processes share a database.
describe.skipIf(!testDatabases.includes('postgres'))('live balance events across two server processes on one PostgreSQL database', () => {
  let database: TestDatabase | undefined;
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    servers = await Promise.all([0, 1].map(() => startServerProcess({ databaseUrl: database!.url, dataDir: database!.dataDir })));
  });
  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await stopAllServerProcesses();
    await database?.drop();
  });

  async function call(url: string, init: RequestInit & { token: string }) {
    const response = await fetch(url, { ...init, headers: { authorization: `Bearer ${init.token}`, 'content-type': 'application/json', ...init.headers } });
    return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  it('carries a charge made on one process to a stream held by the other within 2 seconds', async () => {
    const [first, second] = servers as [ServerProcess, ServerProcess];
    const created = await call(`${first.url}/admin/v1/accounts`, { method: 'POST', token: testAdminToken, body: JSON.stringify({ name: 'Two processes', plan_id: 'platform' }) });
    expect(created.status).toBe(201);
    const key = created.body['api_key'] as string;
    const companyId = 'cmp_relay_1';
    const imported = await fetch(`${first.url}/admin/v1/catalog/companies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testAdminToken}`, 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ id: companyId, name: 'Relay Ltd', domain: 'relay.example' })}\n`,
    });
    expect(imported.status).toBe(200);
    const stream = await openEventStream(`${second.url}/v1/events`, { authorization: `Bearer ${key}` });
    try {
      expect(await stream.next()).toEqual({ event: 'balance', data: { balance: 1000, ledger_seq: 1 } });
      const read = await call(`${first.url}/v1/companies/${companyId}`, { method: 'GET', token: key });
      expect(read.status).toBe(200);
      expect(await stream.next(2_000)).toEqual({ event: 'balance', data: { balance: 999, ledger_seq: 2 } });
    } finally {
      stream.close();
    }
  });
});
