// Faster search at a million companies (issue #3). Frozen once landed.
//
// 1. company_names: the words of each company's name and domain alone, for basic search (`q`).
//    In company_search they share an index with the description, whose words are far more
//    numerous: a prefix there gathers every description word it starts before the name and
//    domain matches are kept, and walking companies reads their whole description. SQLite: an
//    FTS5 table whose rowid is the company's; PostgreSQL: a tsvector with a GIN index, holding
//    the country too (domain/search/text.ts, countryLexeme). Filled from company_search, whose
//    words are already cut.
// 2. Search statistics: per set of searched fields, the words of a sample of the catalog with
//    how many sampled documents held each, so a search estimates how many records its words
//    match instead of counting them (domain/search/word_statistics.ts). Refreshed after every
//    catalog load and at start when missing (store/search_statistics.ts).
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and must not depend on today's schema types
type AnyDatabase = Kysely<any>;

export async function up(db: AnyDatabase): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await createPostgresNames(db);
  else await createSqliteNames(db);
  await createStatistics(db);
}

export async function down(): Promise<void> {
  throw new Error('the name search migration cannot be reverted');
}

async function createSqliteNames(db: AnyDatabase): Promise<void> {
  await sql`create virtual table company_names using fts5(name, domain, tokenize='unicode61 remove_diacritics 0')`.execute(db);
  await sql`insert into company_names (rowid, name, domain) select rowid, name, domain from company_search`.execute(db);
}

async function createPostgresNames(db: AnyDatabase): Promise<void> {
  await sql`create table company_names (
    company_id text primary key references companies (id) on delete cascade,
    document tsvector not null)`.execute(db);
  // company_search weighs name words A and domain words B (migration 0002). The country joins
  // as one lexeme that no word can be (words hold only letters and digits), so a name query and
  // a country filter meet inside one GIN lookup.
  await sql`insert into company_names (company_id, document)
    select s.company_id, ts_filter(s.document, '{a,b}') || coalesce(cast('country_' || lower(c.country) as tsvector), '')
    from company_search s join companies c on c.id = s.company_id`.execute(db);
  await sql`create index company_names_document on company_names using gin (document)`.execute(db);
}

async function createStatistics(db: AnyDatabase): Promise<void> {
  await sql`create table search_statistics (
    scope text primary key,
    documents bigint not null check (documents >= 0),
    sampled integer not null check (sampled >= 0),
    generation integer not null check (generation >= 1))`.execute(db);
  await sql`create table search_word_statistics (
    scope text not null references search_statistics (scope) on delete cascade,
    word text not null check (length(word) > 0),
    sampled_documents integer not null check (sampled_documents >= 1),
    primary key (scope, word))`.execute(db);
}
