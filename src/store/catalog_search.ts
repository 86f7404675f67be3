// Catalog search: the filters of domain/search/filters.ts as SQL, over the full-text documents
// of migration 0002 and the catalog's indexes. Results come in id order (stable across pages and
// engines) and a page is the first `limit` ids after the cursor's id, so pages never repeat or
// skip a record even while the catalog changes.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database, RecordType } from './schema.ts';
import type { CompanyFilter, ContactFilter, NumberRange, SearchPage } from '../domain/search/filters.ts';
import { companyFieldWeights, prefixFtsQuery, prefixTsquery } from '../domain/search/text.ts';
import type { IpAddress } from '../domain/catalog/ip_ranges.ts';
import { isPostgres } from './search_documents.ts';

export interface CompanyHit {
  id: string;
  name: string;
  domain: string | null;
  country: string | null;
}

export interface ContactHit {
  id: string;
  company_id: string;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
}

type CompanyWhere = ExpressionBuilder<Database, 'companies'>;

/** One page of companies matching `filter`, plus whether more follow. */
export async function searchCompanies(
  db: Kysely<Database>,
  filter: CompanyFilter,
  page: SearchPage,
): Promise<{ hits: CompanyHit[]; more: boolean }> {
  const postgres = isPostgres(db);
  let query = db.selectFrom('companies').select(['id', 'name', 'domain', 'country']);
  query = query.where((eb) => eb.and(companyConditions(eb, filter, postgres)));
  if (page.afterId !== undefined) query = query.where('id', '>', page.afterId);
  const rows = await query.orderBy('id').limit(page.limit + 1).execute();
  return { hits: rows.slice(0, page.limit), more: rows.length > page.limit };
}

function companyConditions(eb: CompanyWhere, filter: CompanyFilter, postgres: boolean): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (filter.text && filter.text.words.length > 0) conditions.push(companyTextCondition(eb, filter.text, postgres));
  if (filter.domain !== undefined) conditions.push(eb('domain', 'in', [filter.domain, `www.${filter.domain}`]));
  if (filter.countries) conditions.push(eb('country', 'in', nonEmpty(filter.countries)));
  if (filter.industries) conditions.push(eb('industry', 'in', nonEmpty(filter.industries)));
  conditions.push(...rangeConditions(eb, 'employees', filter.employees));
  conditions.push(...rangeConditions(eb, 'revenue_usd', filter.revenueUsd));
  conditions.push(...rangeConditions(eb, 'founded', filter.founded));
  for (const technology of filter.technologies ?? []) {
    conditions.push(
      eb('id', 'in', eb.selectFrom('company_technologies').select('company_id').where('technology', '=', technology)),
    );
  }
  if (filter.signals) conditions.push(signalCondition(eb, filter.signals));
  if (filter.news) conditions.push(newsCondition(eb, filter.news, postgres));
  return conditions;
}

function companyTextCondition(eb: CompanyWhere, text: NonNullable<CompanyFilter['text']>, postgres: boolean): Expression<SqlBool> {
  const fields = text.fields === 'name_domain' ? (['name', 'domain'] as const) : (['name', 'description'] as const);
  if (postgres) {
    const weights = fields.map((field) => companyFieldWeights[field]).join('');
    const tsquery = prefixTsquery(text.words, weights);
    return eb('id', 'in', sql<string>`(select company_id from company_search where document @@ ${tsquery}::tsquery)`);
  }
  const match = prefixFtsQuery(text.words, fields);
  return sql<SqlBool>`companies.rowid in (select rowid from company_search where company_search match ${match})`;
}

function signalCondition(eb: CompanyWhere, signals: NonNullable<CompanyFilter['signals']>): Expression<SqlBool> {
  let subquery = eb.selectFrom('company_signals').select('company_signals.company_id');
  if (signals.types) subquery = subquery.where('type', 'in', nonEmpty(signals.types));
  if (signals.since !== undefined) subquery = subquery.where('occurred_at', '>=', signals.since);
  return eb('id', 'in', subquery);
}

