// Contact search (`GET /v1/contacts`): who works where, without email or phone, with whether the
// account is subscribed to each. Free (DESIGN.md rule 2).
import { searchContacts as searchContactRows, subscribedRecordIds } from '../../store/catalog_search.ts';
import type { ContactFilter } from '../../domain/search/filters.ts';
import { afterIdOf, encodeCursor } from '../../lib/cursor.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';

export interface ContactSearchInput {
  accountId: string;
  filter: ContactFilter;
  cursor?: string | undefined;
  limit: number;
}

export interface ContactSearchItem {
  id: string;
  company_id: string;
  name: string;
  title: string | null;
  subscribed: boolean;
}

export async function searchContacts(
  context: AppContext,
  input: ContactSearchInput,
): Promise<Result<{ data: ContactSearchItem[]; next_cursor: string | null }>> {
  const afterId = afterIdOf(input.cursor);
  if (afterId === null) return fail('invalid_request', 'cursor is not valid', 'cursor');
  const db = context.store.readDb;
  const page = await searchContactRows(db, input.filter, { afterId, limit: input.limit });
  const subscribed = await subscribedRecordIds(db, {
    accountId: input.accountId,
    recordType: 'contact',
    recordIds: page.hits.map((hit) => hit.id),
    now: context.clock.now(),
  });
  const last = page.hits.at(-1);
  return {
    ok: true,
    data: page.hits.map((hit) => ({
      id: hit.id,
      company_id: hit.company_id,
      name: [hit.first_name, hit.last_name].filter(Boolean).join(' '),
      title: hit.title,
      subscribed: subscribed.has(hit.id),
    })),
    next_cursor: page.more && last ? encodeCursor({ after: last.id }) : null,
  };
}
