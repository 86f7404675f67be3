// The catalog's bulk writes on SQLite (see catalog_writes.ts for the rules they keep). Kysely
// builds and prepares a statement's SQL text anew for every call, which costs more than the
// insert itself; here every statement is prepared once on the raw better-sqlite3 connection and
// inserts up to `rowsPerInsert` rows a call, inside the transaction the caller holds on that
// same connection.
//
// New rows get explicit rowids (one more than the table's largest, under the write lock), so the
// FTS5 documents, which are keyed by the rowid of the row they describe, need no lookup.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { BatchCounts, CatalogBatch, CatalogWriteOptions, CatalogWriter, WriteCounts } from './catalog_writes.ts';
import { sqliteWriteConnection } from './sqlite.ts';
import { companyDocumentColumns, companyTechnologiesDocumentColumn, contactDocumentColumn, newsDocumentColumn } from './search_documents.ts';
import { assert } from '../lib/assert.ts';

type SqliteValue = string | number | null;

/** Rows per multi-row INSERT into a table: past about fifty, longer statements save nothing more. */
const rowsPerInsert = 64;
/** FTS5 tables take their rows one by one: a multi-row INSERT into one is slower, not faster. */
const searchTables: ReadonlySet<Table> = new Set(['company_search', 'company_names', 'company_technology_search', 'news_search', 'contact_search']);
/**
 * The page cache of the writing connection while a writer is open (KiB, SQLite's negative
 * form): the random-order indexes (signals by type and time, companies by domain) of a
 * million-company catalog stay in memory instead of being read back for every batch.
 */
const bulkCacheKib = 512 * 1024;

/** Values per record in the encoded rows, without rowid and updated_at. */
const companyValues = 12;
const contactValues = 11;

/** A batch as flat lists of statement parameters, table by table (see the column lists below). */
export interface SqliteCatalogRows {
  engine: 'sqlite';
  /** id, name, domain, industry, employees, revenue_usd, country, city, founded, description, technologies, ip_ranges. */
  companies: SqliteValue[];
  /** company_search's name, domain, description: three per company. */
  companyDocuments: string[];
  /** company_technology_search's technologies: one per company, '' for none. */
  technologyDocuments: string[];
  ipRanges: SqliteValue[];
  signals: SqliteValue[];
  financials: SqliteValue[];
  news: SqliteValue[];
  /** news_search's text: one per news row. */
  newsDocuments: string[];
  /** id, company_id, first_name, last_name, title, seniority, department, email, phone, linkedin_url, country. */
  contacts: SqliteValue[];
  /** contact_search's title: one per contact. */
  contactDocuments: string[];
}

const columns = {
  companies: ['rowid', 'id', 'name', 'domain', 'industry', 'employees', 'revenue_usd', 'country', 'city', 'founded', 'description', 'technologies', 'ip_ranges', 'updated_at'],
  company_search: ['rowid', 'name', 'domain', 'description'],
  /** Basic search's name and domain words (migration 0004): company_search's first two columns. */
  company_names: ['rowid', 'name', 'domain'],
  /** The technologies as one document per company (migration 0007). */
  company_technology_search: ['rowid', 'technologies'],
  company_ip_ranges: ['company_id', 'cidr', 'family', 'first_address', 'last_address'],
  company_signals: ['company_id', 'position', 'type', 'title', 'occurred_at'],
  company_financials: ['company_id', 'year', 'revenue_usd', 'employees'],
  company_news: ['rowid', 'company_id', 'position', 'title', 'url', 'source', 'published_at', 'summary'],
  news_search: ['rowid', 'text'],
  contacts: ['rowid', 'id', 'company_id', 'first_name', 'last_name', 'title', 'seniority', 'department', 'email', 'phone', 'linkedin_url', 'country', 'updated_at'],
  contact_search: ['rowid', 'title'],
} as const;

type Table = keyof typeof columns;

