// Greek final sigma (issue #3's search, the engines agreeing). Frozen once landed: plain SQL, no
// application code, so that it runs the same against any later schema.
//
// Search words now fold ς to σ (domain/search/text.ts, unicodeSearchWords): a capital Σ
// lowercases to ς at a word's end and to σ inside one, so a word typed in capitals ("ΟΔΥΣΣΕΥΣ")
// missed "Οδυσσεύς" on PostgreSQL. SQLite's documents need nothing: its unicode61 tokenizer
// always folded ς to σ, in documents and queries alike. PostgreSQL's documents hold Quarry's words
// as they were cut, so in those holding a ς every ς becomes σ: exactly what the writers now
// write, since the fold changes no other letter and no word's length (lexemes made equal are
// merged by tsvector's input, their positions with them). Every document is read once (0.7 s at
// 100,000 companies without Greek text); in a Greek catalog most hold a ς, and a table with many
// to rewrite has its GIN index dropped and built again, in one pass, as migration 0006 did.
// Then, on both engines, sampled words holding a ς are merged into their σ spelling in the search
// statistics, and the statistics' generation moves so that every process reads them again.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and must not depend on today's schema types
type AnyDatabase = Kysely<any>;

/** PostgreSQL's document tables and their GIN indexes (migrations 0002 and 0004). */
const documentTables = [
  { table: 'company_search', index: 'company_search_document' },
  { table: 'company_names', index: 'company_names_document' },
  { table: 'news_search', index: 'news_search_document' },
  { table: 'contact_search', index: 'contact_search_document' },
] as const;

/** Past this share of a table's documents to rewrite, its index is built again rather than updated row by row. */
const rebuildIndexFromShare = 0.05;

export async function up(db: AnyDatabase): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (postgres) {
    for (const { table, index } of documentTables) await foldDocuments(db, table, index);
    await foldStatistics(db, { holding: "strpos(word, 'ς') > 0", larger: 'greatest' });
  } else {
    // Kysely's migrator opens no transaction on SQLite: the statistics change in one.
    await db.transaction().execute((tx) => foldStatistics(tx, { holding: "instr(word, 'ς') > 0", larger: 'max' }));
  }
}

export async function down(): Promise<void> {
  throw new Error('the final sigma migration cannot be reverted');
}

async function foldDocuments(db: AnyDatabase, table: string, index: string): Promise<void> {
  const holding = sql`strpos(document::text, 'ς') > 0`;
  const counts = await sql<{ rows: string; holding: string }>`select count(*) as rows, count(*) filter (where ${holding}) as holding
    from ${sql.table(table)}`.execute(db);
  const rows = Number(counts.rows[0]?.rows ?? 0);
  const toRewrite = Number(counts.rows[0]?.holding ?? 0);
  if (toRewrite === 0) return;
  const definition = await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname = ${index}`.execute(db);
  const rebuild = toRewrite > rows * rebuildIndexFromShare && definition.rows.length === 1;
  if (rebuild) await sql`drop index ${sql.id(index)}`.execute(db);
  await sql`update ${sql.table(table)} set document = replace(document::text, 'ς', 'σ')::tsvector where ${holding}`.execute(db);
  if (rebuild) await sql.raw(definition.rows[0]!.indexdef).execute(db);
}

/** Sampled words with a ς join their σ spelling (the larger count: estimates only), and readers reload. */
async function foldStatistics(db: AnyDatabase, dialect: { holding: string; larger: 'greatest' | 'max' }): Promise<void> {
  const holding = sql.raw(dialect.holding);
  const found = await sql`select 1 from search_word_statistics where ${holding} limit 1`.execute(db);
  if (found.rows.length === 0) return;
  // Grouped first, so that no two inserted rows meet the same σ spelling (an upsert may touch a row once).
  await sql`insert into search_word_statistics (scope, word, sampled_documents)
    select scope, replace(word, 'ς', 'σ'), max(sampled_documents) from search_word_statistics where ${holding}
    group by scope, replace(word, 'ς', 'σ')
    on conflict (scope, word) do update
    set sampled_documents = ${sql.raw(dialect.larger)}(search_word_statistics.sampled_documents, excluded.sampled_documents)`.execute(db);
  await sql`delete from search_word_statistics where ${holding}`.execute(db);
  await sql`update search_statistics set generation = generation + 1`.execute(db);
}