function newsCondition(eb: CompanyWhere, news: NonNullable<CompanyFilter['news']>, postgres: boolean): Expression<SqlBool> {
  const words = news.words ?? [];
  let subquery = eb.selectFrom('company_news').select('company_news.company_id');
  if (news.since !== undefined) subquery = subquery.where('published_at', '>=', news.since);
  if (words.length > 0) {
    subquery = postgres
      ? subquery.where(
          sql<SqlBool>`(company_news.company_id, company_news.position) in
            (select company_id, position from news_search where document @@ ${prefixTsquery(words)}::tsquery)`,
        )
      : subquery.where(sql<SqlBool>`company_news.rowid in (select rowid from news_search where news_search match ${prefixFtsQuery(words)})`);
  }
  return eb('id', 'in', subquery);
}

function rangeConditions(
  eb: CompanyWhere,
  column: 'employees' | 'revenue_usd' | 'founded',
  range: NumberRange | undefined,
): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (range?.min !== undefined) conditions.push(eb(column, '>=', range.min));
  if (range?.max !== undefined) conditions.push(eb(column, '<=', range.max));
  return conditions;
}

/** `in ()` is a syntax error; an empty "any of" list matches nothing. */
function nonEmpty(values: string[]): string[] {
  return values.length > 0 ? values : ['\u0000'];
}

/** One page of contacts matching `filter`, plus whether more follow. */
export async function searchContacts(
  db: Kysely<Database>,
  filter: ContactFilter,
  page: SearchPage,
): Promise<{ hits: ContactHit[]; more: boolean }> {
  const postgres = isPostgres(db);
  let query = db.selectFrom('contacts').select(['id', 'company_id', 'first_name', 'last_name', 'title']);
  if (filter.companyId !== undefined) query = query.where('company_id', '=', filter.companyId);
  if (filter.seniority !== undefined) query = query.where('seniority', '=', filter.seniority);
  if (filter.department !== undefined) query = query.where('department', '=', filter.department);
  const words = filter.titleWords ?? [];
  if (words.length > 0) {
    query = postgres
      ? query.where('id', 'in', sql<string>`(select contact_id from contact_search where document @@ ${prefixTsquery(words)}::tsquery)`)
      : query.where(sql<SqlBool>`contacts.rowid in (select rowid from contact_search where contact_search match ${prefixFtsQuery(words)})`);
  }
  if (page.afterId !== undefined) query = query.where('id', '>', page.afterId);
  const rows = await query.orderBy('id').limit(page.limit + 1).execute();
  return { hits: rows.slice(0, page.limit), more: rows.length > page.limit };
}

/** Which of `recordIds` the account holds an active subscription to at `now`. */
export async function subscribedRecordIds(
  db: Kysely<Database>,
  options: { accountId: string; recordType: RecordType; recordIds: readonly string[]; now: number },
): Promise<Set<string>> {
  if (options.recordIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('subscriptions')
    .select('record_id')
    .where('account_id', '=', options.accountId)
    .where('record_type', '=', options.recordType)
    .where('record_id', 'in', [...options.recordIds])
    .where('ended_at', 'is', null)
    .where('expires_at', '>', options.now)
    .execute();
  return new Set(rows.map((row) => row.record_id));
}

/**
 * The company owning `address`: the most specific range holding it. A range is a CIDR block,
 * so the blocks that can hold an address are exactly its networks at each prefix length: one
 * indexed probe per length (33 for IPv4, 129 for IPv6), never a scan, whatever the catalog
 * holds. Of those found, the longest prefix (the greatest first address) is the most specific.
 */
export async function companyByAddress(
  db: Kysely<Database>,
  address: IpAddress,
  networks: readonly string[],
): Promise<(CompanyHit & { cidr: string }) | undefined> {
  const row = await db
    .selectFrom('company_ip_ranges')
    .innerJoin('companies', 'companies.id', 'company_ip_ranges.company_id')
    .select(['companies.id', 'companies.name', 'companies.domain', 'companies.country', 'company_ip_ranges.cidr'])
    .where('company_ip_ranges.family', '=', address.family)
    .where('company_ip_ranges.first_address', 'in', [...networks])
    .where('company_ip_ranges.last_address', '>=', address.hex)
    .orderBy('company_ip_ranges.first_address', 'desc')
    .orderBy('company_ip_ranges.last_address', 'asc')
    .orderBy('companies.id', 'asc')
    .limit(1)
    .executeTakeFirst();
  return row;
}
