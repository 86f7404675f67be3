// One account's summary, brought up to date first (an operator's view, or the CLI's).
import { findAccount } from '../../store/accounts.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { summarizeAccount, type AccountSummary } from './account_summary.ts';
import { bringAccountUpToDate } from './bring_account_up_to_date.ts';

export async function getAccount(context: AppContext, accountId: string): Promise<Result<{ account: AccountSummary }>> {
  const row = await findAccount(context.store.db, accountId);
  if (!row) return fail('not_found', `account ${accountId} not found`);
  const account = await summarizeAccount(context, await bringAccountUpToDate(context, row));
  return { ok: true, account };
}
