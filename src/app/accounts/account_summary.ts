// The account as API.md's `GET /v1/account` shows it: plan, current period, and credits
// (balance, what this period granted and used, and what expires when).
import { sql } from 'kysely';
import type { AccountRow } from '../../store/accounts.ts';
import { periodBounds } from '../../domain/plans/periods.ts';
import { assert } from '../../lib/assert.ts';
import { toIso } from '../../lib/clock.ts';
import type { AppContext } from '../context.ts';
import { planView, type PlanView } from '../views.ts';

export interface AccountSummary {
  id: string;
  name: string;
  created_at: string;
  plan: PlanView;
  period: { start: string; end: string };
  credits: {
    balance: number;
    granted: number;
    used: number;
    expiring: Array<{ credits: number; expires_at: string }>;
  };
}

/** `account` must be up to date (see bring_account_up_to_date.ts). */
export async function summarizeAccount(context: AppContext, account: AccountRow): Promise<AccountSummary> {
  const plan = context.plans.plan(account.plan_id);
  assert(plan, `plan ${account.plan_id} is not in the catalog`);
  const period = periodBounds(account.period_anchor, plan.period, account.period_index);
  const { db } = context.store;
  const now = context.clock.now();
  const [movements, expiring] = await Promise.all([
    db
      .selectFrom('ledger_entries')
      .select(['kind', sql<number>`sum(credits)`.as('credits')])
      .where('account_id', '=', account.id)
      .where('at', '>=', period.start)
      .groupBy('kind')
      .execute(),
    db
      .selectFrom('credit_grants')
      .select(['expires_at', sql<number>`sum(remaining)`.as('credits')])
      .where('account_id', '=', account.id)
      .where('remaining', '>', 0)
      .where('expires_at', '>', now)
      .groupBy('expires_at')
      .orderBy('expires_at')
      .execute(),
  ]);
  const byKind = new Map(movements.map((row) => [row.kind, Number(row.credits)]));
  const adjusted = byKind.get('adjust') ?? 0;
  return {
    id: account.id,
    name: account.name,
    created_at: toIso(account.created_at),
    plan: planView(plan),
    period: { start: toIso(period.start), end: toIso(period.end) },
    credits: {
      balance: account.balance,
      granted: (byKind.get('grant') ?? 0) + (byKind.get('refund') ?? 0) + Math.max(0, adjusted),
      used: -(byKind.get('charge') ?? 0),
      expiring: expiring.map((row) => ({ credits: Number(row.credits), expires_at: toIso(row.expires_at) })),
    },
  };
}
