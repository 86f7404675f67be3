// Company search, basic (`GET /v1/companies`) and advanced (`POST /v1/companies/search`): core
// identifiers only, with whether the account is subscribed to each. Free (DESIGN.md rule 2).
import { searchCompanies as searchCompanyRows, subscribedRecordIds } from '../../store/catalog_search.ts';
import type { CompanyFilter } from '../../domain/search/filters.ts';
import { afterIdOf, encodeCursor } from '../../lib/cursor.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';

export interface CompanySearchInput {
  accountId: string;
  filter: CompanyFilter;
  cursor?: string | undefined;
  limit: number;
}

export interface CompanySearchItem {
  id: string;
  name: string;
  domain: string | null;
  country: string | null;
  subscribed: boolean;
}

export async function searchCompanies(
  context: AppContext,
  input: CompanySearchInput,
): Promise<Result<{ data: CompanySearchItem[]; next_cursor: string | null }>> {
  const afterId = afterIdOf(input.cursor);
  if (afterId === null) return fail('invalid_request', 'cursor is not valid', 'cursor');
  const db = context.store.readDb;
  const page = await searchCompanyRows(db, input.filter, { afterId, limit: input.limit });
  const subscribed = await subscribedRecordIds(db, {
    accountId: input.accountId,
    recordType: 'company',
    recordIds: page.hits.map((hit) => hit.id),
    now: context.clock.now(),
  });
  const last = page.hits.at(-1);
  return {
    ok: true,
    data: page.hits.map((hit) => ({ ...hit, subscribed: subscribed.has(hit.id) })),
    next_cursor: page.more && last ? encodeCursor({ after: last.id }) : null,
  };
}
