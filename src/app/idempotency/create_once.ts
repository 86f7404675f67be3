// Runs a creation at most once per Idempotency-Key (STYLE.md rule 4): the key is claimed in the
// same write transaction as the work, the first response is stored with it, and a repeat with
// the same request returns that stored response (the same key with another request is 409).
// A refusal rolls the claim back with the work, so a retry after fixing the cause runs again.
// What is stored is what a replay shows: `stored` strips what must never be kept in the clear
// (an API key's secret), and callers leave passwords out of the fingerprint.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { claimIdempotencyKey, completeIdempotencyKey, type IdempotencyClaim } from '../../store/idempotency.ts';
import { fail, type Failure, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';

/** The answer to a key used before with another request (the same key and request replay instead). */
export function idempotencyConflict(): Failure {
  return fail('idempotency_conflict', 'this Idempotency-Key was used with a different request');
}

/** Thrown inside the transaction to roll the claim back with the work when the work is refused. */
class Refused extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

export async function createOnce<T extends object>(
  context: AppContext,
  options: {
    claim: IdempotencyClaim | undefined;
    work: (tx: Kysely<Database>) => Promise<Result<T>>;
    /** What the key keeps for a replay: the value by default. */
    stored?: (value: T) => T;
  },
): Promise<Result<T & { replayed: boolean }>> {
  const { claim, work, stored = (value: T) => value } = options;
  try {
    return await context.store.writeTransaction(async (tx): Promise<Result<T & { replayed: boolean }>> => {
      if (claim) {
        const claimed = await claimIdempotencyKey(tx, claim, context.clock.now());
        if (!claimed.claimed) {
          if (claimed.row.fingerprint !== claim.fingerprint) return idempotencyConflict();
          return { ok: true, ...(JSON.parse(claimed.row.response_body) as T), replayed: true };
        }
      }
      const result = await work(tx);
      if (!result.ok) {
        if (claim) throw new Refused(result);
        return result;
      }
      const { ok: _ok, ...value } = result;
      if (claim) await completeIdempotencyKey(tx, claim, 201, JSON.stringify(stored(value as unknown as T)));
      return { ...result, replayed: false };
    });
  } catch (error) {
    if (error instanceof Refused) return error.failure;
    throw error;
  }
}
