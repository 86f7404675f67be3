// The catalog's bulk writes on PostgreSQL (see catalog_writes.ts for the rules they keep): one
// `insert … select … from unnest($1::text[], …)` per table and batch, so a batch of a thousand
// companies is about a dozen statements whatever its size. Each column goes as one array
// literal built when the batch is encoded (possibly on a worker thread), so the writing thread
// only passes strings along.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.ts';
import type { CatalogBatch, CatalogWriter, WriteCounts } from './catalog_writes.ts';
import { companyDocumentVector, contactDocumentVector, newsDocumentVector } from './search_documents.ts';
import { assert } from '../lib/assert.ts';

type PostgresValue = string | number | null;

/** A batch as one PostgreSQL array literal per column (text; the statements cast them). */
export interface PostgresCatalogRows {
  engine: 'postgres';
  companyCount: number;
  contactCount: number;
  /** id, name, domain, industry, employees, revenue_usd, country, city, founded, description, technologies, ip_ranges. */
  companies: string[];
  /** company_search.document, one per company. */
  companyDocuments: string;
  technologies: string[];
  ipRanges: string[];
  signals: string[];
  financials: string[];
  /** company_id, position, title, url, source, published_at, summary. */
  news: string[];
  /** news_search.document, one per news row. */
  newsDocuments: string;
  /** id, company_id, first_name, last_name, title, seniority, department, email, phone, linkedin_url, country. */
  contacts: string[];
  /** contact_search.document, one per contact. */
  contactDocuments: string;
}

export function encodePostgresRows(batch: CatalogBatch): PostgresCatalogRows {
  const companies = new ColumnLists(12);
  const companyDocuments: PostgresValue[] = [];
  const technologies = new ColumnLists(2);
  const ipRanges = new ColumnLists(5);
  const signals = new ColumnLists(5);
  const financials = new ColumnLists(4);
  const news = new ColumnLists(7);
  const newsDocuments: PostgresValue[] = [];
  for (const company of batch.companies) {
    const id = company.id;
    companies.add(
      id, company.name, company.domain, company.industry, company.employees, company.revenue_usd, company.country,
      company.city, company.founded, company.description, JSON.stringify(company.technologies),
      JSON.stringify(company.ip_ranges.map((range) => range.cidr)),
    );
    companyDocuments.push(companyDocumentVector(company));
    for (const technology of company.technologies) technologies.add(id, technology);
    for (const range of company.ip_ranges) ipRanges.add(id, range.cidr, range.family, range.first_address, range.last_address);
    company.signals.forEach((signal, position) => signals.add(id, position, signal.type, signal.title, signal.occurred_at));
    for (const year of company.financials) financials.add(id, year.year, year.revenue_usd, year.employees);
    company.news.forEach((item, position) => {
      news.add(id, position, item.title, item.url, item.source, item.published_at, item.summary);
      newsDocuments.push(newsDocumentVector(item));
    });
  }
  const contacts = new ColumnLists(11);
  const contactDocuments: PostgresValue[] = [];
  for (const contact of batch.contacts) {
    contacts.add(
      contact.id, contact.company_id, contact.first_name, contact.last_name, contact.title, contact.seniority,
      contact.department, contact.email, contact.phone, contact.linkedin_url, contact.country,
    );
    contactDocuments.push(contactDocumentVector(contact));
  }
  return {
    engine: 'postgres',
    companyCount: batch.companies.length,
    contactCount: batch.contacts.length,
    companies: companies.literals(),
    companyDocuments: arrayLiteral(companyDocuments),
    technologies: technologies.literals(),
    ipRanges: ipRanges.literals(),
    signals: signals.literals(),
    financials: financials.literals(),
    news: news.literals(),
    newsDocuments: arrayLiteral(newsDocuments),
    contacts: contacts.literals(),
    contactDocuments: arrayLiteral(contactDocuments),
  };
}

/** Rows added value by value, kept column by column. */
class ColumnLists {
  readonly #columns: PostgresValue[][];

  constructor(width: number) {
    this.#columns = Array.from({ length: width }, () => []);
  }

  add(...values: PostgresValue[]): void {
    assert(values.length === this.#columns.length, 'a row with the wrong number of values');
    for (let index = 0; index < values.length; index += 1) this.#columns[index]!.push(values[index]!);
  }

  literals(): string[] {
    return this.#columns.map(arrayLiteral);
  }
}

const escaped = /["\\]/g;

/** A one-dimensional array literal: `{"a","b\"c",NULL,42}`. It runs for every value of a batch. */
function arrayLiteral(values: readonly PostgresValue[]): string {
  const items = new Array<string>(values.length);
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index]!;
    if (value === null) items[index] = 'NULL';
    else if (typeof value === 'number') items[index] = String(value);
    else if (value.includes('"') || value.includes('\\')) items[index] = `"${value.replace(escaped, '\\$&')}"`;
    else items[index] = `"${value}"`;
  }
  // join() builds one flat string: concatenation would build a rope that posting flattens again.
  return `{${items.join(',')}}`;
}

export function openPostgresCatalogWriter(): CatalogWriter {
  return {
    write: async (tx, rows, now) => {
      assert(rows.engine === 'postgres', 'rows encoded for another engine');
      return { companies: await writeCompanies(tx, rows, now), contacts: await writeContacts(tx, rows, now) };
    },
    close: async () => undefined,
  };
}

