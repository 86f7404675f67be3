// IP enrichment (`GET /v1/ip/{address}`): the company whose most specific range holds an IPv4 or
// IPv6 address, as core identifiers. Free.
import { companyByAddress, subscribedRecordIds } from '../../store/catalog_search.ts';
import { networksOf, parseAddress } from '../../domain/catalog/ip_ranges.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import type { CompanySearchItem } from './search_companies.ts';

export async function findCompanyByAddress(
  context: AppContext,
  input: { accountId: string; address: string },
): Promise<Result<{ company: CompanySearchItem; range: string }>> {
  const address = parseAddress(input.address);
  if (!address) return fail('invalid_request', `"${input.address}" is not an IPv4 or IPv6 address`, 'address');
  const db = context.store.readDb;
  const hit = await companyByAddress(db, address, networksOf(address));
  if (!hit) return fail('not_found', `no company owns ${input.address}`);
  const subscribed = await subscribedRecordIds(db, {
    accountId: input.accountId,
    recordType: 'company',
    recordIds: [hit.id],
    now: context.clock.now(),
  });
  const { cidr, ...company } = hit;
  return { ok: true, company: { ...company, subscribed: subscribed.has(hit.id) }, range: cidr };
}
