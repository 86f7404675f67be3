// Greek final sigma (issue #3's search, the engines agreeing). Frozen once landed.
//
// Search words now fold ς to σ (domain/search/text.ts, unicodeSearchWords): a capital Σ
// lowercases to ς at a word's end and to σ inside one, so a query typed in capitals ("ΟΔΥΣ")
// ended in ς and missed "Οδυσσεύς" on PostgreSQL. SQLite's documents need nothing: its unicode61
// tokenizer always folded ς to σ, in documents and queries alike. PostgreSQL's documents hold
// Quarry's words as they were cut, so those holding a ς are written again from their records
// (found by their own text: each document is read once, and only the few with a ς are
// rewritten; reading them took 0.7 s at 100,000 companies without Greek text). Then, on both,
// the search statistics are sampled again if any sampled word holds a ς.
import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import { companyDocumentVector, companyNamesDocumentVector, contactDocumentVector, newsDocumentVector } from '../search_documents.ts';
import { refreshSearchStatistics } from '../search_statistics.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and must not depend on today's schema types
type AnyDatabase = Kysely<any>;

type Row = Record<string, string | number | null>;

export async function up(db: AnyDatabase): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await rewrite(db, sql`select c.id as key, c.name, c.domain, c.description from companies c
      join company_search s on s.company_id = c.id where strpos(s.document::text, 'ς') > 0`, (row) =>
      sql`update company_search set document = ${companyDocumentVector(company(row))}::tsvector where company_id = ${row.key}`);
    await rewrite(db, sql`select c.id as key, c.name, c.domain, c.country from companies c
      join company_names n on n.company_id = c.id where strpos(n.document::text, 'ς') > 0`, (row) =>
      sql`update company_names set document = ${companyNamesDocumentVector({ ...company(row), country: row.country as string | null })}::tsvector
        where company_id = ${row.key}`);
    await rewrite(db, sql`select n.company_id as key, n.position, n.title, n.summary from company_news n
      join news_search s on s.company_id = n.company_id and s.position = n.position where strpos(s.document::text, 'ς') > 0`, (row) =>
      sql`update news_search set document = ${newsDocumentVector({ title: row.title as string, summary: row.summary as string | null })}::tsvector
        where company_id = ${row.key} and position = ${row.position}`);
    await rewrite(db, sql`select c.id as key, c.title from contacts c
      join contact_search s on s.contact_id = c.id where strpos(s.document::text, 'ς') > 0`, (row) =>
      sql`update contact_search set document = ${contactDocumentVector({ title: row.title as string | null })}::tsvector where contact_id = ${row.key}`);
    await refreshStatisticsHoldingFinalSigma(db);
  } else {
    // Kysely's migrator opens no transaction on SQLite: the statistics are replaced in one.
    await db.transaction().execute(refreshStatisticsHoldingFinalSigma);
  }
}

export async function down(): Promise<void> {
  throw new Error('the final sigma migration cannot be reverted');
}

function company(row: Row): { name: string; domain: string | null; description: string | null } {
  return { name: row.name as string, domain: row.domain as string | null, description: (row.description ?? null) as string | null };
}

/** Writes again each document `select` finds (a handful in a Greek catalog, none in most). */
async function rewrite(db: AnyDatabase, select: RawBuilder<Row>, update: (row: Row) => RawBuilder<unknown>): Promise<void> {
  const found = await select.execute(db);
  for (const row of found.rows) await update(row).execute(db);
}

async function refreshStatisticsHoldingFinalSigma(db: AnyDatabase): Promise<void> {
  const held = await sql`select 1 from search_word_statistics where ${sql.raw(db.getExecutor().adapter instanceof PostgresAdapter ? "strpos(word, 'ς')" : "instr(word, 'ς')")} > 0 limit 1`.execute(db);
  if (held.rows.length > 0) await refreshSearchStatistics(db);
}
