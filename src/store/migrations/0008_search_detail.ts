// Less for SQLite's full-text tables to write (issue #3: the seed of a million companies).
// Frozen once landed.
//
// FTS5 keeps, by default, the position of every word in every column (detail=full), for phrase
// and NEAR queries, which Quarry never asks: its queries AND word prefixes, in some columns of
// company_search and company_names, in any column elsewhere (store/catalog_search.ts). So:
//   - company_search: detail=column (which columns hold a word, no positions), which column
//     filters need;
//   - news_search and contact_search: detail=none (only which documents hold a word);
//   - company_names is left as it is: two short columns, nearly nothing to save.
// Measured on the seed's own documents, 200,000 companies: 67 µs of full-text writing a company
// (its documents, news and contacts, the final merge included) before, 54 after. Each table
// is rebuilt from the text it keeps. PostgreSQL is untouched: its tsvectors hold what it needs.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and must not depend on today's schema types
type AnyDatabase = Kysely<any>;

const tables = [
  { name: 'company_search', columns: ['name', 'domain', 'description'], detail: 'column' },
  { name: 'news_search', columns: ['text'], detail: 'none' },
  { name: 'contact_search', columns: ['title'], detail: 'none' },
] as const;

export async function up(db: AnyDatabase): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  for (const table of tables) {
    const rebuilt = `${table.name}_rebuilt`;
    const columns = sql.raw(table.columns.join(', '));
    await sql`create virtual table ${sql.id(rebuilt)} using fts5(${columns},
      tokenize='unicode61 remove_diacritics 0', detail=${sql.raw(table.detail)})`.execute(db);
    await sql`insert into ${sql.id(rebuilt)} (rowid, ${columns}) select rowid, ${columns} from ${sql.id(table.name)}`.execute(db);
    await sql`drop table ${sql.id(table.name)}`.execute(db);
    await sql`alter table ${sql.id(rebuilt)} rename to ${sql.id(table.name)}`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('the search detail migration cannot be reverted');
}
