// Catalog search: the filters of domain/search/filters.ts as SQL, over the full-text documents
// of migration 0002 and the catalog's indexes. Results come in id order (stable across pages and
// engines) and a page is the first `limit` ids after the cursor's id, so pages never repeat or
// skip a record even while the catalog changes.
//
// How a filter on another table (words, technologies, signals, news) joins in decides the speed
// at a million companies. Listed: the matching ids are collected first (`id in (subquery)`),
// which is fast when few match. Probed: companies are walked in id order and each is checked
// (`exists (… where company_id = companies.id …)`), which finds a page fast when many match.
// PostgreSQL's planner chooses between the two itself from its statistics; SQLite's cannot see
// how many rows a full-text query or a technology matches, so on SQLite the store counts the
// matches first, bounded (an FTS5 query or an index range stops after `listedMatchesMax`), and
// lists only when they are few.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Database, RecordType } from './schema.ts';
import type { CompanyFilter, CompanyTextFields, ContactFilter, NumberRange, SearchPage } from '../domain/search/filters.ts';
import { companyFieldWeights, prefixFtsQuery, prefixTsquery } from '../domain/search/text.ts';
import type { IpAddress } from '../domain/catalog/ip_ranges.ts';
import { isPostgres } from './search_documents.ts';

/** On SQLite, a filter matching at most this many rows is listed; more are probed row by row. */
export const listedMatchesMax = 2_000;

/** Tests force one strategy or the other with `listedMatchesMax` (0: always probed). */
export interface SearchTuning {
  listedMatchesMax?: number;
}

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
type Condition = Expression<SqlBool>;
/** How one filter joins in: listed or probed (see the file's header). */
type Strategy = 'listed' | 'probed';

/** One page of companies matching `filter`, plus whether more follow. */
export async function searchCompanies(
  db: Kysely<Database>,
  filter: CompanyFilter,
  page: SearchPage,
  tuning: SearchTuning = {},
): Promise<{ hits: CompanyHit[]; more: boolean }> {
  const strategies = await companyStrategies(db, filter, tuning.listedMatchesMax ?? listedMatchesMax);
  let query = db.selectFrom('companies').select(['id', 'name', 'domain', 'country']);
  query = query.where((eb) => eb.and(companyConditions(eb, filter, strategies, isPostgres(db))));
  if (page.afterId !== undefined) query = query.where('id', '>', page.afterId);
  const rows = await query.orderBy('id').limit(page.limit + 1).execute();
  return { hits: rows.slice(0, page.limit), more: rows.length > page.limit };
}

interface CompanyStrategies {
  text: Strategy;
  technologies: Strategy[];
  signals: Strategy;
  news: Strategy;
}

/** On PostgreSQL every filter is written listed (its planner turns it into the better join). */
async function companyStrategies(db: Kysely<Database>, filter: CompanyFilter, listedMax: number): Promise<CompanyStrategies> {
  if (isPostgres(db)) {
    // The planner turns IN lists into the better join by itself, except for a full-text match,
    // whose every hit a GIN index lists before anything is sorted: a common word is probed.
    const text = filter.text?.words.length ? await postgresTextStrategy(db, companyTsquery(filter.text), listedMax) : 'listed';
    return { text, technologies: (filter.technologies ?? []).map(() => 'listed'), signals: 'listed', news: 'listed' };
  }
  const text = filter.text?.words.length
    ? await wordsStrategy(db, 'company_search', prefixFtsQuery(filter.text.words, textFields(filter.text.fields)), listedMax)
    : 'probed';
  const technologies: Strategy[] = [];
  for (const technology of filter.technologies ?? []) {
    const query = db.selectFrom('company_technologies').select(sql`1`.as('one')).where('technology', '=', technology);
    technologies.push(strategyFor(await boundedCount(db, query, listedMax), listedMax));
  }
  let signals: Strategy = 'probed';
  if (filter.signals) {
    let query = db.selectFrom('company_signals').select(sql`1`.as('one'));
    if (filter.signals.types) query = query.where(anyOfValues('type', filter.signals.types));
    if (filter.signals.since !== undefined) query = query.where('occurred_at', '>=', filter.signals.since);
    signals = strategyFor(await boundedCount(db, query, listedMax), listedMax);
  }
  const newsWords = filter.news?.words ?? [];
  const news = newsWords.length > 0 ? await wordsStrategy(db, 'news_search', prefixFtsQuery(newsWords), listedMax) : 'probed';
  return { text, technologies, signals, news };
}

