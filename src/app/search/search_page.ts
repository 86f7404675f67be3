// One page of search results, the same for every search: the cursor decoded (a cursor that is
// not ours is an invalid_request), the store's page read on the read connection, `subscribed`
// looked up for the page's records in one query, and the next cursor.
import type { Kysely } from 'kysely';
import type { Database, RecordType } from '../../store/schema.ts';
import { subscribedRecordIds } from '../../store/catalog_search.ts';
import type { SearchPage } from '../../domain/search/filters.ts';
import { afterIdOf, encodeCursor } from '../../lib/cursor.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';

export interface PageRequest<Hit, Item> {
  accountId: string;
  recordType: RecordType;
  cursor?: string | undefined;
  limit: number;
  search: (db: Kysely<Database>, page: SearchPage) => Promise<{ hits: Hit[]; more: boolean }>;
  item: (hit: Hit, subscribed: boolean) => Item;
}

export async function searchPage<Hit extends { id: string }, Item>(
  context: AppContext,
  request: PageRequest<Hit, Item>,
): Promise<Result<{ data: Item[]; next_cursor: string | null }>> {
  const afterId = afterIdOf(request.cursor);
  if (afterId === null) return fail('invalid_request', 'cursor is not valid', 'cursor');
  const db = context.store.readDb;
  const page = await request.search(db, { afterId, limit: request.limit });
  const subscribed = await subscribedRecordIds(db, {
    accountId: request.accountId,
    recordType: request.recordType,
    recordIds: page.hits.map((hit) => hit.id),
    now: context.clock.now(),
  });
  const last = page.hits.at(-1);
  return {
    ok: true,
    data: page.hits.map((hit) => request.item(hit, subscribed.has(hit.id))),
    next_cursor: page.more && last ? encodeCursor({ after: last.id }) : null,
  };
}
