// Catalog search: the filters of domain/search/filters.ts as SQL, over the full-text documents
// of migration 0002 and the catalog's indexes. Results come in id order (stable across pages and
// engines) and a page is the first `limit` ids after the cursor's id, so pages never repeat or
// skip a record even while the catalog changes.
//
// How a filter on another table (words, technologies, signals, news) joins in decides the speed
// at a million companies. Listed: the matching ids are collected first (`id in (subquery)`),
// which is fast when few match. Probed: companies are walked in id order and each is checked
// (`exists (… where company_id = companies.id …)`), which finds a page fast when many match.
// PostgreSQL's planner chooses between the two itself from its statistics, except for full-text
// matches; SQLite's cannot see how many rows a full-text query or a technology matches. So the
// store decides: words by the estimate of the search statistics (store/search_statistics.ts),
// since counting the matches of a common prefix costs tens of milliseconds on both engines, and
// technologies (their FTS5 documents, migration 0007) and signals (SQLite) by a bounded count over
// their index; it lists only when the matches are at most `listedMatchesMax`.
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Database, RecordType } from './schema.ts';
import type { CompanyFilter, CompanyTextFields, ContactFilter, NumberRange, SearchPage } from '../domain/search/filters.ts';
import { companyFieldWeights, countryWordsTsquery, prefixFtsQuery, prefixTsquery, technologyFtsQuery } from '../domain/search/text.ts';
import type { IpAddress } from '../domain/catalog/ip_ranges.ts';
import { isPostgres } from './search_documents.ts';
import { scopeEstimator } from './search_statistics.ts';
import type { SearchScope } from '../domain/search/word_statistics.ts';

/** A filter matching at most this many rows is listed; more are probed row by row. */
export const listedMatchesMax = 2_000;
/**
 * PostgreSQL, words that are the whole filter (documentWalkCondition) with no country: listed up
 * to this many matches only. Listing costs a visit to every match's document (about 4 µs each at
 * a million companies, its GIN lookup included), the walk about 0.23 µs per document walked, 26
 * pages' worth of matches: the two meet near a thousand matches (1,740 matches: 7 ms listed, 3.5
 * ms walked). With a country, the words' country lexemes (countryWordLexeme) make a listing
 * read that country's matches only, and listedMatchesMax applies (1,237 matches of `lang` in
 * GB: 3.9 ms listed, 9 ms walked).
 */
export const walkedDocumentsListedMatchesMax = 1_000;
/**
 * Words matching at most this many records (and more than `listedMatchesMax`) are collected on
 * SQLite: their matches are gathered into a set, and the records are walked in id order (along
 * another filter's index when there is one) checking each against the set, which costs a tenth
 * of reading the record's words. Beyond this, gathering the set costs more than the walk saves.
 */
export const collectedMatchesMax = 30_000;

