// `reconcile`: checks every account's ledger, grants and subscriptions against each other and
// reports every difference (DESIGN.md rule 12). Each account is read under its lock, so the
// facts it checks are one consistent moment even while the server keeps charging.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { lockAccount } from '../../store/accounts.ts';
import { reconcileAccount, type Difference, type ReconcileFacts } from '../../domain/credits/reconcile.ts';
import type { AppContext } from '../context.ts';

/** Accounts read per page while walking the table. */
const accountsPageSize = 200;

export interface ReconcileReport {
  ok: boolean;
  accounts_checked: number;
  differences: Difference[];
}

export async function reconcile(context: AppContext): Promise<ReconcileReport> {
  const { store } = context;
  const differences: Difference[] = [];
  let checked = 0;
  let afterId = '';
  for (;;) {
    const ids = await store.db
      .selectFrom('accounts')
      .select('id')
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(accountsPageSize)
      .execute();
    if (ids.length === 0) break;
    for (const { id } of ids) {
      const facts = await store.writeTransaction((tx) => readFacts(tx, store.dialect, id));
      if (facts) {
        differences.push(...reconcileAccount(facts));
        checked += 1;
      }
    }
    afterId = ids.at(-1)!.id;
  }
  return { ok: differences.length === 0, accounts_checked: checked, differences };
}

async function readFacts(
  tx: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
  accountId: string,
): Promise<ReconcileFacts | undefined> {
  const account = await lockAccount(tx, dialect, accountId);
  if (!account) return undefined;
  const [entries, allocations, grants, subscriptions] = await Promise.all([
    tx.selectFrom('ledger_entries').selectAll().where('account_id', '=', accountId).orderBy('seq').execute(),
    tx.selectFrom('ledger_allocations').selectAll().where('account_id', '=', accountId).execute(),
    tx.selectFrom('credit_grants').selectAll().where('account_id', '=', accountId).execute(),
    tx.selectFrom('subscriptions').selectAll().where('account_id', '=', accountId).execute(),
  ]);
  return {
    account: { id: account.id, balance: account.balance, ledgerSeq: account.ledger_seq },
    entries: entries.map((entry) => ({
      seq: entry.seq,
      at: entry.at,
      kind: entry.kind,
      credits: entry.credits,
      balanceAfter: entry.balance_after,
      subscriptionId: entry.subscription_id,
      recordType: entry.record_type,
      recordId: entry.record_id,
    })),
    allocations: allocations.map((allocation) => ({
      entrySeq: allocation.entry_seq,
      grantId: allocation.grant_id,
      credits: allocation.credits,
    })),
    grants: grants.map((grant) => ({ id: grant.id, credits: grant.credits, remaining: grant.remaining, createdSeq: grant.created_seq })),
    subscriptions: subscriptions.map((subscription) => ({
      id: subscription.id,
      recordType: subscription.record_type,
      recordId: subscription.record_id,
      generation: subscription.generation,
      source: subscription.source,
      startedAt: subscription.started_at,
      expiresAt: subscription.expires_at,
      endedAt: subscription.ended_at,
      chargeSeq: subscription.charge_seq,
      refundSeq: subscription.refund_seq,
    })),
  };
}