/** `unnest($1::text[], $2::bigint[], …)` over the given literals and element types. */
function unnest(literals: readonly string[], types: readonly string[]): RawBuilder<unknown> {
  assert(literals.length === types.length, 'one type per column');
  return sql`unnest(${sql.join(literals.map((literal, index) => sql`${literal}::${sql.raw(types[index]!)}[]`))})`;
}

const companyColumns = ['id', 'name', 'domain', 'industry', 'employees', 'revenue_usd', 'country', 'city', 'founded', 'description', 'technologies', 'ip_ranges'];
const companyTypes = ['text', 'text', 'text', 'text', 'int', 'bigint', 'text', 'text', 'int', 'text', 'text', 'text'];
const contactColumns = ['id', 'company_id', 'first_name', 'last_name', 'title', 'seniority', 'department', 'email', 'phone', 'linkedin_url', 'country'];

async function writeCompanies(tx: Kysely<Database>, rows: PostgresCatalogRows, now: number): Promise<WriteCounts> {
  if (rows.companyCount === 0) return { created: 0, updated: 0 };
  const ids = rows.companies[0]!;
  const existing = await existingIds(tx, 'companies', ids);
  if (existing > 0) {
    // A new company has no children or document: only those of existing ones are cleared.
    // Their news documents go with their news rows (a cascading foreign key).
    for (const table of ['company_technologies', 'company_ip_ranges', 'company_signals', 'company_financials', 'company_news', 'company_search']) {
      await sql`delete from ${sql.table(table)} where company_id = any(${ids}::text[])`.execute(tx);
    }
  }
  await upsert(tx, { table: 'companies', columns: companyColumns, source: unnest(rows.companies, companyTypes), now, update: existing > 0 });
  await sql`insert into company_search (company_id, document)
    select * from ${unnest([ids, rows.companyDocuments], ['text', 'tsvector'])}`.execute(tx);
  await sql`insert into company_technologies (company_id, technology) select * from ${unnest(rows.technologies, ['text', 'text'])}`.execute(tx);
  await sql`insert into company_ip_ranges (company_id, cidr, family, first_address, last_address)
    select * from ${unnest(rows.ipRanges, ['text', 'text', 'int', 'text', 'text'])}`.execute(tx);
  await sql`insert into company_signals (company_id, position, type, title, occurred_at)
    select * from ${unnest(rows.signals, ['text', 'int', 'text', 'text', 'bigint'])}`.execute(tx);
  await sql`insert into company_financials (company_id, year, revenue_usd, employees)
    select * from ${unnest(rows.financials, ['text', 'int', 'bigint', 'int'])}`.execute(tx);
  await sql`insert into company_news (company_id, position, title, url, source, published_at, summary)
    select * from ${unnest(rows.news, ['text', 'int', 'text', 'text', 'text', 'bigint', 'text'])}`.execute(tx);
  await sql`insert into news_search (company_id, position, document)
    select * from ${unnest([rows.news[0]!, rows.news[1]!, rows.newsDocuments], ['text', 'int', 'tsvector'])}`.execute(tx);
  return { created: rows.companyCount - existing, updated: existing };
}

async function writeContacts(tx: Kysely<Database>, rows: PostgresCatalogRows, now: number): Promise<WriteCounts> {
  if (rows.contactCount === 0) return { created: 0, updated: 0 };
  const ids = rows.contacts[0]!;
  const existing = await existingIds(tx, 'contacts', ids);
  if (existing > 0) await sql`delete from contact_search where contact_id = any(${ids}::text[])`.execute(tx);
  await upsert(tx, { table: 'contacts', columns: contactColumns, source: unnest(rows.contacts, contactColumns.map(() => 'text')), now, update: existing > 0 });
  await sql`insert into contact_search (contact_id, document)
    select * from ${unnest([ids, rows.contactDocuments], ['text', 'tsvector'])}`.execute(tx);
  return { created: rows.contactCount - existing, updated: existing };
}

async function existingIds(tx: Kysely<Database>, table: 'companies' | 'contacts', ids: string): Promise<number> {
  const result = await sql<{ count: number | string }>`select count(*) as count from ${sql.table(table)}
    where id = any(${ids}::text[])`.execute(tx);
  return Number(result.rows[0]?.count ?? 0);
}

/** Inserts the rows of `source`; with `update`, a row whose id exists updates it in place. */
async function upsert(
  tx: Kysely<Database>,
  target: { table: 'companies' | 'contacts'; columns: string[]; source: RawBuilder<unknown>; now: number; update: boolean },
): Promise<void> {
  const columnList = sql.join([...target.columns, 'updated_at'].map((column) => sql.id(column)));
  const conflict = target.update
    ? sql`on conflict (id) do update set ${sql.join([...target.columns.slice(1), 'updated_at'].map((column) => sql`${sql.id(column)} = excluded.${sql.id(column)}`))}`
    : sql``;
  await sql`insert into ${sql.table(target.table)} (${columnList})
    select *, ${target.now}::bigint from ${target.source} ${conflict}`.execute(tx);
}