export function encodeSqliteRows(batch: CatalogBatch): SqliteCatalogRows {
  const rows: SqliteCatalogRows = {
    engine: 'sqlite',
    companies: [],
    companyDocuments: [],
    technologyDocuments: [],
    ipRanges: [],
    signals: [],
    financials: [],
    news: [],
    newsDocuments: [],
    contacts: [],
    contactDocuments: [],
  };
  for (const company of batch.companies) {
    const id = company.id;
    rows.companies.push(
      id, company.name, company.domain, company.industry, company.employees, company.revenue_usd, company.country,
      company.city, company.founded, company.description, JSON.stringify(company.technologies),
      JSON.stringify(company.ip_ranges.map((range) => range.cidr)),
    );
    rows.companyDocuments.push(...companyDocumentColumns(company));
    rows.technologyDocuments.push(companyTechnologiesDocumentColumn(company));
    for (const range of company.ip_ranges) rows.ipRanges.push(id, range.cidr, range.family, range.first_address, range.last_address);
    company.signals.forEach((signal, position) => rows.signals.push(id, position, signal.type, signal.title, signal.occurred_at));
    for (const year of company.financials) rows.financials.push(id, year.year, year.revenue_usd, year.employees);
    company.news.forEach((item, position) => {
      rows.news.push(id, position, item.title, item.url, item.source, item.published_at, item.summary);
      rows.newsDocuments.push(newsDocumentColumn(item));
    });
  }
  for (const contact of batch.contacts) {
    rows.contacts.push(
      contact.id, contact.company_id, contact.first_name, contact.last_name, contact.title, contact.seniority,
      contact.department, contact.email, contact.phone, contact.linkedin_url, contact.country,
    );
    rows.contactDocuments.push(contactDocumentColumn(contact));
  }
  return rows;
}

export function openSqliteCatalogWriter(db: Kysely<Database>): CatalogWriter {
  const connection = sqliteWriteConnection(db);
  assert(connection !== undefined, 'a SQLite catalog writer needs the store of a SQLite database');
  const settingsBefore = {
    cache_size: connection.pragma('cache_size', { simple: true }) as number,
    wal_autocheckpoint: connection.pragma('wal_autocheckpoint', { simple: true }) as number,
  };
  connection.pragma(`cache_size = -${bulkCacheKib}`);
  let checkpoints: { stop: () => Promise<void> } | null = null;
  let records = 0;
  const writer = new SqliteWriter(connection);
  return {
    write: async (_tx, rows, now, options = {}) => {
      assert(rows.engine === 'sqlite', 'rows encoded for another engine');
      assert(connection.inTransaction, 'catalog writes run inside a write transaction');
      records += (rows.companies.length / companyValues) + (rows.contacts.length / contactValues);
      if (checkpoints === null && records >= checkpointThreadFromRecords && !connection.memory) {
        checkpoints = startCheckpoints(connection.name);
        connection.pragma('wal_autocheckpoint = 0');
      }
      return writer.write(rows, now, options);
    },
    close: async () => {
      await checkpoints?.stop();
      if (!connection.open) return;
      connection.pragma(`cache_size = ${settingsBefore.cache_size}`);
      connection.pragma(`wal_autocheckpoint = ${settingsBefore.wal_autocheckpoint}`);
    },
  };
}

/** Small writes keep the connection's own checkpoints: a thread is worth it for large ones only. */
const checkpointThreadFromRecords = 20_000;

/** How often the checkpointing thread copies the write-ahead log into the database file. */
const checkpointIntervalMs = 250;
/**
 * A PASSIVE checkpoint copies the log but cannot restart it while the writer keeps appending,
 * so past this size the checkpointing thread waits for a gap between transactions and restarts
 * the log from its beginning (RESTART): the log stays about this large instead of growing with
 * everything written.
 */
const walBytesMax = 512 * 1024 * 1024;
/** How long the checkpointing thread waits for the writer's transaction to end before a restart. */
const restartWaitMs = 10_000;

/**
 * A checkpoint copies the write-ahead log into the database file and waits for the disk
 * (fsync); run by the writing connection after a commit, it stalls the writing for as long.
 * During bulk writes a thread of its own, on a connection of its own, checkpoints instead
 * (PASSIVE: it never blocks the writer or readers; RESTART now and then, between two of the
 * writer's transactions, to keep the log small), and the writer's own checkpoints are off.
 * Plain JavaScript, so the thread needs no TypeScript loader.
 */
function startCheckpoints(path: string): { stop: () => Promise<void> } {
  const worker = new Worker(
    `
    const { statSync } = require('node:fs');
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.module);
    const db = new Database(workerData.path, { timeout: 0 });
    const walBytes = () => { try { return statSync(workerData.path + '-wal').size; } catch { return 0; } };
    const checkpoint = (mode) => {
      const waitMs = mode === 'PASSIVE' ? 0 : workerData.restartWaitMs;
      try {
        db.pragma('busy_timeout = ' + waitMs);
        db.pragma('wal_checkpoint(' + mode + ')');
      } catch { /* busy: a later turn retries */ }
    };
    const timer = setInterval(() => checkpoint(walBytes() > workerData.walBytesMax ? 'RESTART' : 'PASSIVE'), workerData.intervalMs);
    parentPort.on('message', () => {
      clearInterval(timer);
      // Copy the rest and shrink the log file (unless a reader still holds it: then later
      // checkpoints of the connections that remain will).
      checkpoint('TRUNCATE');
      db.close();
      parentPort.close();
    });
    `,
    { eval: true, workerData: { module: betterSqlitePath, path, intervalMs: checkpointIntervalMs, walBytesMax, restartWaitMs } },
  );
  // A failed checkpoint thread costs speed, never data: the writer's own checkpoints come back on close.
  worker.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    stop: async () => {
      worker.postMessage('stop');
      await exited;
    },
  };
}

const betterSqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');

class SqliteWriter {
  readonly #connection: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(connection: BetterSqlite3.Database) {
    this.#connection = connection;
  }

  write(rows: SqliteCatalogRows, now: number, options: CatalogWriteOptions): BatchCounts {
    return { companies: this.#writeCompanies(rows, now, options), contacts: this.#writeContacts(rows, now, options) };
  }

  #writeCompanies(rows: SqliteCatalogRows, now: number, options: CatalogWriteOptions): WriteCounts {
    const count = rows.companies.length / companyValues;
    const existing = this.#existingRowids('companies', rows.companies, companyValues, options);
    for (const [id, rowid] of existing) this.#clearCompany(id, rowid);
    const rowids = this.#assignRowids('companies', rows.companies, companyValues, existing);
    const inserts: SqliteValue[] = [];
    const update = this.#statement('update companies', () => updateSql('companies', columns.companies.slice(2)));
    const documents: SqliteValue[] = [];
    const names: SqliteValue[] = [];
    const technologies: SqliteValue[] = [];
    for (let index = 0; index < count; index += 1) {
      const start = index * companyValues;
      const id = rows.companies[start] as string;
      if (existing.has(id)) update.run(...rows.companies.slice(start + 1, start + companyValues), now, id);
      else appendRow(inserts, rowids[index]!, rows.companies, start, companyValues, now);
      appendRow(documents, rowids[index]!, rows.companyDocuments, index * 3, 3);
      appendRow(names, rowids[index]!, rows.companyDocuments, index * 3, 2);
      const technologyDocument = rows.technologyDocuments[index]!;
      if (technologyDocument !== '') technologies.push(rowids[index]!, technologyDocument);
    }
    this.#insert('companies', inserts);
    this.#insert('company_search', documents);
    this.#insert('company_names', names);
    this.#insert('company_technology_search', technologies);
    this.#insert('company_ip_ranges', rows.ipRanges);
    this.#insert('company_signals', rows.signals);
    this.#insert('company_financials', rows.financials);
    this.#writeNews(rows);
    return { created: count - existing.size, updated: existing.size };
  }

  /** News rows are always new (a company's old ones were cleared), so their rowids follow the largest. */
  #writeNews(rows: SqliteCatalogRows): void {
    const newsValues = columns.company_news.length - 1;
    const count = rows.news.length / newsValues;
    let rowid = this.#largestRowid('company_news') + 1;
    const news: SqliteValue[] = [];
    const documents: SqliteValue[] = [];
    for (let index = 0; index < count; index += 1, rowid += 1) {
      appendRow(news, rowid, rows.news, index * newsValues, newsValues);
      documents.push(rowid, rows.newsDocuments[index]!);
    }
    this.#insert('company_news', news);
    this.#insert('news_search', documents);
  }

  #writeContacts(rows: SqliteCatalogRows, now: number, options: CatalogWriteOptions): WriteCounts {
    const count = rows.contacts.length / contactValues;
    const existing = this.#existingRowids('contacts', rows.contacts, contactValues, options);
    const deleteDocument = this.#statement('delete contact_search', () => 'delete from contact_search where rowid = ?');
    for (const rowid of existing.values()) deleteDocument.run(rowid);
    const rowids = this.#assignRowids('contacts', rows.contacts, contactValues, existing);
    const inserts: SqliteValue[] = [];
    const documents: SqliteValue[] = [];
    const update = this.#statement('update contacts', () => updateSql('contacts', columns.contacts.slice(2)));
    for (let index = 0; index < count; index += 1) {
      const start = index * contactValues;
      const id = rows.contacts[start] as string;
      if (existing.has(id)) update.run(...rows.contacts.slice(start + 1, start + contactValues), now, id);
      else appendRow(inserts, rowids[index]!, rows.contacts, start, contactValues, now);
      documents.push(rowids[index]!, rows.contactDocuments[index]!);
    }
    this.#insert('contacts', inserts);
    this.#insert('contact_search', documents);
    return { created: count - existing.size, updated: existing.size };
  }

  /** The rowid of every record of the batch that is already in `table`, by id (none for a batch written as all new). */
  #existingRowids(table: 'companies' | 'contacts', values: SqliteValue[], valuesPerRecord: number, options: CatalogWriteOptions): Map<string, number> {
    if (options.allNew) return new Map();
    const select = this.#statement(`rowid ${table}`, () => `select rowid from ${table} where id = ?`).pluck();
    const existing = new Map<string, number>();
    for (let offset = 0; offset < values.length; offset += valuesPerRecord) {
      const id = values[offset] as string;
      const rowid = select.get(id) as number | undefined;
      if (rowid !== undefined) existing.set(id, rowid);
    }
    return existing;
  }

  /** Each record's rowid: its own when it exists, else the next one after the table's largest. */
  #assignRowids(table: 'companies' | 'contacts', values: SqliteValue[], valuesPerRecord: number, existing: Map<string, number>): number[] {
    let next = existing.size * valuesPerRecord === values.length ? 0 : this.#largestRowid(table) + 1;
    const rowids: number[] = [];
    for (let offset = 0; offset < values.length; offset += valuesPerRecord) {
      rowids.push(existing.get(values[offset] as string) ?? next++);
    }
    return rowids;
  }

  #largestRowid(table: Table): number {
    const select = this.#statement(`max ${table}`, () => `select coalesce(max(rowid), 0) from ${table}`).pluck();
    return select.get() as number;
  }

  /** Removes an existing company's child rows and search documents, before they are written anew. */
  #clearCompany(id: string, rowid: number): void {
    const run = (key: string, sql: string, value: SqliteValue): void => {
      this.#statement(key, () => sql).run(value);
    };
    run('clear news_search', 'delete from news_search where rowid in (select rowid from company_news where company_id = ?)', id);
    run('clear company_search', 'delete from company_search where rowid = ?', rowid);
    run('clear company_names', 'delete from company_names where rowid = ?', rowid);
    // Contentless: its document is deleted by rowid (contentless_delete), and must be, since an
    // insert over a rowid still there would add to the old document rather than replace it.
    run('clear company_technology_search', 'delete from company_technology_search where rowid = ?', rowid);
    for (const table of ['company_ip_ranges', 'company_signals', 'company_financials', 'company_news']) {
      run(`clear ${table}`, `delete from ${table} where company_id = ?`, id);
    }
  }

  /** Inserts flat rows of the table's columns, `rowsPerInsert` a statement. */
  #insert(table: Table, values: SqliteValue[]): void {
    const width = columns[table].length;
    assert(values.length % width === 0, `${table}: ${values.length} values are not whole rows of ${width}`);
    const rowCount = values.length / width;
    const rows = searchTables.has(table) ? 1 : rowsPerInsert;
    const full = Math.floor(rowCount / rows);
    if (full > 0) {
      const statement = this.#insertStatement(table, rows);
      const chunkValues = rows * width;
      for (let chunk = 0; chunk < full; chunk += 1) statement.run(values.slice(chunk * chunkValues, (chunk + 1) * chunkValues));
    }
    const rest = rowCount - full * rows;
    if (rest > 0) this.#insertStatement(table, rest).run(values.slice(full * rows * width));
  }

  #insertStatement(table: Table, rowCount: number): BetterSqlite3.Statement {
    return this.#statement(`insert ${table} ${rowCount}`, () => {
      const row = `(${columns[table].map(() => '?').join(', ')})`;
      return `insert into ${table} (${columns[table].join(', ')}) values ${Array.from({ length: rowCount }, () => row).join(', ')}`;
    });
  }

  #statement(key: string, sql: () => string): BetterSqlite3.Statement {
    let statement = this.#statements.get(key);
    if (statement === undefined) {
      statement = this.#connection.prepare(sql());
      this.#statements.set(key, statement);
    }
    return statement;
  }
}

/** Appends a row: its rowid, `count` values of `values` from `start`, and a last value if given. */
function appendRow(target: SqliteValue[], rowid: number, values: readonly SqliteValue[], start: number, count: number, last?: SqliteValue): void {
  target.push(rowid);
  for (let index = start; index < start + count; index += 1) target.push(values[index]!);
  if (last !== undefined) target.push(last);
}

/** `update <table> set <column> = ?, … where id = ?`, for parameters in the columns' order. */
function updateSql(table: 'companies' | 'contacts', updated: readonly string[]): string {
  return `update ${table} set ${updated.map((column) => `${column} = ?`).join(', ')} where id = ?`;
}
