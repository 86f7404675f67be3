// The catalog's bulk writes on PostgreSQL (see catalog_writes.ts for the rules they keep): each
// table's rows go as one COPY … FROM STDIN a batch, whose text is built when the batch is encoded
// (possibly on a worker thread), so the writing thread only passes strings along. COPY costs
// PostgreSQL about half the CPU of an `insert … select from unnest(…)` of the same rows.
//
// New records are copied straight into their tables. When some records of a batch already exist,
// their child rows and documents are deleted first, and the records themselves are copied into a
// temporary staging table of the session, then upserted from it by id.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { CatalogBatch, CatalogWriter, WriteCounts } from './catalog_writes.ts';
import { copyFromStdin } from './postgres.ts';
import { companyDocumentVector, companyNamesDocumentVector, contactDocumentVector, newsDocumentVector } from './search_documents.ts';
import { assert } from '../lib/assert.ts';

type PostgresValue = string | number | null;

const columns = {
  companies: ['id', 'name', 'domain', 'industry', 'employees', 'revenue_usd', 'country', 'city', 'founded', 'description', 'technologies', 'ip_ranges', 'updated_at'],
  company_search: ['company_id', 'document'],
  /** Basic search's name, domain and country (migration 0004). */
  company_names: ['company_id', 'document'],
  company_technologies: ['company_id', 'technology'],
  company_ip_ranges: ['company_id', 'cidr', 'family', 'first_address', 'last_address'],
  company_signals: ['company_id', 'position', 'type', 'title', 'occurred_at'],
  company_financials: ['company_id', 'year', 'revenue_usd', 'employees'],
  company_news: ['company_id', 'position', 'title', 'url', 'source', 'published_at', 'summary'],
  news_search: ['company_id', 'position', 'document'],
  contacts: ['id', 'company_id', 'first_name', 'last_name', 'title', 'seniority', 'department', 'email', 'phone', 'linkedin_url', 'country', 'updated_at'],
  contact_search: ['contact_id', 'document'],
} as const;

type Table = keyof typeof columns;

/** A batch as the data of one COPY per table (text format, UTF-8), for `now`. */
export interface PostgresCatalogRows {
  engine: 'postgres';
  /** The update time written in the records' rows. */
  now: number;
  companyCount: number;
  contactCount: number;
  /** The ids of the batch's companies and contacts, as array literals (`{"a","b"}`). */
  companyIds: string;
  contactIds: string;
  /** Empty for a table without rows. */
  copies: Record<Table, Uint8Array>;
}

export function encodePostgresRows(batch: CatalogBatch, now: number): PostgresCatalogRows {
  const copies = Object.fromEntries(Object.keys(columns).map((table) => [table, new CopyBuffer()])) as Record<Table, CopyBuffer>;
  for (const company of batch.companies) {
    const id = company.id;
    copies.companies.row(
      id, company.name, company.domain, company.industry, company.employees, company.revenue_usd, company.country,
      company.city, company.founded, company.description, JSON.stringify(company.technologies),
      JSON.stringify(company.ip_ranges.map((range) => range.cidr)), now,
    );
    copies.company_search.row(id, companyDocumentVector(company));
    copies.company_names.row(id, companyNamesDocumentVector(company));
    for (const technology of company.technologies) copies.company_technologies.row(id, technology);
    for (const range of company.ip_ranges) copies.company_ip_ranges.row(id, range.cidr, range.family, range.first_address, range.last_address);
    company.signals.forEach((signal, position) => copies.company_signals.row(id, position, signal.type, signal.title, signal.occurred_at));
    for (const year of company.financials) copies.company_financials.row(id, year.year, year.revenue_usd, year.employees);
    company.news.forEach((item, position) => {
      copies.company_news.row(id, position, item.title, item.url, item.source, item.published_at, item.summary);
      copies.news_search.row(id, position, newsDocumentVector(item));
    });
  }
  for (const contact of batch.contacts) {
    copies.contacts.row(
      contact.id, contact.company_id, contact.first_name, contact.last_name, contact.title, contact.seniority,
      contact.department, contact.email, contact.phone, contact.linkedin_url, contact.country, now,
    );
    copies.contact_search.row(contact.id, contactDocumentVector(contact));
  }
  return {
    engine: 'postgres',
    now,
    companyCount: batch.companies.length,
    contactCount: batch.contacts.length,
    companyIds: arrayLiteral(batch.companies.map((company) => company.id)),
    contactIds: arrayLiteral(batch.contacts.map((contact) => contact.id)),
    copies: Object.fromEntries(Object.entries(copies).map(([table, copy]) => [table, copy.bytes()])) as Record<Table, Uint8Array>,
  };
}