function companyConditions(eb: CompanyWhere, filter: CompanyFilter, strategies: CompanyStrategies, postgres: boolean): Condition[] {
  const conditions: Condition[] = [];
  if (filter.text && filter.text.words.length > 0) conditions.push(companyTextCondition(eb, filter.text, strategies.text, postgres));
  if (filter.domain !== undefined) conditions.push(eb('domain', 'in', [filter.domain, `www.${filter.domain}`]));
  if (filter.countries) conditions.push(anyOf(eb, 'country', filter.countries, postgres));
  if (filter.industries) conditions.push(anyOf(eb, 'industry', filter.industries, postgres));
  conditions.push(...rangeConditions(eb, 'employees', filter.employees));
  conditions.push(...rangeConditions(eb, 'revenue_usd', filter.revenueUsd));
  conditions.push(...rangeConditions(eb, 'founded', filter.founded));
  for (const [index, technology] of (filter.technologies ?? []).entries()) {
    conditions.push(
      strategies.technologies[index] === 'listed'
        ? eb('id', 'in', eb.selectFrom('company_technologies').select('company_id').where('technology', '=', technology))
        : eb.and([
            // The row's own JSON list is read anyway: a cheap test that skips most non-matches
            // before the exact, indexed one (a name holding a quote could pass the first alone).
            sql<SqlBool>`instr(companies.technologies, ${JSON.stringify(technology)}) > 0`,
            eb.exists(
              eb.selectFrom('company_technologies as t').select(sql`1`.as('one')).whereRef('t.company_id', '=', 'companies.id').where('t.technology', '=', technology),
            ),
          ]),
    );
  }
  if (filter.signals) conditions.push(signalCondition(eb, filter.signals, strategies.signals));
  if (filter.news) conditions.push(newsCondition(eb, filter.news, strategies.news, postgres));
  return conditions;
}

function companyTextCondition(
  eb: CompanyWhere,
  text: NonNullable<CompanyFilter['text']>,
  strategy: Strategy,
  postgres: boolean,
): Condition {
  const fields = textFields(text.fields);
  if (postgres) {
    const tsquery = companyTsquery(text);
    if (strategy === 'listed') return eb('id', 'in', sql<string>`(select company_id from company_search where document @@ ${tsquery}::tsquery)`);
    // A scalar subquery is never flattened into a join: each company, walked in id order, looks
    // up its own document by primary key.
    return sql<SqlBool>`(select s.document from company_search s where s.company_id = companies.id) @@ ${tsquery}::tsquery`;
  }
  if (strategy === 'listed') {
    const match = prefixFtsQuery(text.words, fields);
    return sql<SqlBool>`companies.rowid in (select rowid from company_search where company_search match ${match})`;
  }
  const everyWord = text.words.map((word) => sql.join(fields.map((field) => wordPrefixLike(sql`s.${sql.id(field)}`, word)), sql` or `));
  return sql<SqlBool>`exists (select 1 from company_search s where s.rowid = companies.rowid
    and (${sql.join(everyWord, sql`) and (`)}))`;
}

/**
 * `column in (values)`. One value reads the (column, id) index in id order. For several, SQLite
 * would read each value's range and sort them all, where walking the companies in id order
 * fills a page after a few rows: the unary `+` keeps it off the index.
 */
function anyOf(eb: CompanyWhere, column: 'country' | 'industry', values: string[], postgres: boolean): Condition {
  if (values.length === 0) return sql<SqlBool>`1 = 0`;
  if (postgres || values.length === 1) return eb(column, 'in', values);
  return sql<SqlBool>`+${sql.ref(`companies.${column}`)} in (${sql.join(values)})`;
}

function companyTsquery(text: NonNullable<CompanyFilter['text']>): string {
  const weights = textFields(text.fields).map((field) => companyFieldWeights[field]).join('');
  return prefixTsquery(text.words, weights);
}

/**
 * Listed when the tsquery matches few documents. Counted, bounded: the planner's estimates for
 * word prefixes are too rough to tell 50 matches from 50,000, and a GIN index finds few matches
 * in a fraction of a millisecond (many cost a few milliseconds, then the walk is short).
 */
async function postgresTextStrategy(db: Kysely<Database>, tsquery: string, listedMax: number): Promise<Strategy> {
  const result = await sql<{ count: number | string }>`select count(*) as count from
    (select 1 from company_search where document @@ ${tsquery}::tsquery limit ${listedMax + 1}) as bounded`.execute(db);
  return strategyFor(Number(result.rows[0]?.count ?? 0), listedMax);
}

function textFields(fields: CompanyTextFields): readonly ['name', 'domain'] | readonly ['name', 'description'] {
  return fields === 'name_domain' ? (['name', 'domain'] as const) : (['name', 'description'] as const);
}

function signalCondition(eb: CompanyWhere, signals: NonNullable<CompanyFilter['signals']>, strategy: Strategy): Condition {
  let subquery = eb.selectFrom('company_signals as s').select('s.company_id');
  if (signals.types) subquery = subquery.where(anyOfValues('s.type', signals.types));
  if (signals.since !== undefined) subquery = subquery.where('s.occurred_at', '>=', signals.since);
  return strategy === 'listed' ? eb('id', 'in', subquery) : eb.exists(subquery.whereRef('s.company_id', '=', 'companies.id'));
}

