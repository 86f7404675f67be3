// The full-text documents of catalog records (migration 0002), written by the catalog writes in
// the same transaction as the records they describe (store/catalog_bulk_*.ts), so a search never
// sees a record without its document or a document without its record.
//
// SQLite: FTS5 rows keyed by the rowid of the row they describe (company_search, company_names
// and company_technology_search → companies, contact_search → contacts, news_search →
// company_news), holding the words of domain/search/text.ts joined by spaces. PostgreSQL:
// tsvector rows keyed by the record's id (news rows by company id and position; they go with
// their news row by a cascading foreign key).
//
// The functions here only say what a document is; they are pure, so a worker thread can build
// the documents of a batch while the writing thread writes the one before.
import { PostgresAdapter, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { companyNamesTsvector, companyTsvector, documentText, technologyDocument, textTsvector, type CompanySearchFields } from '../domain/search/text.ts';

export function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** SQLite: the company_search columns (name, domain, description), in that order. */
export function companyDocumentColumns(company: CompanySearchFields): [string, string, string] {
  return [documentText(company.name), documentText(company.domain), documentText(company.description)];
}

/**
 * SQLite: the company_technology_search column (technologies), a token per technology (migration
 * 0007); '' for a company without any, which gets no document.
 */
export function companyTechnologiesDocumentColumn(company: { technologies: readonly string[] }): string {
  return technologyDocument(company.technologies);
}

/** The text a news item is searched by: its title and summary. */
function newsText(item: { title: string; summary: string | null }): string {
  return `${item.title} ${item.summary ?? ''}`;
}

/** SQLite: the news_search column (text). */
export function newsDocumentColumn(item: { title: string; summary: string | null }): string {
  return documentText(newsText(item));
}

/** SQLite: the contact_search column (title). */
export function contactDocumentColumn(contact: { title: string | null }): string {
  return documentText(contact.title);
}

/** PostgreSQL: company_search.document, name, domain and description weighted A, B, C. */
export function companyDocumentVector(company: CompanySearchFields): string {
  return companyTsvector(company);
}

/** SQLite: the company_names columns (name, domain), in that order. */
export function companyNamesColumns(company: { name: string; domain: string | null }): [string, string] {
  return [documentText(company.name), documentText(company.domain)];
}

/** PostgreSQL: company_names.document, the name and domain words and the country (no positions). */
export function companyNamesDocumentVector(company: { name: string; domain: string | null; country: string | null }): string {
  return companyNamesTsvector(company);
}

/** PostgreSQL: news_search.document (distinct words, no positions). */
export function newsDocumentVector(item: { title: string; summary: string | null }): string {
  return textTsvector(newsText(item));
}

/** PostgreSQL: contact_search.document (distinct words, no positions). */
export function contactDocumentVector(contact: { title: string | null }): string {
  return textTsvector(contact.title);
}
