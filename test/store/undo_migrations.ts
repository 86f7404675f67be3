// Takes a test database back to the schema before a migration, with its catalog still there, so
// that a test can run the migration again over existing rows (Kysely runs migrations only after
// the last one run: later ones are undone first).
import { sql } from 'kysely';
import type { Store } from '../../src/store/database.ts';

/**
 * Undoes migration 0008: SQLite's company_search, news_search and contact_search are rebuilt
 * with every word's positions (detail=full), as migration 0002 made them, from their own text.
 * PostgreSQL's schema is as 0008 found it.
 */
export async function undoSearchDetail(store: Store): Promise<void> {
  if (store.dialect === 'sqlite') {
    for (const [table, columns] of [['company_search', 'name, domain, description'], ['news_search', 'text'], ['contact_search', 'title']] as const) {
      const full = `${table}_full`;
      await sql`create virtual table ${sql.id(full)} using fts5(${sql.raw(columns)}, tokenize='unicode61 remove_diacritics 0')`.execute(store.db);
      await sql`insert into ${sql.id(full)} (rowid, ${sql.raw(columns)}) select rowid, ${sql.raw(columns)} from ${sql.id(table)}`.execute(store.db);
      await sql`drop table ${sql.id(table)}`.execute(store.db);
      await sql`alter table ${sql.id(full)} rename to ${sql.id(table)}`.execute(store.db);
    }
  }
  await sql`delete from kysely_migration where name = '0008_search_detail'`.execute(store.db);
}

/**
 * Undoes migration 0007: on SQLite, company_technology_search goes and company_technologies comes
 * back as migration 0001 made it, holding the rows the catalog writers wrote before 0007 (each
 * company's technologies, from its own list). PostgreSQL's schema is as 0007 found it.
 */
export async function undoTechnologySearch(store: Store): Promise<void> {
  if (store.dialect === 'sqlite') {
    await sql`drop table company_technology_search`.execute(store.db);
    await sql`create table company_technologies (
      company_id text not null references companies (id) on delete cascade,
      technology text not null,
      constraint company_technologies_pk primary key (company_id, technology))`.execute(store.db);
    await sql`create index company_technologies_by_technology on company_technologies (technology, company_id)`.execute(store.db);
    await sql`insert into company_technologies (company_id, technology)
      select c.id, t.value from companies c, json_each(c.technologies) t`.execute(store.db);
  }
  await sql`delete from kysely_migration where name = '0007_technology_search'`.execute(store.db);
}

/**
 * Undoes migration 0009: PostgreSQL's documents get back the final sigma (ς) that search words
 * kept at a word's end before it (where a document's word ends in σ, which the tests' Greek words
 * only do where they end in ς or Σ). SQLite's documents are as 0009 found them (its tokenizer
 * folds ς itself). Without Greek text in the catalog, it only makes 0009 run again.
 */
export async function undoFinalSigma(store: Store): Promise<void> {
  if (store.dialect === 'postgres') {
    for (const table of ['company_search', 'company_names', 'news_search', 'contact_search']) {
      await sql`update ${sql.id(table)} set document = regexp_replace(document::text, ${"σ'"}, ${"ς'"}, 'g')::tsvector
        where strpos(document::text, ${"σ'"}) > 0`.execute(store.db);
    }
  }
  await sql`delete from kysely_migration where name = '0009_final_sigma'`.execute(store.db);
}
