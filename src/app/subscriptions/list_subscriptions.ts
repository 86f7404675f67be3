// An account's record subscriptions (active by default), with filters and a cursor.
import { listSubscriptions as listSubscriptionRows } from '../../store/subscriptions.ts';
import type { RecordType } from '../../store/schema.ts';
import { afterIdOf, encodeCursor } from '../../lib/cursor.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { subscriptionView, type SubscriptionView } from '../views.ts';

export interface SubscriptionQuery {
  accountId: string;
  recordType?: RecordType | undefined;
  active?: boolean | undefined;
  expiringBefore?: number | undefined;
  cursor?: string | undefined;
  limit: number;
}

export async function listSubscriptions(
  context: AppContext,
  query: SubscriptionQuery,
): Promise<Result<{ data: SubscriptionView[]; next_cursor: string | null }>> {
  const afterId = afterIdOf(query.cursor);
  if (afterId === null) return fail('invalid_request', 'cursor is not valid', 'cursor');
  const rows = await listSubscriptionRows(context.store.db, {
    ...query,
    afterId,
    now: context.clock.now(),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    ok: true,
    data: page.map(subscriptionView),
    next_cursor: rows.length > query.limit && last ? encodeCursor({ after: last.id }) : null,
  };
}
