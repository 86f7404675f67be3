// An operator's correction: a signed number of credits with a reason. A positive adjustment is
// a new grant (expiring at the end of the current period unless told otherwise); a negative one
// takes credits in burn-down order and cannot take more than the balance.
import type { IdempotencyClaim } from '../../store/idempotency.ts';
import { planDraw } from '../../domain/credits/grants.ts';
import { unprocessable, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { ledgerEntryView, type LedgerEntryView } from '../views.ts';
import { inAccountTransaction, type Origin } from './account_transaction.ts';
import { grantCreditsMax } from './grant_top_up.ts';

export interface AdjustInput {
  accountId: string;
  credits: number;
  reason: string;
  expiresAt?: number | undefined;
  origin: Origin;
  idempotency?: IdempotencyClaim | undefined;
}

export async function adjustCredits(
  context: AppContext,
  input: AdjustInput,
): Promise<Result<{ entry: LedgerEntryView; balance: number; currentBalance: number; replayed: boolean }>> {
  const { credits } = input;
  if (!Number.isSafeInteger(credits) || credits === 0 || Math.abs(credits) > grantCreditsMax) {
    return unprocessable(`credits must be a non-zero whole number within ±${grantCreditsMax}`, 'credits');
  }
  const outcome = await inAccountTransaction(
    context,
    input.accountId,
    async (transaction): Promise<Result<{ entry: LedgerEntryView }>> => {
      const now = transaction.now;
      const base = { kind: 'adjust' as const, at: now, credits, origin: input.origin, note: input.reason };
      if (credits > 0) {
        const expiresAt = input.expiresAt ?? transaction.currentPeriod().end;
        if (expiresAt <= now) return unprocessable('expires_at must be in the future', 'expires_at');
        const entry = await transaction.append({ ...base, newGrant: { source: 'adjustment', expiresAt, note: input.reason } });
        return { ok: true, entry: ledgerEntryView(entry) };
      }
      const allocations = planDraw(transaction.grants, -credits, now);
      if (!allocations) {
        return unprocessable(`cannot take ${-credits} credits: the balance is ${transaction.balance}`, 'credits');
      }
      const entry = await transaction.append({ ...base, allocations });
      return { ok: true, entry: ledgerEntryView(entry) };
    },
    { idempotency: input.idempotency },
  );
  if (!outcome.ok) return outcome;
  return { ok: true, entry: outcome.value.entry, balance: outcome.balance, currentBalance: outcome.currentBalance, replayed: outcome.replayed };
}
