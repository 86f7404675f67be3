// Proves rules 3, 5 and 8 across three real server processes on one PostgreSQL database: racing first reads charge once, 50 readers against 20 credits get exactly 20, a repeated Idempotency-Key grants once, one key raced across two kinds of creation conflicts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabases, type TestDatabase } from '../harness/databases.ts';
import { startServerProcess, stopAllServerProcesses, type ServerProcess } from '../harness/server_process.ts';
import { httpEndpoint, type Endpoint } from './http_endpoint.ts';
import { expectReconciled, oneKeyRacedAcrossCreationsConflicts, racingFirstReadsChargeOnce, readersAgainstCreditsGetMinimum, repeatedIdempotencyKeyGrantsOnce, repeatsAmidChargesAnswerTheFirstResponse } from './scenarios.ts';

const serverCount = 3;

// Several processes can only share a PostgreSQL database; without one in the run there is
// nothing to test here (SQLite's multi-process safety is covered by the crash test's restarts).
describe.skipIf(!testDatabases.includes('postgres'))('three server processes on one PostgreSQL database', () => {
  let database: TestDatabase | undefined;
  let servers: ServerProcess[] = [];
  let endpoints: Endpoint[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    // All three start at once on the fresh database, as a deployment's replicas would.
    servers = await Promise.all(
      Array.from({ length: serverCount }, () => startServerProcess({ databaseUrl: database!.url, dataDir: database!.dataDir })),
    );
    endpoints = servers.map((server) => httpEndpoint(server.url));
  });

  afterAll(async () => {
    // A graceful stop first (SIGTERM); whatever is left, even after a failed start, is killed.
    await Promise.allSettled(servers.map((server) => server.stop()));
    await stopAllServerProcesses();
    await database?.drop();
  });

  it('runs three distinct processes', () => {
    expect(new Set(servers.map((server) => server.pid)).size).toBe(serverCount);
  });

  it('charges 50 concurrent first reads of one company, spread over the processes, exactly once', async () => {
    await racingFirstReadsChargeOnce(endpoints, 50);
  });

  it('gives 50 concurrent readers across the processes exactly the 20 credits left, and 402 to the rest', async () => {
    await readersAgainstCreditsGetMinimum(endpoints, 20, 50);
  });

  it('grants once for one Idempotency-Key sent 20 times at once across the processes', async () => {
    await repeatedIdempotencyKeyGrantsOnce(endpoints, 20);
  });

  it('answers every repeat of an Idempotency-Key with the first response while the processes keep charging', async () => {
    await repeatsAmidChargesAnswerTheFirstResponse(endpoints, 20, 20);
  });

  it('answers 409, never 500, when one Idempotency-Key races a batch and a site creation across the processes', async () => {
    await oneKeyRacedAcrossCreationsConflicts(endpoints, 10);
  });

  it('reconciles through every process', async () => {
    for (const endpoint of endpoints) await expectReconciled(endpoint);
  });
});
