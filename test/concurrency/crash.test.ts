// Proves that a server killed with SIGKILL in the middle of charging leaves a consistent database on SQLite and PostgreSQL: after a restart reconcile is clean, every charge has its subscription and every paid subscription its charge, and the balance fell by exactly the number of charges.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.ts';
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../harness/databases.ts';
import { startServerProcess, stopAllServerProcesses, type ServerProcess } from '../harness/server_process.ts';
import { httpEndpoint, requestTimeoutMs, type Endpoint } from './http_endpoint.ts';
import { companyIds, createAccount, expectReconciled, importCompanies, readBalance, uniquePrefix, type TestAccount } from './scenarios.ts';

const rounds = 3;
const companiesPerRound = 800;
/** Reads kept in flight by the load; each is a first read of a company not read before. */
const readsInFlight = 8;
/** The kill lands this long after the first read is answered: a random moment in the range, per round. */
const killAfterMsMin = 150;
const killAfterMsMax = 500;
/** Far more credits than the load can spend, so no read is refused for want of credits. */
const topUpCredits = 100_000;
/** How long the load may take to get its first answer (a busy machine is slow to warm up). */
const firstAnswerWaitMs = 15_000;
/** Reads confirmed before a kill that are read again after the restart, to see them free. */
const rereadsMax = 20;

afterAll(stopAllServerProcesses);

describeEachDatabase('kill -9 in the middle of charging', (kind) => {
  let database: TestDatabase | undefined;
  let server: ServerProcess | undefined;
  let account: TestAccount;
  let startingBalance: number;
  const prefix = uniquePrefix('crash');
  const served: string[] = [];
  let attempted = 0;

  const serve = () => startServerProcess({ databaseUrl: database!.url, dataDir: database!.dataDir });

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    server = await serve();
    const endpoint = httpEndpoint(server.url);
    account = await createAccount(endpoint, 'crash test');
    const topUp = await endpoint.admin('POST', `/admin/v1/accounts/${account.id}/top-ups`, { credits: topUpCredits });
    expect(topUp.status, JSON.stringify(topUp.body)).toBe(201);
    await importCompanies(endpoint, companyIds(prefix, rounds * companiesPerRound));
    startingBalance = await readBalance(endpoint, account);
  });

  afterAll(async () => {
    await server?.kill9();
    await database?.drop();
  });

  for (let round = 1; round <= rounds; round += 1) {
    it(`round ${round}: kills the server mid-load, restarts it, and finds every charge whole`, async () => {
      const ids = companyIds(prefix, rounds * companiesPerRound).slice((round - 1) * companiesPerRound, round * companiesPerRound);
      const killAfterMs = killAfterMsMin + Math.floor(Math.random() * (killAfterMsMax - killAfterMsMin + 1));
      const load = startLoad(server!, account, ids);
      await Promise.race([load.firstAnswer, delay(firstAnswerWaitMs)]);
      await delay(killAfterMs);
      const inFlightAtKill = load.inFlight();
      load.killing();
      await server!.kill9();
      const outcome = await load.finished;
      // Restart before any assertion, so that a failed round leaves a server for the next one.
      server = await serve();
      const context = `(${kind}, round ${round}, killed ${killAfterMs} ms after the first answer with ${inFlightAtKill} reads in flight)`;
      expect(inFlightAtKill, `the load ran out before the kill ${context}`).toBeGreaterThan(0);
      expect(outcome.unexpected, `answers before the kill ${context}`).toEqual([]);
      expect(outcome.served.length, `no read completed before the kill ${context}`).toBeGreaterThan(0);
      served.push(...outcome.served);
      attempted += outcome.attempted;

      const endpoint = httpEndpoint(server.url);
      await expectReconciled(endpoint);
      const facts = await checkChargesDirectly(database!, account.id, startingBalance);
      // A read answered before the kill was charged; one cut off may or may not have committed.
      expect(facts.charges, context).toBeGreaterThanOrEqual(served.length);
      expect(facts.charges, context).toBeLessThanOrEqual(attempted);
      expect(facts.subscribedRecords, context).toEqual(expect.arrayContaining(served));
      await expectRereadsFree(endpoint, account, outcome.served.slice(0, rereadsMax));
    });
  }
});

