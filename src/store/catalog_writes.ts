// Catalog writes, shared by the NDJSON import and the synthetic seed. A record is upserted by id
// (`insert … on conflict (id) do update`, never a delete-and-insert: subscriptions and contacts
// refer to records by id and must keep pointing at them), and a company's child rows
// (technologies, IP ranges, signals, financials, news) are replaced as a whole. Nothing here
// deletes a company or a contact, and nothing touches an account's tables.
//
// Rows go in multi-row statements sized to the bound-parameter limit of SQLite (32,766), which
// is below PostgreSQL's (65,535), so one size suits both. The caller owns the transaction.
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { IpFamily } from '../domain/catalog/ip_ranges.ts';
import type { ContactRecord } from '../domain/catalog/records.ts';
import { assert } from '../lib/assert.ts';
import { deleteNewsDocuments, writeCompanyDocuments, writeContactDocuments, writeNewsDocuments } from './search_documents.ts';

/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32; PostgreSQL allows 65,535. */
export const statementParametersMax = 32_766;
/** Beyond this many rows a statement's SQL text costs more to build than the round trip saves. */
export const statementRowsMax = 2_000;

export interface CompanyWrite {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  employees: number | null;
  revenue_usd: number | null;
  country: string | null;
  city: string | null;
  founded: number | null;
  description: string | null;
  technologies: string[];
  ip_ranges: Array<{ cidr: string; family: IpFamily; first_address: string; last_address: string }>;
  /** Times in milliseconds since the epoch. */
  signals: Array<{ type: string; title: string; occurred_at: number }>;
  financials: Array<{ year: number; revenue_usd: number | null; employees: number | null }>;
  news: Array<{ title: string; url: string | null; source: string | null; published_at: number | null; summary: string | null }>;
}

/** A contact is written exactly as the API shows it. */
export type ContactWrite = ContactRecord;

export interface WriteCounts {
  /** Records whose id was new. */
  created: number;
  /** Records that existed and were updated in place. */
  updated: number;
}

/** Columns per row of each table, for sizing multi-row statements. */
const companyColumnCount = 13;
const contactColumnCount = 12;

/** How many rows of `columnCount` columns fit in one statement. */
export function rowsPerStatement(columnCount: number): number {
  return Math.min(statementRowsMax, Math.floor(statementParametersMax / columnCount));
}

/**
 * Upserts companies by id and replaces their child rows. The caller provides the transaction.
 * Ids must be distinct: PostgreSQL refuses to upsert one row twice in a statement.
 */
export async function writeCompanies(tx: Kysely<Database>, companies: readonly CompanyWrite[], now: number): Promise<WriteCounts> {
  assertDistinctIds(companies);
  const counts: WriteCounts = { created: 0, updated: 0 };
  for (const batch of chunk(companies, rowsPerStatement(companyColumnCount))) {
    const existing = await countExisting(tx, 'companies', batch.map((company) => company.id));
    counts.updated += existing;
    counts.created += batch.length - existing;
    await upsertCompanyRows(tx, batch, now);
    await writeCompanyDocuments(tx, batch);
    await deleteCompanyChildren(tx, batch.map((company) => company.id));
    await insertCompanyChildren(tx, batch);
  }
  return counts;
}

/** Upserts contacts by id (distinct ids). Their companies must exist (a foreign key says so). */
export async function writeContacts(tx: Kysely<Database>, contacts: readonly ContactWrite[], now: number): Promise<WriteCounts> {
  assertDistinctIds(contacts);
  const counts: WriteCounts = { created: 0, updated: 0 };
  for (const batch of chunk(contacts, rowsPerStatement(contactColumnCount))) {
    const existing = await countExisting(tx, 'contacts', batch.map((contact) => contact.id));
    counts.updated += existing;
    counts.created += batch.length - existing;
    await tx
      .insertInto('contacts')
      .values(batch.map((contact) => ({ ...pickContact(contact), updated_at: now })))
      .onConflict((conflict) =>
        conflict.column('id').doUpdateSet((update) => ({
          company_id: update.ref('excluded.company_id'),
          first_name: update.ref('excluded.first_name'),
          last_name: update.ref('excluded.last_name'),
          title: update.ref('excluded.title'),
          seniority: update.ref('excluded.seniority'),
          department: update.ref('excluded.department'),
          email: update.ref('excluded.email'),
          phone: update.ref('excluded.phone'),
          linkedin_url: update.ref('excluded.linkedin_url'),
          country: update.ref('excluded.country'),
          updated_at: update.ref('excluded.updated_at'),
        })),
      )
      .execute();
    await writeContactDocuments(tx, batch);
  }
  return counts;
}

