// Contact search (`GET /v1/contacts`): who works where, without email or phone, with whether the
// account is subscribed to each. Free (DESIGN.md rule 2).
import { searchContacts as searchContactRows } from '../../store/catalog_search.ts';
import type { ContactFilter } from '../../domain/search/filters.ts';
import type { Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { searchPage } from './search_page.ts';

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
  return searchPage(context, {
    accountId: input.accountId,
    recordType: 'contact',
    cursor: input.cursor,
    limit: input.limit,
    search: (db, page) => searchContactRows(db, input.filter, page),
    item: (hit, subscribed) => ({
      id: hit.id,
      company_id: hit.company_id,
      name: [hit.first_name, hit.last_name].filter(Boolean).join(' '),
      title: hit.title,
      subscribed,
    }),
  });
}
