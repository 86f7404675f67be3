// Moves an account to another plan. Features change at once; credits follow a new billing
// period that starts now: the unused allowance of the ending period expires and the new plan's
// allowance is granted (top-ups keep their own expiry). Changing to the current plan does nothing.
import { unprocessable, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { inAccountTransaction, type Origin } from '../credits/account_transaction.ts';

export async function changePlan(
  context: AppContext,
  input: { accountId: string; planId: string; origin: Origin },
): Promise<Result<{ changed: boolean }>> {
  const plan = context.plans.catalogPlan(input.planId);
  if (!plan) return unprocessable(`unknown plan ${input.planId}`, 'plan_id');
  const outcome = await inAccountTransaction(context, input.accountId, async (transaction) => {
    if (transaction.plan.id === plan.id) return { ok: true, changed: false };
    await transaction.restartPeriod(plan, input.origin);
    return { ok: true, changed: true };
  });
  return outcome.ok ? { ok: true, changed: outcome.value.changed } : outcome;
}
