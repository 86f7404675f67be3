// An account's users (the web app's team page), in id order, with a cursor.
import { listUsers as listUserRows } from '../../store/users.ts';
import { afterIdOf, encodeCursor } from '../../lib/cursor.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { userView, type UserView } from './views.ts';

export async function listUsers(
  context: AppContext,
  query: { accountId: string; cursor?: string | undefined; limit: number },
): Promise<Result<{ data: UserView[]; next_cursor: string | null }>> {
  const afterId = afterIdOf(query.cursor);
  if (afterId === null) return fail('invalid_request', 'cursor is not valid', 'cursor');
  const rows = await listUserRows(context.store.db, query.accountId, { afterId, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { ok: true, data: page.map(userView), next_cursor: rows.length > query.limit && last ? encodeCursor({ after: last.id }) : null };
}