/** The first size of a table's COPY buffer; it doubles when full. */
const copyBufferBytesInitial = 64 * 1024;
const tabByte = 0x09;
const newlineByte = 0x0a;
/** A UTF-16 code unit takes at most this many bytes in UTF-8. */
const utf8BytesPerCodeUnitMax = 3;

/**
 * COPY's text format (values by tabs, rows by newlines, \\N for null, backslash escapes),
 * written as UTF-8 straight into a buffer: no string per row or per batch is ever built (that
 * garbage cost as much as the encoding), the buffer crosses to the writing thread as bytes, and
 * the writing thread sends those bytes as they are. ASCII text, nearly all of a catalog, is
 * copied and escaped code unit by code unit in one loop: a native Buffer.write per value cost
 * more in calls than in copying (a company's rows are some 200 short values).
 */
export class CopyBuffer {
  #buffer = Buffer.allocUnsafe(copyBufferBytesInitial);
  #length = 0;

  row(...values: PostgresValue[]): void {
    const last = values.length - 1;
    for (let index = 0; index <= last; index += 1) {
      const value = values[index]!;
      if (value === null) this.#null();
      else this.#text(typeof value === 'number' ? String(value) : value);
      this.#buffer[this.#length] = index === last ? newlineByte : tabByte;
      this.#length += 1;
    }
  }

  /** The bytes written (a copy of just those, so the rest of the buffer does not cross threads). */
  bytes(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.#buffer, 0, this.#length);
  }

  /** Writes COPY's null (\\N), with room for one more byte after it. */
  #null(): void {
    this.#reserve(3);
    this.#buffer[this.#length] = backslashByte;
    this.#buffer[this.#length + 1] = nullLetterByte;
    this.#length += 2;
  }

  /** Writes `text` escaped for COPY, with room for one more byte after it. */
  #text(text: string): void {
    this.#reserve(text.length * utf8BytesPerCodeUnitMax + 1);
    const buffer = this.#buffer;
    let length = this.#length;
    for (let index = 0; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code >= asciiLimit) {
        // The rest of a text that is not all ASCII: escaped, then encoded as UTF-8 natively.
        this.#length = length + buffer.write(escapeCopy(text.slice(index)), length);
        return;
      }
      const escape = copyEscapeBytes[code]!;
      if (escape !== 0) {
        buffer[length] = backslashByte;
        length += 1;
        buffer[length] = escape;
      } else {
        buffer[length] = code;
      }
      length += 1;
    }
    this.#length = length;
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const larger = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(larger, 0, 0, this.#length);
    this.#buffer = larger;
  }
}

/** The N of COPY's null, \\N. */
const nullLetterByte = 0x4e;
const asciiLimit = 0x80;
const backslashByte = 0x5c;
/** For each ASCII code, the letter that follows a backslash in COPY's escape of it (0: copied as it is). */
const copyEscapeBytes = new Uint8Array(asciiLimit);
copyEscapeBytes[0x5c] = 0x5c; // a backslash is doubled
copyEscapeBytes[0x09] = 0x74; // tab: backslash t
copyEscapeBytes[0x0a] = 0x6e; // newline: backslash n
copyEscapeBytes[0x0d] = 0x72; // carriage return: backslash r

const copySpecial = /[\\\t\n\r]/;
const copySpecials = /[\\\t\n\r]/g;
const copyEscapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeCopy(value: string): string {
  return copySpecial.test(value) ? value.replace(copySpecials, (character) => copyEscapes[character]!) : value;
}

