// Writes what fell due (period starts, expiries) before an account is shown or used.
import { findAccount, type AccountRow } from '../../store/accounts.ts';
import { assert } from '../../lib/assert.ts';
import type { AppContext } from '../context.ts';
import { inAccountTransaction } from '../credits/account_transaction.ts';

export async function bringAccountUpToDate(context: AppContext, account: AccountRow): Promise<AccountRow> {
  if (account.next_event_at > context.clock.now()) return account;
  const outcome = await inAccountTransaction(context, account.id, async () => ({ ok: true }));
  assert(outcome.ok, `account ${account.id} vanished while being brought up to date`);
  const fresh = await findAccount(context.store.db, account.id);
  assert(fresh, `account ${account.id} vanished while being brought up to date`);
  return fresh;
}