function newsCondition(eb: CompanyWhere, news: NonNullable<CompanyFilter['news']>, strategy: Strategy, postgres: boolean): Condition {
  const words = news.words ?? [];
  let subquery = eb.selectFrom('company_news as n').select('n.company_id');
  if (news.since !== undefined) subquery = subquery.where('n.published_at', '>=', news.since);
  if (words.length > 0) {
    if (postgres) {
      subquery = subquery.where(
        sql<SqlBool>`(n.company_id, n.position) in (select company_id, position from news_search where document @@ ${prefixTsquery(words)}::tsquery)`,
      );
    } else if (strategy === 'listed') {
      subquery = subquery.where(sql<SqlBool>`n.rowid in (select rowid from news_search where news_search match ${prefixFtsQuery(words)})`);
    } else {
      const everyWord = words.map((word) => wordPrefixLike(sql`s.text`, word));
      subquery = subquery.where(sql<SqlBool>`exists (select 1 from news_search s where s.rowid = n.rowid and ${sql.join(everyWord, sql` and `)})`);
    }
  }
  return strategy === 'listed' || postgres ? eb('id', 'in', subquery) : eb.exists(subquery.whereRef('n.company_id', '=', 'companies.id'));
}

/**
 * Whether a stored document (words separated by single spaces) has a word starting with `word`.
 * Words hold only letters and digits, so they carry no LIKE wildcards; the documents are
 * lowercase already, as are the words.
 */
function wordPrefixLike(column: ReturnType<typeof sql>, word: string): ReturnType<typeof sql<SqlBool>> {
  return sql<SqlBool>`(' ' || ${column}) like ${`% ${word}%`}`;
}

/** Listed when the full-text query itself matches few documents (counted, bounded). */
async function wordsStrategy(db: Kysely<Database>, table: string, match: string, listedMax: number): Promise<Strategy> {
  const row = await sql<{ count: number }>`select count(*) as count from
    (select rowid from ${sql.table(table)} where ${sql.table(table)} match ${match} limit ${listedMax + 1})`.execute(db);
  return strategyFor(Number(row.rows[0]?.count ?? 0), listedMax);
}

/** Counts a query's rows, stopping just past `listedMax`. */
async function boundedCount(
  db: Kysely<Database>,
  query: SelectQueryBuilder<Database, keyof Database, { one: unknown }>,
  listedMax: number,
): Promise<number> {
  const row = await db
    .selectFrom(query.limit(listedMax + 1).as('bounded'))
    .select((select) => select.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function strategyFor(matches: number, listedMax: number): Strategy {
  return matches <= listedMax ? 'listed' : 'probed';
}

function rangeConditions(
  eb: CompanyWhere,
  column: 'employees' | 'revenue_usd' | 'founded',
  range: NumberRange | undefined,
): Condition[] {
  const conditions: Condition[] = [];
  if (range?.min !== undefined) conditions.push(eb(column, '>=', range.min));
  if (range?.max !== undefined) conditions.push(eb(column, '<=', range.max));
  return conditions;
}

/** `in ()` is a syntax error: an empty "any of" list matches nothing, which `false` says. */
function anyOfValues(column: string, values: readonly string[]): Condition {
  return values.length > 0 ? sql<SqlBool>`${sql.ref(column)} in (${sql.join(values)})` : sql<SqlBool>`1 = 0`;
}

/** One page of contacts matching `filter`, plus whether more follow. */
export async function searchContacts(
  db: Kysely<Database>,
  filter: ContactFilter,
  page: SearchPage,
  tuning: SearchTuning = {},
): Promise<{ hits: ContactHit[]; more: boolean }> {
  const postgres = isPostgres(db);
  let query = db.selectFrom('contacts').select(['id', 'company_id', 'first_name', 'last_name', 'title']);
  if (filter.companyId !== undefined) query = query.where('company_id', '=', filter.companyId);
  if (filter.seniority !== undefined) query = query.where('seniority', '=', filter.seniority);
  if (filter.department !== undefined) query = query.where('department', '=', filter.department);
  const words = filter.titleWords ?? [];
  if (words.length > 0) {
    if (postgres) {
      query = query.where('id', 'in', sql<string>`(select contact_id from contact_search where document @@ ${prefixTsquery(words)}::tsquery)`);
    } else if (filter.companyId === undefined && (await wordsStrategy(db, 'contact_search', prefixFtsQuery(words), tuning.listedMatchesMax ?? listedMatchesMax)) === 'listed') {
      query = query.where(sql<SqlBool>`contacts.rowid in (select rowid from contact_search where contact_search match ${prefixFtsQuery(words)})`);
    } else {
      // A company's few contacts, or a common word: check each contact's title words.
      const everyWord = words.map((word) => wordPrefixLike(sql`s.title`, word));
      query = query.where(sql<SqlBool>`exists (select 1 from contact_search s where s.rowid = contacts.rowid and ${sql.join(everyWord, sql` and `)})`);
    }
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
  return db
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
}