async function countExisting(tx: Kysely<Database>, table: 'companies' | 'contacts', ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const row = await tx
    .selectFrom(table)
    .select((select) => select.fn.countAll<number | string>().as('count'))
    .where('id', 'in', ids)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function upsertCompanyRows(tx: Kysely<Database>, companies: readonly CompanyWrite[], now: number): Promise<void> {
  const rows = companies.map((company) => ({
    id: company.id,
    name: company.name,
    domain: company.domain,
    industry: company.industry,
    employees: company.employees,
    revenue_usd: company.revenue_usd,
    country: company.country,
    city: company.city,
    founded: company.founded,
    description: company.description,
    technologies: JSON.stringify(company.technologies),
    ip_ranges: JSON.stringify(company.ip_ranges.map((range) => range.cidr)),
    updated_at: now,
  }));
  await tx
    .insertInto('companies')
    .values(rows)
    .onConflict((conflict) =>
      conflict.column('id').doUpdateSet((update) => ({
        name: update.ref('excluded.name'),
        domain: update.ref('excluded.domain'),
        industry: update.ref('excluded.industry'),
        employees: update.ref('excluded.employees'),
        revenue_usd: update.ref('excluded.revenue_usd'),
        country: update.ref('excluded.country'),
        city: update.ref('excluded.city'),
        founded: update.ref('excluded.founded'),
        description: update.ref('excluded.description'),
        technologies: update.ref('excluded.technologies'),
        ip_ranges: update.ref('excluded.ip_ranges'),
        updated_at: update.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

async function deleteCompanyChildren(tx: Kysely<Database>, companyIds: string[]): Promise<void> {
  await tx.deleteFrom('company_technologies').where('company_id', 'in', companyIds).execute();
  await tx.deleteFrom('company_ip_ranges').where('company_id', 'in', companyIds).execute();
  await tx.deleteFrom('company_signals').where('company_id', 'in', companyIds).execute();
  await tx.deleteFrom('company_financials').where('company_id', 'in', companyIds).execute();
  await deleteNewsDocuments(tx, companyIds);
  await tx.deleteFrom('company_news').where('company_id', 'in', companyIds).execute();
}

async function insertCompanyChildren(tx: Kysely<Database>, companies: readonly CompanyWrite[]): Promise<void> {
  const technologies = companies.flatMap((company) =>
    company.technologies.map((technology) => ({ company_id: company.id, technology })),
  );
  const ipRanges = companies.flatMap((company) =>
    company.ip_ranges.map((range) => ({
      company_id: company.id,
      cidr: range.cidr,
      family: range.family,
      first_address: range.first_address,
      last_address: range.last_address,
    })),
  );
  const signals = companies.flatMap((company) =>
    company.signals.map((signal, position) => ({
      company_id: company.id,
      position,
      type: signal.type,
      title: signal.title,
      occurred_at: signal.occurred_at,
    })),
  );
  const financials = companies.flatMap((company) =>
    company.financials.map((financial) => ({
      company_id: company.id,
      year: financial.year,
      revenue_usd: financial.revenue_usd,
      employees: financial.employees,
    })),
  );
  const news = companies.flatMap((company) =>
    company.news.map((item, position) => ({
      company_id: company.id,
      position,
      title: item.title,
      url: item.url,
      source: item.source,
      published_at: item.published_at,
      summary: item.summary,
    })),
  );
  for (const batch of chunk(technologies, rowsPerStatement(2))) {
    await tx.insertInto('company_technologies').values(batch).execute();
  }
  for (const batch of chunk(ipRanges, rowsPerStatement(5))) await tx.insertInto('company_ip_ranges').values(batch).execute();
  for (const batch of chunk(signals, rowsPerStatement(5))) await tx.insertInto('company_signals').values(batch).execute();
  for (const batch of chunk(financials, rowsPerStatement(4))) await tx.insertInto('company_financials').values(batch).execute();
  for (const batch of chunk(news, rowsPerStatement(7))) await tx.insertInto('company_news').values(batch).execute();
  await writeNewsDocuments(tx, news);
}

function pickContact(contact: ContactWrite): ContactWrite {
  return {
    id: contact.id,
    company_id: contact.company_id,
    first_name: contact.first_name,
    last_name: contact.last_name,
    title: contact.title,
    seniority: contact.seniority,
    department: contact.department,
    email: contact.email,
    phone: contact.phone,
    linkedin_url: contact.linkedin_url,
    country: contact.country,
  };
}

function assertDistinctIds(records: ReadonlyArray<{ id: string }>): void {
  assert(new Set(records.map((record) => record.id)).size === records.length, 'records written together must have distinct ids');
}

function* chunk<Item>(items: readonly Item[], size: number): Generator<Item[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
