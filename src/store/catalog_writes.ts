// Catalog writes, shared by the NDJSON import and the synthetic seed. A record is upserted by id
// (never a delete-and-insert: subscriptions and contacts refer to records by id and must keep
// pointing at them), and a company's child rows (technologies, IP ranges, signals, financials,
// news) are replaced as a whole. The search documents of the records (search_documents.ts) are
// written in the same transaction. Nothing here deletes a company or a contact, and nothing
// touches an account's tables.
//
// Writing goes in two steps, so that the costly half can run on another thread:
//   1. encodeCatalogBatch (pure): companies and contacts become the rows of every table, with
//      their search documents, laid out for the engine's fastest bulk statement. A worker thread
//      can do this (the seed's generator does) and post the result, which is plain data.
//   2. openCatalogWriter(store).write(tx, rows, now): inside the caller's write transaction,
//      finds which records exist, clears the children and documents of those (a new record has
//      none), and inserts everything with a few large statements (SQLite: prepared multi-row
//      statements on the raw connection; PostgreSQL: one COPY per table).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Store } from './database.ts';
import type { IpFamily } from '../domain/catalog/ip_ranges.ts';
import type { ContactRecord } from '../domain/catalog/records.ts';
import { assert } from '../lib/assert.ts';
import { encodeSqliteRows, openSqliteCatalogWriter, type SqliteCatalogRows } from './catalog_bulk_sqlite.ts';
import { encodePostgresRows, openPostgresCatalogWriter, type PostgresCatalogRows } from './catalog_bulk_postgres.ts';

/** SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32; PostgreSQL allows 65,535. */
export const statementParametersMax = 32_766;

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

export interface BatchCounts {
  companies: WriteCounts;
  contacts: WriteCounts;
}

export type CatalogEngine = Store['dialect'];

/** One batch of records, encoded for one engine: plain data that can cross threads. */
export type CatalogRows = SqliteCatalogRows | PostgresCatalogRows;

export interface CatalogBatch {
  /** Distinct ids. Written first, so the contacts of the batch may belong to them. */
  companies: readonly CompanyWrite[];
  /** Distinct ids; their companies must exist or be in `companies` (a foreign key says so). */
  contacts: readonly ContactWrite[];
}

/**
 * The rows and documents of a batch, for `engine`, to be written with the update time `now`
 * (PostgreSQL's rows carry it). Pure: runs on any thread.
 */
export function encodeCatalogBatch(engine: CatalogEngine, batch: CatalogBatch, now: number): CatalogRows {
  assertDistinctIds(batch.companies);
  assertDistinctIds(batch.contacts);
  return engine === 'sqlite' ? encodeSqliteRows(batch) : encodePostgresRows(batch, now);
}

export interface CatalogWriteOptions {
  /**
   * Every record of the batch is new (a seed into a catalog that was empty): SQLite does not look
   * each id up first. A record that exists after all fails the whole batch on its primary key;
   * it is never overwritten or duplicated.
   */
  allNew?: boolean;
}

export interface CatalogWriter {
  /**
   * Writes one encoded batch inside `tx`, a write transaction of the store the writer was opened
   * on (the caller owns it), and counts what was created and what updated.
   */
  write(tx: Kysely<Database>, rows: CatalogRows, now: number, options?: CatalogWriteOptions): Promise<BatchCounts>;
  /** Undoes the writer's connection settings and stops its helpers. */
  close(): Promise<void>;
}

/** A writer for the store's engine. Keep it for a whole import or seed: it prepares statements once. */
export function openCatalogWriter(store: Store): CatalogWriter {
  return store.dialect === 'sqlite' ? openSqliteCatalogWriter(store.db) : openPostgresCatalogWriter();
}

function assertDistinctIds(records: ReadonlyArray<{ id: string }>): void {
  assert(new Set(records.map((record) => record.id)).size === records.length, 'records written together must have distinct ids');
}
