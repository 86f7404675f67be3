// Top-ups (DESIGN.md rule 8): credits added to the pool, bought self-serve (a bundle) or granted
// by an account manager. By default a top-up expires at the end of the billing period in which
// it is bought; an account manager may set another expiry.
import type { IdempotencyClaim } from '../../store/idempotency.ts';
import { assert } from '../../lib/assert.ts';
import { unprocessable, type Result } from '../../lib/result.ts';
import { boundedText } from '../../lib/bounded_text.ts';
import type { AppContext } from '../context.ts';
import { grantView, type GrantView } from '../views.ts';
import { inAccountTransaction, type AccountTransaction, type Origin } from './account_transaction.ts';

/** The most credits one grant may add: far above any real bundle, far below integer limits. */
export const grantCreditsMax = 10_000_000;
/** A grant's note, and an operator's reasons (adjustments, refunds). */
export const noteCharsMax = 500;

export interface TopUpInput {
  accountId: string;
  credits: number;
  /** Defaults to the end of the current billing period. */
  expiresAt?: number | undefined;
  note?: string | undefined;
  bundleId?: string | undefined;
  origin: Origin;
  idempotency?: IdempotencyClaim | undefined;
}

export type TopUpResult = Result<{ grant: GrantView; replayed: boolean; balance: number; currentBalance: number }>;

export async function grantTopUp(context: AppContext, input: TopUpInput): Promise<TopUpResult> {
  if (!Number.isSafeInteger(input.credits) || input.credits <= 0 || input.credits > grantCreditsMax) {
    return unprocessable(`credits must be a whole number from 1 to ${grantCreditsMax}`, 'credits');
  }
  const note = input.note === undefined ? undefined : boundedText('note', input.note, noteCharsMax);
  if (typeof note === 'object') return note;
  const outcome = await inAccountTransaction(
    context,
    input.accountId,
    (transaction) => addGrant(transaction, { ...input, note }),
    { idempotency: input.idempotency },
  );
  if (!outcome.ok) return outcome;
  return { ok: true, grant: outcome.value.grant, replayed: outcome.replayed, balance: outcome.balance, currentBalance: outcome.currentBalance };
}

async function addGrant(transaction: AccountTransaction, input: TopUpInput): Promise<Result<{ grant: GrantView }>> {
  const now = transaction.now;
  const expiresAt = input.expiresAt ?? transaction.currentPeriod().end;
  if (expiresAt <= now) return unprocessable('expires_at must be in the future', 'expires_at');
  const entry = await transaction.append({
    kind: 'grant',
    at: now,
    credits: input.credits,
    origin: input.origin,
    newGrant: { source: 'top_up', expiresAt, bundleId: input.bundleId, note: input.note },
    note: input.note,
  });
  const grant = transaction.newGrant(entry.grant_id!);
  assert(grant, 'a top-up creates a grant');
  return { ok: true, grant: grantView(grant) };
}

/** A self-serve purchase of a bundle from the catalog. */
export async function buyTopUp(
  context: AppContext,
  input: { accountId: string; bundleId: string; origin: Origin; idempotency?: IdempotencyClaim | undefined },
): Promise<TopUpResult> {
  const bundle = context.plans.bundle(input.bundleId);
  if (!bundle) return unprocessable(`unknown bundle ${input.bundleId}`, 'bundle');
  return grantTopUp(context, {
    accountId: input.accountId,
    credits: bundle.credits,
    bundleId: bundle.id,
    note: bundle.name,
    origin: input.origin,
    idempotency: input.idempotency,
  });
}
