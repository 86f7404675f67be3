// Company search, basic (`GET /v1/companies`) and advanced (`POST /v1/companies/search`): core
// identifiers only, with whether the account is subscribed to each. Free (DESIGN.md rule 2).
import { searchCompanies as searchCompanyRows } from '../../store/catalog_search.ts';
import type { CompanyFilter } from '../../domain/search/filters.ts';
import type { Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { searchPage } from './search_page.ts';

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
  return searchPage(context, {
    accountId: input.accountId,
    recordType: 'company',
    cursor: input.cursor,
    limit: input.limit,
    search: (db, page) => searchCompanyRows(db, input.filter, page),
    item: (hit, subscribed) => ({ ...hit, subscribed }),
  });
}
