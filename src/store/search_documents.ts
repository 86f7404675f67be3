// The full-text documents of catalog records (migration 0002), kept in step with the records by
// the catalog writes in the same transaction. SQLite: FTS5 rows keyed by the described row's
// rowid. PostgreSQL: tsvector rows keyed by the record's id (news rows go with their parent row
// by a cascading foreign key).
import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.ts';
import { companyTsvector, documentText, plainTsvector, type CompanySearchFields } from '../domain/search/text.ts';
import { rowsPerStatement, statementParametersMax } from './catalog_writes.ts';

export function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export interface NewsDocument {
  company_id: string;
  position: number;
  title: string;
  summary: string | null;
}

/** Writes (or replaces) the search documents of companies already upserted in this transaction. */
export async function writeCompanyDocuments(tx: Kysely<Database>, companies: ReadonlyArray<CompanySearchFields & { id: string }>): Promise<void> {
  if (companies.length === 0) return;
  if (isPostgres(tx)) {
    for (const batch of chunk(companies, rowsPerStatement(2))) {
      const values = batch.map((company) => sql`(${company.id}, ${companyTsvector(company)}::tsvector)`);
      await sql`insert into company_search (company_id, document) values ${sql.join(values)}
        on conflict (company_id) do update set document = excluded.document`.execute(tx);
    }
    return;
  }
  const rowids = await sqliteRowids(tx, 'companies', companies.map((company) => company.id));
  await replaceSqliteDocuments(tx, 'company_search', ['name', 'domain', 'description'], companies.map((company) => ({
    rowid: rowidOf(rowids, company.id),
    columns: [documentText(company.name), documentText(company.domain), documentText(company.description)],
  })));
}

/** Writes the search documents of contacts already upserted in this transaction. */
export async function writeContactDocuments(tx: Kysely<Database>, contacts: ReadonlyArray<{ id: string; title: string | null }>): Promise<void> {
  if (contacts.length === 0) return;
  if (isPostgres(tx)) {
    for (const batch of chunk(contacts, rowsPerStatement(2))) {
      const values = batch.map((contact) => sql`(${contact.id}, ${plainTsvector(contact.title)}::tsvector)`);
      await sql`insert into contact_search (contact_id, document) values ${sql.join(values)}
        on conflict (contact_id) do update set document = excluded.document`.execute(tx);
    }
    return;
  }
  const rowids = await sqliteRowids(tx, 'contacts', contacts.map((contact) => contact.id));
  await replaceSqliteDocuments(tx, 'contact_search', ['title'], contacts.map((contact) => ({
    rowid: rowidOf(rowids, contact.id),
    columns: [documentText(contact.title)],
  })));
}

/** Removes the news documents of these companies (before their news rows are replaced). */
export async function deleteNewsDocuments(tx: Kysely<Database>, companyIds: readonly string[]): Promise<void> {
  // On PostgreSQL the documents cascade with their news rows.
  if (isPostgres(tx) || companyIds.length === 0) return;
  for (const batch of chunk(companyIds, statementParametersMax)) {
    await sql`delete from news_search where rowid in
      (select rowid from company_news where company_id in (${sql.join(batch)}))`.execute(tx);
  }
}

/** Writes the documents of news rows inserted in this transaction. */
export async function writeNewsDocuments(tx: Kysely<Database>, news: readonly NewsDocument[]): Promise<void> {
  if (news.length === 0) return;
  const text = (item: NewsDocument): string => `${item.title} ${item.summary ?? ''}`;
  if (isPostgres(tx)) {
    for (const batch of chunk(news, rowsPerStatement(3))) {
      const values = batch.map((item) => sql`(${item.company_id}, ${item.position}, ${plainTsvector(text(item))}::tsvector)`);
      await sql`insert into news_search (company_id, position, document) values ${sql.join(values)}`.execute(tx);
    }
    return;
  }
  const companyIds = [...new Set(news.map((item) => item.company_id))];
  const rowids = new Map<string, number>();
  for (const batch of chunk(companyIds, statementParametersMax)) {
    const rows = await sql<{ key: number; company_id: string; position: number }>`select rowid as key, company_id, position
      from company_news where company_id in (${sql.join(batch)})`.execute(tx);
    for (const row of rows.rows) rowids.set(`${row.company_id}\u0000${row.position}`, row.key);
  }
  await insertSqliteDocuments(tx, 'news_search', ['text'], news.map((item) => ({
    rowid: rowidOf(rowids, `${item.company_id}\u0000${item.position}`),
    columns: [documentText(text(item))],
  })));
}

async function sqliteRowids(tx: Kysely<Database>, table: 'companies' | 'contacts', ids: readonly string[]): Promise<Map<string, number>> {
  const rowids = new Map<string, number>();
  for (const batch of chunk(ids, statementParametersMax)) {
    const rows = await sql<{ key: number; id: string }>`select rowid as key, id from ${sql.table(table)}
      where id in (${sql.join(batch)})`.execute(tx);
    for (const row of rows.rows) rowids.set(row.id, row.key);
  }
  return rowids;
}

function rowidOf(rowids: ReadonlyMap<string, number>, key: string): number {
  const rowid = rowids.get(key);
  if (rowid === undefined) throw new Error(`search document for ${key}: its row was not written`);
  return rowid;
}

interface SqliteDocument {
  rowid: number;
  columns: string[];
}

async function replaceSqliteDocuments(tx: Kysely<Database>, table: string, columns: string[], documents: SqliteDocument[]): Promise<void> {
  for (const batch of chunk(documents, statementParametersMax)) {
    await sql`delete from ${sql.table(table)} where rowid in (${sql.join(batch.map((document) => document.rowid))})`.execute(tx);
  }
  await insertSqliteDocuments(tx, table, columns, documents);
}

async function insertSqliteDocuments(tx: Kysely<Database>, table: string, columns: string[], documents: SqliteDocument[]): Promise<void> {
  const columnList = sql.join(['rowid', ...columns].map((column) => sql.id(column)));
  for (const batch of chunk(documents, rowsPerStatement(columns.length + 1))) {
    const values: RawBuilder<unknown>[] = batch.map((document) => sql`(${sql.join([document.rowid, ...document.columns])})`);
    await sql`insert into ${sql.table(table)} (${columnList}) values ${sql.join(values)}`.execute(tx);
  }
}

function* chunk<Item>(items: readonly Item[], size: number): Generator<Item[]> {
  const step = Math.max(1, Math.floor(size));
  for (let start = 0; start < items.length; start += step) yield items.slice(start, start + step);
}