/** Tests force one strategy for every filter ('collected' applies to words; others list). */
export interface SearchTuning {
  strategy?: WordsStrategy;
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
export type Strategy = 'listed' | 'probed';
/** How words join in: listed, probed, or (SQLite; probed on PostgreSQL) collected, see `collectedMatchesMax`. */
export type WordsStrategy = Strategy | 'collected';

/** One page of companies matching `filter`, plus whether more follow. */
export async function searchCompanies(
  db: Kysely<Database>,
  filter: CompanyFilter,
  page: SearchPage,
  tuning: SearchTuning = {},
): Promise<{ hits: CompanyHit[]; more: boolean }> {
  const strategies = tuning.strategy ? forcedStrategies(filter, tuning.strategy, isPostgres(db)) : await companyStrategies(db, filter);
  const postgres = isPostgres(db);
  // The page's walk of the documents stands for the whole filter (see documentWalkCondition).
  const walk = postgres && strategies.text === 'probed' && textIsTheWholeFilter(filter) ? page : undefined;
  let query = db.selectFrom('companies').select(['id', 'name', 'domain', 'country']);
  query = query.where((eb) =>
    walk ? documentWalkCondition(filter, walk) : eb.and(companyConditions(eb, filter, strategies, postgres)),
  );
  if (page.afterId !== undefined) query = query.where('id', '>', page.afterId);
  const rows = await query.orderBy('id').limit(page.limit + 1).execute();
  return { hits: rows.slice(0, page.limit), more: rows.length > page.limit };
}

interface CompanyStrategies {
  text: WordsStrategy;
  technologies: Strategy[];
  signals: Strategy;
  news: Strategy;
}

/** Every filter joined in as `strategy` (on PostgreSQL only the words: its planner joins the rest). */
function forcedStrategies(filter: CompanyFilter, strategy: WordsStrategy, postgres: boolean): CompanyStrategies {
  const others = strategy === 'collected' || postgres ? 'listed' : strategy;
  return { text: strategy, technologies: (filter.technologies ?? []).map(() => others), signals: others, news: others };
}

/** On PostgreSQL every filter but the words is written listed (its planner picks the join). */
async function companyStrategies(db: Kysely<Database>, filter: CompanyFilter): Promise<CompanyStrategies> {
  const words = filter.text?.words ?? [];
  let text: WordsStrategy = 'probed';
  if (filter.text && words.length > 0) {
    const index = companyTextIndex(filter.text.fields);
    const countries = isPostgres(db) && index.holdsCountries ? filter.countries : undefined;
    text = await wordsStrategy(db, {
      ...index.scopes,
      words,
      countries,
      // With countries the document's country words narrow the listing to those countries' matches.
      listedMax: isPostgres(db) && textIsTheWholeFilter(filter) && !countries?.length ? walkedDocumentsListedMatchesMax : listedMatchesMax,
      countMatches: () => countCompanyTextMatches(db, filter),
    });
  }
  if (isPostgres(db)) {
    return { text, technologies: (filter.technologies ?? []).map(() => 'listed'), signals: 'listed', news: 'listed' };
  }
  const technologies: Strategy[] = [];
  for (const technology of filter.technologies ?? []) {
    technologies.push(strategyFor(await countFtsMatches(db, 'company_technology_search', technologyFtsQuery(technology))));
  }
  let signals: Strategy = 'probed';
  if (filter.signals) {
    let query = db.selectFrom('company_signals').select(sql`1`.as('one'));
    if (filter.signals.types) query = query.where(anyOfValues('type', filter.signals.types));
    if (filter.signals.since !== undefined) query = query.where('occurred_at', '>=', filter.signals.since);
    signals = strategyFor(await boundedCount(db, query));
  }
  const newsWords = filter.news?.words ?? [];
  const news =
    newsWords.length > 0
      ? await wordsStrategy(db, {
          scope: 'news_text',
          listScope: 'news_text',
          words: newsWords,
          countMatches: () => countFtsMatches(db, 'news_search', prefixFtsQuery(newsWords)),
        })
      : 'probed';
  // News items are gathered per company anyway: a set of their matches is a list.
  return { text, technologies, signals, news: news === 'collected' ? 'listed' : news };
}

function companyConditions(eb: CompanyWhere, filter: CompanyFilter, strategies: CompanyStrategies, postgres: boolean): Condition[] {
  const conditions: Condition[] = [];
  if (filter.text && filter.text.words.length > 0) conditions.push(companyTextCondition(eb, filter, strategies.text, postgres));
  if (filter.domain !== undefined) conditions.push(eb('domain', 'in', [filter.domain, `www.${filter.domain}`]));
  if (filter.countries) conditions.push(anyOf(eb, 'country', filter.countries, postgres));
  if (filter.industries) conditions.push(anyOf(eb, 'industry', filter.industries, postgres));
  conditions.push(...rangeConditions(eb, 'employees', filter.employees));
  conditions.push(...rangeConditions(eb, 'revenue_usd', filter.revenueUsd));
  conditions.push(...rangeConditions(eb, 'founded', filter.founded));
  for (const [index, technology] of (filter.technologies ?? []).entries()) {
    conditions.push(technologyCondition(eb, technology, strategies.technologies[index]!, postgres));
  }
  if (filter.signals) conditions.push(signalCondition(eb, filter.signals, strategies.signals));
  if (filter.news) conditions.push(newsCondition(eb, filter.news, strategies.news, postgres));
  return conditions;
}

/**
 * A company uses `technology` (exactly, case included). PostgreSQL: its company_technologies
 * rows. SQLite (migration 0007): listed, the companies whose technology document holds its
 * token; probed, the company's own JSON list, which the walk reads anyway: a cheap `instr` that
 * skips most non-matches, then the exact test of its elements (a name holding a quote could pass
 * the first alone).
 */
function technologyCondition(eb: CompanyWhere, technology: string, strategy: Strategy, postgres: boolean): Condition {
  if (postgres) {
    return strategy === 'listed'
      ? eb('id', 'in', eb.selectFrom('company_technologies').select('company_id').where('technology', '=', technology))
      : eb.exists(
          eb.selectFrom('company_technologies as t').select(sql`1`.as('one')).whereRef('t.company_id', '=', 'companies.id').where('t.technology', '=', technology),
        );
  }
  if (strategy === 'listed') {
    return sql<SqlBool>`companies.rowid in (select rowid from company_technology_search where company_technology_search match ${technologyFtsQuery(technology)})`;
  }
  return eb.and([
    sql<SqlBool>`instr(companies.technologies, ${JSON.stringify(technology)}) > 0`,
    sql<SqlBool>`exists (select 1 from json_each(companies.technologies) where json_each.value = ${technology})`,
  ]);
}

/**
 * Where a company's words are searched: basic search's name and domain have a table of their own
 * (migration 0004), whose index holds only their words; advanced search's name and description
 * are read from the full document (PostgreSQL: its weights A and C; SQLite: its two columns).
 */
interface CompanyTextIndex {
  table: 'company_names' | 'company_search';
  /** SQLite: the FTS5 columns searched, each a column of the stored text. */
  columns: readonly string[];
  /** PostgreSQL: the tsquery weights searched ('' for all). */
  weights: string;
  /** PostgreSQL: whether the documents hold each word with the company's country too (countryWordLexeme). */
  holdsCountries: boolean;
  scopes: { scope: SearchScope; listScope: SearchScope };
}

function companyTextIndex(fields: CompanyTextFields): CompanyTextIndex {
  if (fields === 'name_domain') {
    return {
      table: 'company_names',
      columns: ['name', 'domain'],
      weights: '',
      holdsCountries: true,
      scopes: { scope: 'company_name_domain', listScope: 'company_name_domain' },
    };
  }
  const weights = `${companyFieldWeights.name}${companyFieldWeights.description}`;
  return {
    table: 'company_search',
    columns: ['name', 'description'],
    weights,
    holdsCountries: false,
    scopes: { scope: 'company_name_description', listScope: 'company_all' },
  };
}

function companyTextCondition(eb: CompanyWhere, filter: CompanyFilter, strategy: WordsStrategy, postgres: boolean): Condition {
  const text = filter.text!;
  const index = companyTextIndex(text.fields);
  const table = sql.table(index.table);
  if (postgres) {
    // Listing, the index narrows to the countries first (they are filtered on the company too).
    // Probing leaves them out: the planner would take the query for rare and sort every
    // company of the countries instead of walking them in id order.
    const tsquery = companyTsquery(index, text.words, strategy === 'listed' ? filter.countries : undefined);
    // Listed as an array: computed once, by the GIN index, then read through the primary key.
    // As a plain IN the planner, blind to how few documents a prefix matches, may walk every
    // document in id order instead (a fifth of a second at a million companies).
    if (strategy === 'listed') return sql<SqlBool>`companies.id = any(array(select company_id from ${table} where document @@ ${tsquery}::tsquery))`;
    // A scalar subquery is never flattened into a join: each company, walked in id order, looks
    // up its own document by primary key.
    return sql<SqlBool>`(select s.document from ${table} s where s.company_id = companies.id) @@ ${tsquery}::tsquery`;
  }
  const match = prefixFtsQuery(text.words, index.columns);
  if (strategy === 'listed') return sql<SqlBool>`companies.rowid in (select rowid from ${table} where ${table} match ${match})`;
  // The unary `+` keeps the set of matches from driving the query: it is only checked.
  if (strategy === 'collected') return sql<SqlBool>`+companies.rowid in (select rowid from ${table} where ${table} match ${match})`;
  const everyWord = text.words.map((word) => sql.join(index.columns.map((column) => wordPrefixLike(sql`s.${sql.id(column)}`, word)), sql` or `));
  return sql<SqlBool>`exists (select 1 from ${table} s where s.rowid = companies.rowid
    and (${sql.join(everyWord, sql`) and (`)}))`;
}

/**
 * PostgreSQL: whether the words (and the countries, when the words' document holds them) are all
 * the filter asks, so that a page of matching documents is a page of results.
 */
function textIsTheWholeFilter(filter: CompanyFilter): boolean {
  if (!filter.text || filter.text.words.length === 0) return false;
  const { text: _text, countries, ...others } = filter;
  if (countries !== undefined && !companyTextIndex(filter.text.fields).holdsCountries) return false;
  return Object.values(others).every((value) => value === undefined);
}

/**
 * PostgreSQL, words probed and nothing else to check (textIsTheWholeFilter): the page's matching
 * documents are found by walking the document table in its own primary-key order (the company
 * id) and checking each document, and only those companies are read. Probing each company's
 * document instead, companies walked in id order, costs an index descent per company: at a
 * million companies a name prefix held by one company in a hundred took 4–5 ms that way, against
 * 0.7 ms walking the documents, and a name with a country (a fifth of the companies) 18 ms
 * against 4.
 */
function documentWalkCondition(filter: CompanyFilter, page: SearchPage): Condition {
  const text = filter.text!;
  const index = companyTextIndex(text.fields);
  const tsquery = companyTsquery(index, text.words, filter.countries);
  const after = page.afterId === undefined ? sql`` : sql`and company_id > ${page.afterId}`;
  return sql<SqlBool>`companies.id in (select company_id from ${sql.table(index.table)}
    where document @@ ${tsquery}::tsquery ${after} order by company_id limit ${page.limit + 1})`;
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

/** Counts (bounded) the companies whose fields match the words: only before the first statistics. */
async function countCompanyTextMatches(db: Kysely<Database>, filter: CompanyFilter): Promise<number> {
  const text = filter.text!;
  const index = companyTextIndex(text.fields);
  if (!isPostgres(db)) return countFtsMatches(db, index.table, prefixFtsQuery(text.words, index.columns));
  return countTsqueryMatches(db, index.table, companyTsquery(index, text.words, filter.countries));
}

/** PostgreSQL: counts a tsquery's matching documents in `table`, stopping just past `listedMatchesMax`. */
async function countTsqueryMatches(db: Kysely<Database>, table: 'company_names' | 'company_search' | 'contact_search', tsquery: string): Promise<number> {
  const result = await sql<{ count: number | string }>`select count(*) as count from
    (select 1 from ${sql.table(table)} where document @@ ${tsquery}::tsquery limit ${listedMatchesMax + 1}) as bounded`.execute(db);
  return Number(result.rows[0]?.count ?? 0);
}

/** PostgreSQL: the words as prefixes in the index's weights; with countries the index holds, in any of them. */
function companyTsquery(index: CompanyTextIndex, words: readonly string[], countries: readonly string[] | undefined): string {
  return index.holdsCountries && countries && countries.length > 0 ? countryWordsTsquery(words, countries) : prefixTsquery(words, index.weights);
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

/**
 * Listed when the words match few documents: estimated from the search statistics, or, before
 * the first refresh of those, counted with `countMatches`.
 */
async function wordsStrategy(
  db: Kysely<Database>,
  options: {
    /** Where the words are estimated, and where listing them reads. */
    scope: SearchScope;
    listScope: SearchScope;
    words: readonly string[];
    /** Countries the words' index intersects with them (PostgreSQL's company_names). */
    countries?: readonly string[] | undefined;
    /** Before the first statistics: counts the matches, bounded. */
    countMatches: () => Promise<number>;
    /** Listed up to this many estimated matches (default listedMatchesMax). */
    listedMax?: number;
  },
): Promise<WordsStrategy> {
  const { words } = options;
  const estimator = await scopeEstimator(db, options.scope);
  const listEstimator = await scopeEstimator(db, options.listScope);
  const countryEstimator = options.countries ? await scopeEstimator(db, 'company_country') : undefined;
  if (!estimator || !listEstimator || (options.countries && !countryEstimator)) return strategyFor(await options.countMatches());
  let matches = estimator.queryMatches(words);
  if (options.countries && countryEstimator) matches = Math.round(matches * countryEstimator.anyShare(options.countries.map((country) => country.toLowerCase())));
  if (matches <= (options.listedMax ?? listedMatchesMax)) return 'listed';
  // Gathering the set reads each word's matches in every field of the table. On PostgreSQL
  // that means a visit to each match's row (the GIN index holds no ids), as dear as a probe.
  if (isPostgres(db)) return 'probed';
  return listEstimator.queryReads(words) <= collectedMatchesMax ? 'collected' : 'probed';
}

/** Counts an FTS5 query's matches, stopping just past `listedMatchesMax`. */
async function countFtsMatches(db: Kysely<Database>, table: string, match: string): Promise<number> {
  const row = await sql<{ count: number }>`select count(*) as count from
    (select rowid from ${sql.table(table)} where ${sql.table(table)} match ${match} limit ${listedMatchesMax + 1})`.execute(db);
  return Number(row.rows[0]?.count ?? 0);
}

/** Counts a query's rows, stopping just past `listedMatchesMax`. */
async function boundedCount(db: Kysely<Database>, query: SelectQueryBuilder<Database, keyof Database, { one: unknown }>): Promise<number> {
  const row = await db
    .selectFrom(query.limit(listedMatchesMax + 1).as('bounded'))
    .select((select) => select.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function strategyFor(matches: number): Strategy {
  return matches <= listedMatchesMax ? 'listed' : 'probed';
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
    // A company's few contacts are cheaper to check one by one than any index.
    const strategy =
      tuning.strategy ??
      (filter.companyId !== undefined
        ? 'probed'
        : await wordsStrategy(db, { scope: 'contact_title', listScope: 'contact_title', words, countMatches: () => countContactTitleMatches(db, words) }));
    query = query.where((eb) => contactTitleCondition(eb, words, strategy, postgres));
  }
  if (page.afterId !== undefined) query = query.where('id', '>', page.afterId);
  const rows = await query.orderBy('id').limit(page.limit + 1).execute();
  return { hits: rows.slice(0, page.limit), more: rows.length > page.limit };
}

/**
 * Listed: the contacts whose title matches, from the full-text index. Probed: each contact's
 * own title words, for a company's few contacts or a common word.
 */
function contactTitleCondition(eb: ExpressionBuilder<Database, 'contacts'>, words: readonly string[], strategy: WordsStrategy, postgres: boolean): Condition {
  if (postgres) {
    if (strategy === 'listed') return sql<SqlBool>`contacts.id = any(array(select contact_id from contact_search where document @@ ${prefixTsquery(words)}::tsquery))`;
    return sql<SqlBool>`(select s.document from contact_search s where s.contact_id = contacts.id) @@ ${prefixTsquery(words)}::tsquery`;
  }
  if (strategy === 'listed') return sql<SqlBool>`contacts.rowid in (select rowid from contact_search where contact_search match ${prefixFtsQuery(words)})`;
  if (strategy === 'collected') return sql<SqlBool>`+contacts.rowid in (select rowid from contact_search where contact_search match ${prefixFtsQuery(words)})`;
  const everyWord = words.map((word) => wordPrefixLike(sql`s.title`, word));
  return sql<SqlBool>`exists (select 1 from contact_search s where s.rowid = contacts.rowid and ${sql.join(everyWord, sql` and `)})`;
}

async function countContactTitleMatches(db: Kysely<Database>, words: readonly string[]): Promise<number> {
  if (!isPostgres(db)) return countFtsMatches(db, 'contact_search', prefixFtsQuery(words));
  return countTsqueryMatches(db, 'contact_search', prefixTsquery(words));
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
