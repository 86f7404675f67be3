// Catalog reads: records as the API returns them (domain/catalog/records.ts). Each read is one
// primary-key or leading-key lookup, since getCompany sits on the hot path of every record read.
import type { Kysely, Selectable } from 'kysely';
import type { CompaniesTable, ContactsTable, Database, RecordType } from './schema.ts';
import type {
  CompanyFinancial,
  CompanyNewsItem,
  CompanyRecord,
  CompanySignal,
  ContactRecord,
} from '../domain/catalog/records.ts';
import { statementParametersMax } from './catalog_writes.ts';
import { toIso } from '../lib/clock.ts';
import { chunks } from '../lib/chunks.ts';

export async function getCompany(db: Kysely<Database>, id: string): Promise<CompanyRecord | null> {
  const row = await db.selectFrom('companies').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? companyRecord(row) : null;
}

/** The company's signals, newest first. Empty when the company has none (or does not exist). */
export async function getCompanySignals(db: Kysely<Database>, companyId: string): Promise<CompanySignal[]> {
  const rows = await db
    .selectFrom('company_signals')
    .select(['type', 'title', 'occurred_at'])
    .where('company_id', '=', companyId)
    .orderBy('occurred_at', 'desc')
    .orderBy('position', 'asc')
    .execute();
  return rows.map((row) => ({ type: row.type, title: row.title, occurred_at: toIso(row.occurred_at) }));
}

/** The company's financials, latest year first. */
export async function getCompanyFinancials(db: Kysely<Database>, companyId: string): Promise<CompanyFinancial[]> {
  return db
    .selectFrom('company_financials')
    .select(['year', 'revenue_usd', 'employees'])
    .where('company_id', '=', companyId)
    .orderBy('year', 'desc')
    .execute();
}

/** The company's news, newest first; items without a date come last, in their imported order. */
export async function getCompanyNews(db: Kysely<Database>, companyId: string): Promise<CompanyNewsItem[]> {
  const rows = await db
    .selectFrom('company_news')
    .select(['position', 'title', 'url', 'source', 'published_at', 'summary'])
    .where('company_id', '=', companyId)
    .execute();
  // Sorted here rather than in SQL: SQLite and PostgreSQL place nulls differently, and a
  // company has at most a hundred items.
  rows.sort((a, b) => (b.published_at ?? -Infinity) - (a.published_at ?? -Infinity) || a.position - b.position);
  return rows.map((row) => ({
    title: row.title,
    url: row.url,
    source: row.source,
    published_at: row.published_at === null ? null : toIso(row.published_at),
    summary: row.summary,
  }));
}

export async function getContact(db: Kysely<Database>, id: string): Promise<ContactRecord | null> {
  const row = await db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? contactRecord(row) : null;
}

export async function countCompanies(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('companies')
    .select((select) => select.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function countContacts(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('contacts')
    .select((select) => select.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Which of `ids` are companies in the catalog. */
export async function existingCompanyIds(db: Kysely<Database>, ids: readonly string[]): Promise<Set<string>> {
  const existing = new Set<string>();
  for (const batch of chunks(ids, statementParametersMax)) {
    const rows = await db.selectFrom('companies').select('id').where('id', 'in', batch).execute();
    for (const row of rows) existing.add(row.id);
  }
  return existing;
}

export function companyRecord(row: Selectable<CompaniesTable>): CompanyRecord {
  return {
    id: row.id,
    name: row.name,
    domain: row.domain,
    industry: row.industry,
    employees: row.employees,
    revenue_usd: row.revenue_usd,
    country: row.country,
    city: row.city,
    founded: row.founded,
    description: row.description,
    technologies: JSON.parse(row.technologies) as string[],
    ip_ranges: JSON.parse(row.ip_ranges) as string[],
  };
}

export function contactRecord(row: Selectable<ContactsTable>): ContactRecord {
  return {
    id: row.id,
    company_id: row.company_id,
    first_name: row.first_name,
    last_name: row.last_name,
    title: row.title,
    seniority: row.seniority,
    department: row.department,
    email: row.email,
    phone: row.phone,
    linkedin_url: row.linkedin_url,
    country: row.country,
  };
}

/** The companies among `ids` (any order; missing ids are simply absent). */
export async function companiesByIds(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, CompanyRecord>> {
  const records = new Map<string, CompanyRecord>();
  for (const batch of chunks(ids, statementParametersMax)) {
    const rows = await db.selectFrom('companies').selectAll().where('id', 'in', batch).execute();
    for (const row of rows) records.set(row.id, companyRecord(row));
  }
  return records;
}

/** The contacts among `ids` (any order; missing ids are simply absent). */
export async function contactsByIds(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, ContactRecord>> {
  const records = new Map<string, ContactRecord>();
  for (const batch of chunks(ids, statementParametersMax)) {
    const rows = await db.selectFrom('contacts').selectAll().where('id', 'in', batch).execute();
    for (const row of rows) records.set(row.id, contactRecord(row));
  }
  return records;
}

/** The records of one type among `ids`, by id (batch reads and quotes). */
export function recordsByIds(
  db: Kysely<Database>,
  recordType: RecordType,
  ids: readonly string[],
): Promise<Map<string, CompanyRecord | ContactRecord>> {
  return recordType === 'company' ? companiesByIds(db, ids) : contactsByIds(db, ids);
}
