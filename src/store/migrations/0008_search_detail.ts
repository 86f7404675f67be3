// Less for SQLite's full-text tables to write (issue #3: the seed of a million companies).
// Frozen once landed.
//
// FTS5 keeps, by default, the position of every word in every column (detail=full), for phrase
// and NEAR queries. Quarry's queries AND quoted word prefixes, in some columns of company_search
// and company_names, in any column elsewhere (store/catalog_search.ts), so:
//   - company_search: detail=column (which columns hold a word, no positions), which column
//     filters need;
//   - news_search and contact_search: detail=none (only which documents hold a word);
//   - company_names is left as it is: two short columns, nearly nothing to save.
// Measured on the seed's own documents, 200,000 companies: 67 µs of full-text writing a company
// (its documents, news and contacts, the final merge included) before, 54 after.
//
// A quoted word that the tokenizer cuts in two is a phrase, which detail=column and none refuse
// (an error, not an empty result). The words are cut by domain/search/text.ts (letters and
// digits), and FTS5's unicode61 agrees with it on every character but 21, letters to Unicode and
// separators to unicode61 (U+19B0–19C0, U+19C8–19C9, U+1CF2–1CF3: checked over every code point
// with the bundled SQLite, test/search/fts_tokens.test.ts): the rebuilt tables take them as token
// characters (`tokenchars`), so that every word is one token in documents and queries alike.
//
// Each table is rebuilt from the text it keeps, in one transaction (SQLite's DDL is
// transactional; Kysely's migrator opens none on SQLite), so a crash leaves either the old
// tables or the new ones. PostgreSQL is untouched: its tsvectors hold what it needs.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and must not depend on today's schema types
type AnyDatabase = Kysely<any>;

const tables = [
  { name: 'company_search', columns: ['name', 'domain', 'description'], detail: 'column' },
  { name: 'news_search', columns: ['text'], detail: 'none' },
  { name: 'contact_search', columns: ['title'], detail: 'none' },
] as const;

/** The 21 letters and digits (to Unicode) that unicode61 would take for separators. */
const tokenChars = '\u19b0\u19b1\u19b2\u19b3\u19b4\u19b5\u19b6\u19b7\u19b8\u19b9\u19ba\u19bb\u19bc\u19bd\u19be\u19bf\u19c0\u19c8\u19c9\u1cf2\u1cf3';

export async function up(db: AnyDatabase): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  await db.transaction().execute(async (tx) => {
    for (const table of tables) {
      const rebuilt = `${table.name}_rebuilt`;
      const columns = sql.raw(table.columns.join(', '));
      const tokenize = sql.raw(`tokenize="unicode61 remove_diacritics 0 tokenchars '${tokenChars}'"`);
      await sql`create virtual table ${sql.id(rebuilt)} using fts5(${columns}, ${tokenize}, detail=${sql.raw(table.detail)})`.execute(tx);
      await sql`insert into ${sql.id(rebuilt)} (rowid, ${columns}) select rowid, ${columns} from ${sql.id(table.name)}`.execute(tx);
      await sql`drop table ${sql.id(table.name)}`.execute(tx);
      await sql`alter table ${sql.id(rebuilt)} rename to ${sql.id(table.name)}`.execute(tx);
    }
  });
}

export async function down(): Promise<void> {
  throw new Error('the search detail migration cannot be reverted');
}
