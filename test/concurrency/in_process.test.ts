// Proves rules 3, 5 and 8 under concurrency inside one process, on SQLite and PostgreSQL: 50 racing first reads charge once, 50 readers against 20 credits get exactly 20, a repeated Idempotency-Key grants once, one key raced across two kinds of creation conflicts.
import { afterAll, beforeAll, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { oneKeyRacedAcrossCreationsConflicts, racingFirstReadsChargeOnce, readersAgainstCreditsGetMinimum, repeatedIdempotencyKeyGrantsOnce, repeatsAmidChargesAnswerTheFirstResponse } from './scenarios.ts';

describeEachDatabase('concurrent credit use in one process', (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(kind);
  });
  afterAll(async () => app?.close());

  it('charges 50 concurrent first reads of one company exactly once', async () => {
    await racingFirstReadsChargeOnce([app], 50);
  });

  it('gives 50 concurrent readers of distinct companies exactly the 20 credits left, and 402 to the rest', async () => {
    await readersAgainstCreditsGetMinimum([app], 20, 50);
  });

  it('grants once for one Idempotency-Key sent 20 times at once (self-serve and operator top-ups)', async () => {
    await repeatedIdempotencyKeyGrantsOnce([app], 20);
  });

  it('answers every repeat of an Idempotency-Key with the first response while the account keeps charging', async () => {
    await repeatsAmidChargesAnswerTheFirstResponse([app], 20, 20);
  });

  it('answers 409, never 500, when one Idempotency-Key races a batch and a site creation', async () => {
    await oneKeyRacedAcrossCreationsConflicts([app], 20);
  });
});
