// A refund (operator): ends a paid subscription now and returns its credit as a new grant. The
// returned credit expires at the later of the original grant's expiry and the end of the current
// billing period, so a refund never hands back a credit that is already dead.
import type { IdempotencyClaim } from '../../store/idempotency.ts';
import { endSubscription, findSubscription } from '../../store/subscriptions.ts';
import { findGrant } from '../../store/credits.ts';
import { assert } from '../../lib/assert.ts';
import { fail, unprocessable, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { ledgerEntryView, type LedgerEntryView } from '../views.ts';
import { inAccountTransaction, type Origin } from './account_transaction.ts';

export async function refundSubscription(
  context: AppContext,
  input: { accountId: string; subscriptionId: string; reason: string; origin: Origin; idempotency?: IdempotencyClaim | undefined },
): Promise<Result<{ entry: LedgerEntryView; balance: number; currentBalance: number; replayed: boolean }>> {
  const outcome = await inAccountTransaction(
    context,
    input.accountId,
    async (transaction): Promise<Result<{ entry: LedgerEntryView }>> => {
      const { tx, now } = transaction;
      const subscription = await findSubscription(tx, input.accountId, input.subscriptionId);
      if (!subscription) return fail('not_found', `subscription ${input.subscriptionId} not found`);
      if (subscription.source !== 'credit') return unprocessable('only a subscription paid with a credit can be refunded', 'subscription_id');
      if (subscription.refund_seq !== null) return unprocessable('this subscription was already refunded', 'subscription_id');
      const charge = await tx
        .selectFrom('ledger_allocations')
        .select('grant_id')
        .where('account_id', '=', input.accountId)
        .where('entry_seq', '=', subscription.charge_seq!)
        .executeTakeFirst();
      assert(charge, `the charge of subscription ${subscription.id} has no allocation`);
      const paidFrom = await findGrant(tx, input.accountId, charge.grant_id);
      assert(paidFrom, `the grant that paid subscription ${subscription.id} is missing`);
      const expiresAt = Math.max(paidFrom.expires_at, transaction.currentPeriod().end);
      const entry = await transaction.append({
        kind: 'refund',
        at: now,
        credits: 1,
        origin: input.origin,
        newGrant: { source: 'refund', expiresAt, note: input.reason },
        record: { type: subscription.record_type, id: subscription.record_id },
        subscriptionId: subscription.id,
        note: input.reason,
      });
      const ended = await endSubscription(tx, input.accountId, subscription.id, now, entry.seq);
      assert(ended, `subscription ${subscription.id} was ended twice`);
      return { ok: true, entry: ledgerEntryView(entry) };
    },
    { idempotency: input.idempotency },
  );
  if (!outcome.ok) return outcome;
  return { ok: true, entry: outcome.value.entry, balance: outcome.balance, currentBalance: outcome.currentBalance, replayed: outcome.replayed };
}
