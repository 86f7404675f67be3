// Removes a user from an account: the user, their sessions (by the foreign key's cascade, so
// their cookie is refused from the next request and an open event stream ends at its next
// keep-alive check) and their sign-in email, which can then be used again. An account with
// owners keeps at least one: removing the last owner is refused.
import { lockAccount } from '../../store/accounts.ts';
import { countOwners, deleteUser, findUser } from '../../store/users.ts';
import { fail, unprocessable, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { userView, type UserView } from './views.ts';

export const lastOwnerMessage = 'this user is the account’s last owner: add another owner before removing them';

export async function removeUser(context: AppContext, input: { accountId: string; userId: string }): Promise<Result<{ user: UserView }>> {
  return context.store.writeTransaction(async (tx) => {
    // The account's row lock (PostgreSQL; SQLite has one writer) queues removals in one account,
    // so two owners removing each other at once cannot both see another owner left.
    if (!(await lockAccount(tx, context.store.dialect, input.accountId))) return fail('not_found', `account ${input.accountId} not found`);
    const user = await findUser(tx, input.accountId, input.userId);
    if (!user) return fail('not_found', `user ${input.userId} not found in this account`);
    if (user.role === 'owner' && (await countOwners(tx, input.accountId)) <= 1) return unprocessable(lastOwnerMessage, 'id');
    await deleteUser(tx, user);
    return { ok: true, user: userView(user) };
  });
}
