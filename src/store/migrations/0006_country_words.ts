// Basic search with a country, faster on PostgreSQL (issue #3). Frozen once landed.
//
// The name documents of migration 0004 held a company's name and domain words and one lexeme
// for its country, so a name query with a country made the GIN index read the posting list of
// every company of the country (a tenth of the catalog for the larger ones: 8–25 ms at a million
// companies). From here each word is also held joined to the country (`_gb_lang`,
// domain/search/text.ts, countryWordLexeme), and the documents carry no positions, weights or
// country lexeme, which no query reads: the documents the catalog writers write now
// (search_documents.ts). This rewrites the existing ones to match, from their own words. SQLite
// is untouched: its name documents are FTS5 text and its search joins countries by index.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and must not depend on today's schema types
type AnyDatabase = Kysely<any>;

export async function up(db: AnyDatabase): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // Rewriting every row with the GIN index in place would update the index row by row; building
  // it again afterwards is one pass.
  await sql`drop index company_names_document`.execute(db);
  await sql`update company_names n set document = (
      select array_to_tsvector(words.words || case when c.country is null then '{}'::text[]
        else array(select '_' || lower(c.country) || '_' || word from unnest(words.words) as word) end)
      from (select array(select word from unnest(tsvector_to_array(n.document)) as word
        where not starts_with(word, 'country_')) as words) as words)
    from companies c
    where c.id = n.company_id`.execute(db);
  await sql`create index company_names_document on company_names using gin (document)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the country words migration cannot be reverted');
}
