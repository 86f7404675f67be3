// Proves that SQLite's full-text tables take every word of domain/search/text.ts as one token:
// a quoted query word that the tokenizer cut in two would be a phrase, which the tables without
// word positions (migration 0008: detail=column or none) refuse with an error. Every letter and
// digit of Unicode is tried, each inside a word, against the tables' own definitions as the
// migrations left them, and each word must also find the document that holds it, and be stored
// as itself (a letter the tokenizer folds would make SQLite answer otherwise than PostgreSQL).
import { afterAll, beforeAll, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { describeEachDatabase, openTestStore, type TestStore } from '../harness/databases.ts';
import { searchWords } from '../../src/domain/search/text.ts';

/** Words also written as documents, one in this many (all of them are asked for). */
const sampleEvery = 20;

/** One word for each letter or digit of Unicode (outside ASCII): `a<char>b`, as searchWords cuts it. */
function everyLetterWord(): string[] {
  const words = new Set<string>();
  for (let code = 0x80; code <= 0x10ffff; code += 1) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCodePoint(code);
    if (!/^[\p{L}\p{N}]$/u.test(char)) continue;
    const cut = searchWords(`a${char}b`);
    if (cut.length === 1) words.add(cut[0]!);
  }
  return [...words];
}

describeEachDatabase('full-text tokens', (kind) => {
  let store: TestStore;

  beforeAll(async () => {
    if (kind === 'sqlite') store = await openTestStore(kind);
  });

  afterAll(async () => {
    if (kind === 'sqlite') await store.dropDatabase();
  });

  it.runIf(kind === 'sqlite')('every word is one token of every full-text table without word positions', async () => {
    const definitions = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
      where type = 'table' and sql like '%using fts5%' and (sql like '%detail=none%' or sql like '%detail=column%') order by name`.execute(store.db);
    expect(definitions.rows.map((row) => row.name)).toEqual(['company_search', 'company_technology_search', 'contact_search', 'news_search']);
    const words = everyLetterWord();
    expect(words.length).toBeGreaterThan(100_000);
    for (const { name, sql: definition } of definitions.rows) {
      // Technology documents hold tokens made of [a-z0-9] only (technologyToken), not words.
      if (name === 'company_technology_search') continue;
      const db = new BetterSqlite3(':memory:');
      try {
        db.exec(definition.replace(/^create virtual table\s+("[^"]+"|\S+)/i, 'create virtual table t'));
        const column = /fts5\(\s*(\w+)/i.exec(definition)![1]!;
        const insert = db.prepare(`insert into t (rowid, ${column}) values (?, ?)`);
        // Every word is asked for; one in `sampleEvery` is also written as a document to find.
        const written = (index: number): boolean => index % sampleEvery === 0;
        db.transaction(() => words.forEach((word, index) => written(index) && insert.run(index + 1, word)))();
        const match = db.prepare('select rowid from t where t match ?').pluck();
        const failures: string[] = [];
        words.forEach((word, index) => {
          try {
            const found = match.all(`"${word}"*`) as number[];
            if (written(index) && !found.includes(index + 1)) failures.push(`${name}: ${word} misses its document`);
          } catch (error) {
            failures.push(`${name}: ${word} (${[...word].map((char) => char.codePointAt(0)!.toString(16)).join(' ')}): ${(error as Error).message}`);
          }
        });
        expect(failures.slice(0, 5)).toEqual([]);
      } finally {
        db.close();
      }
    }
  }, 120_000);

  it.runIf(kind === 'sqlite')('every word is stored as itself: SQLite folds no letter that PostgreSQL would keep', async () => {
    // PostgreSQL stores the words of searchWords as they are; unicode61 folds case by its own
    // tables. Were it to fold a letter searchWords keeps (the Greek final sigma ς did, to σ),
    // SQLite would match words PostgreSQL does not.
    const definitions = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
      where type = 'table' and sql like '%using fts5%' and sql like '%unicode61%' order by name`.execute(store.db);
    expect(definitions.rows.map((row) => row.name)).toEqual(['company_names', 'company_search', 'contact_search', 'news_search']);
    const words = everyLetterWord();
    for (const { name, sql: definition } of definitions.rows) {
      const db = new BetterSqlite3(':memory:');
      try {
        db.exec(definition.replace(/^create virtual table\s+("[^"]+"|\S+)/i, 'create virtual table t'));
        db.exec(`create virtual table v using fts5vocab(t, 'instance')`);
        const column = /fts5\(\s*(\w+)/i.exec(definition)![1]!;
        const insert = db.prepare(`insert into t (rowid, ${column}) values (?, ?)`);
        db.transaction(() => words.forEach((word, index) => insert.run(index + 1, word)))();
        const terms = new Map<number, string[]>();
        for (const row of db.prepare('select term, doc from v').iterate() as Iterable<{ term: string; doc: number }>) {
          terms.set(row.doc, [...(terms.get(row.doc) ?? []), row.term]);
        }
        // A word cut in two is the first test's matter (company_names, which keeps positions,
        // answers it as a phrase); here each word kept whole must be stored as it is.
        const folded = [...terms]
          .filter(([doc, stored]) => stored.length === 1 && stored[0] !== words[doc - 1])
          .map(([doc, stored]) => `${name}: ${words[doc - 1]!} (${[...words[doc - 1]!].map((char) => char.codePointAt(0)!.toString(16)).join(' ')}) is stored as ${stored[0]}`);
        expect(terms.size).toBe(words.length);
        expect(folded.slice(0, 5)).toEqual([]);
      } finally {
        db.close();
      }
    }
  }, 120_000);
});