const escaped = /["\\]/g;

/** A one-dimensional array literal of texts: `{"a","b\"c"}`. */
function arrayLiteral(values: readonly string[]): string {
  const items = new Array<string>(values.length);
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index]!;
    items[index] = value.includes('"') || value.includes('\\') ? `"${value.replace(escaped, '\\$&')}"` : `"${value}"`;
  }
  return `{${items.join(',')}}`;
}

export function openPostgresCatalogWriter(): CatalogWriter {
  return {
    write: async (tx, rows, now) => {
      assert(rows.engine === 'postgres', 'rows encoded for another engine');
      assert(rows.now === now, 'rows encoded for another update time');
      return { companies: await writeCompanies(tx, rows), contacts: await writeContacts(tx, rows) };
    },
    close: async () => undefined,
  };
}

/** Child tables of a company, copied after it; news_search after company_news, which it refers to. */
const companyChildren = ['company_search', 'company_names', 'company_technologies', 'company_ip_ranges', 'company_signals', 'company_financials', 'company_news', 'news_search'] as const;

async function writeCompanies(tx: Kysely<Database>, rows: PostgresCatalogRows): Promise<WriteCounts> {
  if (rows.companyCount === 0) return { created: 0, updated: 0 };
  const existing = await existingIds(tx, 'companies', rows.companyIds);
  if (existing > 0) {
    // A new company has no children or document: only those of existing ones are cleared.
    // Their news documents go with their news rows (a cascading foreign key).
    for (const table of ['company_technologies', 'company_ip_ranges', 'company_signals', 'company_financials', 'company_news', 'company_search', 'company_names']) {
      await sql`delete from ${sql.table(table)} where company_id = any(${rows.companyIds}::text[])`.execute(tx);
    }
    await upsert(tx, 'companies', rows.copies.companies);
  } else {
    await copy(tx, 'companies', rows.copies.companies);
  }
  for (const table of companyChildren) await copy(tx, table, rows.copies[table]);
  return { created: rows.companyCount - existing, updated: existing };
}

async function writeContacts(tx: Kysely<Database>, rows: PostgresCatalogRows): Promise<WriteCounts> {
  if (rows.contactCount === 0) return { created: 0, updated: 0 };
  const existing = await existingIds(tx, 'contacts', rows.contactIds);
  if (existing > 0) {
    await sql`delete from contact_search where contact_id = any(${rows.contactIds}::text[])`.execute(tx);
    await upsert(tx, 'contacts', rows.copies.contacts);
  } else {
    await copy(tx, 'contacts', rows.copies.contacts);
  }
  await copy(tx, 'contact_search', rows.copies.contact_search);
  return { created: rows.contactCount - existing, updated: existing };
}

async function existingIds(tx: Kysely<Database>, table: 'companies' | 'contacts', ids: string): Promise<number> {
  const result = await sql<{ count: number | string }>`select count(*) as count from ${sql.table(table)}
    where id = any(${ids}::text[])`.execute(tx);
  return Number(result.rows[0]?.count ?? 0);
}

async function copy(tx: Kysely<Database>, table: Table, data: Uint8Array): Promise<void> {
  if (data.length === 0) return;
  await copyFromStdin({ table, columns: columns[table], data }).execute(tx);
}

/**
 * Copies records into the session's staging table for `table` (created on first use, emptied at
 * every commit), then inserts them from there, a row whose id exists updating it in place.
 */
async function upsert(tx: Kysely<Database>, table: 'companies' | 'contacts', data: Uint8Array): Promise<void> {
  const staging = `quarry_staging_${table}`;
  const columnList = sql.join(columns[table].map((column) => sql.id(column)));
  await sql`create temporary table if not exists ${sql.id(staging)} on commit delete rows
    as select ${columnList} from ${sql.table(table)} with no data`.execute(tx);
  // A failed transaction before may have left rows (on commit delete rows runs at commit only).
  await sql`truncate ${sql.id(staging)}`.execute(tx);
  await copyFromStdin({ table: staging, columns: columns[table], data }).execute(tx);
  const updates = sql.join(columns[table].slice(1).map((column) => sql`${sql.id(column)} = excluded.${sql.id(column)}`));
  await sql`insert into ${sql.table(table)} (${columnList}) select ${columnList} from ${sql.id(staging)}
    on conflict (id) do update set ${updates}`.execute(tx);
}