interface LoadOutcome {
  attempted: number;
  /** Companies whose first read was answered 200 with 1 credit charged. */
  served: string[];
  /** Any other answer, or a failed request before the kill. */
  unexpected: string[];
}

/**
 * Keeps `readsInFlight` first reads going, each of a company not read before, until the ids run
 * out or the server goes away (the first failed request stops every worker).
 */
function startLoad(
  server: ServerProcess,
  account: TestAccount,
  ids: readonly string[],
): { inFlight(): number; killing(): void; firstAnswer: Promise<void>; finished: Promise<LoadOutcome> } {
  let answered: () => void = () => undefined;
  const firstAnswer = new Promise<void>((resolve) => {
    answered = resolve;
  });
  let next = 0;
  let inFlight = 0;
  let stopped = false;
  let killed = false;
  const outcome: LoadOutcome = { attempted: 0, served: [], unexpected: [] };
  async function worker(): Promise<void> {
    while (!stopped && next < ids.length) {
      const id = ids[next]!;
      next += 1;
      outcome.attempted += 1;
      inFlight += 1;
      try {
        const response = await fetch(`${server.url}/v1/companies/${id}`, {
          headers: { authorization: `Bearer ${account.key}` },
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        const text = await response.text();
        answered();
        const charged = response.status === 200 ? (JSON.parse(text) as { credits: { charged: number } }).credits.charged : undefined;
        if (charged === 1) outcome.served.push(id);
        else outcome.unexpected.push(`${id}: ${response.status} ${text.slice(0, 300)}`);
      } catch (error) {
        stopped = true;
        if (!killed) outcome.unexpected.push(`${id}: ${(error as Error).message} before the kill`);
      } finally {
        inFlight -= 1;
      }
    }
  }
  const finished = Promise.all(Array.from({ length: readsInFlight }, () => worker())).then(() => outcome);
  return {
    inFlight: () => inFlight,
    /** Marks the kill: from now on a failed request is the expected end of the load. */
    killing: () => {
      killed = true;
    },
    firstAnswer,
    finished,
  };
}

interface ChargeFacts {
  charges: number;
  subscribedRecords: string[];
}

/**
 * Reads the account's charges and subscriptions straight from the database (not through the
 * server under test): each charge has the subscription that names it, each paid subscription
 * has its charge, and the balance fell by exactly one credit per charge.
 */
async function checkChargesDirectly(database: TestDatabase, accountId: string, startingBalance: number): Promise<ChargeFacts> {
  const store = await openStore({ databaseUrl: database.url, dataDir: database.dataDir, poolSize: 2 });
  try {
    const { db } = store;
    const account = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
    const charges = await db.selectFrom('ledger_entries').selectAll().where('account_id', '=', accountId).where('kind', '=', 'charge').execute();
    const subscriptions = await db.selectFrom('subscriptions').selectAll().where('account_id', '=', accountId).execute();

    const chargesWithoutSubscription = charges.filter(
      (charge) => !subscriptions.some((subscription) => subscription.charge_seq === charge.seq && subscription.id === charge.subscription_id),
    );
    expect(chargesWithoutSubscription, 'charges without their subscription').toEqual([]);
    const paidWithoutCharge = subscriptions.filter(
      (subscription) => subscription.source === 'credit' && !charges.some((charge) => charge.seq === subscription.charge_seq && charge.credits === -1),
    );
    expect(paidWithoutCharge, 'credit subscriptions without their charge').toEqual([]);
    expect(subscriptions.filter((subscription) => subscription.source !== 'credit')).toEqual([]);
    expect(startingBalance - account.balance, 'balance drop against the number of charges').toBe(charges.length);
    const recordIds = subscriptions.map((subscription) => subscription.record_id);
    expect(new Set(recordIds).size, 'a record subscribed twice').toBe(recordIds.length);
    return { charges: charges.length, subscribedRecords: recordIds };
  } finally {
    await store.close();
  }
}

/** A read confirmed before the crash stays paid for: reading it again costs nothing. */
async function expectRereadsFree(endpoint: Endpoint, account: TestAccount, ids: readonly string[]): Promise<void> {
  const responses = await Promise.all(
    ids.map((id) => endpoint.api<{ credits: { charged: number } }>('GET', `/v1/companies/${id}`, { key: account.key })),
  );
  expect(responses.map((response) => [response.status, response.body.credits.charged])).toEqual(ids.map(() => [200, 0]));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
