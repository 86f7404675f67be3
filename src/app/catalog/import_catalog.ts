// Imports the catalog from NDJSON (API.md, "Catalog import"): companies or contacts, one record
// a line, all or nothing. Every invalid line is reported with its number and then nothing is
// written; otherwise every record is upserted by id in one write transaction.
//
// Two passes, so that memory stays bounded however large the file is:
//   1. Validate. The input streams through a line splitter (each line at most
//      importLineBytesMax) and the import schema. A valid line's normalised row is appended to
//      a spool: in memory up to importSpoolMemoryBytesMax, then in a temporary file. What stays
//      in memory beyond that is one entry per record id (to find repeated ids) and, for contacts,
//      the company ids already looked up. Once any line is invalid, nothing more is spooled.
//   2. Write. The spool is read back (plain JSON.parse, no validation) and written in batches of
//      multi-row statements inside ONE transaction, so a failure half-way leaves nothing behind.
// Validation takes about a third of the time and writing the rest (SQLite, 100,000 companies);
// a faster importer would spread pass 1 over worker threads and reuse prepared statements in
// pass 2.
//
// On SQLite the write transaction holds the database's write lock for all of pass 2, and in this
// process its one connection: other requests wait for it (up to the busy timeout, for writers
// in other processes). Pass 1 holds nothing.
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Store } from '../../store/database.ts';
import type { Database } from '../../store/schema.ts';
import { writeCompanies, writeContacts, type ContactWrite, type WriteCounts } from '../../store/catalog_writes.ts';
import { existingCompanyIds } from '../../store/catalog.ts';
import { assert } from '../../lib/assert.ts';
import { companyLineSchema, contactLineSchema } from './import_schemas.ts';

export type CatalogRecordType = 'companies' | 'contacts';

export interface ImportOptions {
  type: CatalogRecordType;
  /** The NDJSON text in chunks: a file stream, an HTTP body, strings in a test. */
  input: AsyncIterable<string | Buffer>;
  now: number;
  /** Lines read so far, while validating (every importProgressLines lines and at the end). */
  onProgress?: (lines: number) => void;
  /** Records written so far, while writing. */
  onWriteProgress?: (written: number, total: number) => void;
  /** Spooled bytes kept in memory before spilling to a file (default importSpoolMemoryBytesMax). */
  spoolMemoryBytesMax?: number;
}

export interface ImportLineError {
  line: number;
  message: string;
  /** The field at fault, as a dotted path (`signals.2.occurred_at`). */
  field?: string;
}

export type ImportResult =
  | { ok: true; imported: number; created: number; updated: number }
  | {
      ok: false;
      /** The first importErrorsReportedMax problems, by line number. */
      errors: ImportLineError[];
      /** Problems found beyond those listed. */
      omitted: number;
      /** How many lines had at least one problem. */
      invalid_lines: number;
    };

/** One NDJSON line, in bytes, without its line break. */
export const importLineBytesMax = 1024 * 1024;
/**
 * Lines in one import. Ids are remembered to find repeats, and a JavaScript Map holds at most
 * 2^24 entries; larger catalogs are imported in several files.
 */
export const importLinesMax = 10_000_000;
export const importErrorsReportedMax = 1_000;
/** A line with many problems reports its first few: enough to fix it, not enough to drown others. */
export const importLineErrorsMax = 10;
export const importProgressLines = 10_000;
/** Records per call of the store's writer (which splits them further by the parameter bound). */
export const importWriteBatchRecords = 1_000;
/** Spooled rows beyond this many bytes go to a temporary file rather than memory. */
export const importSpoolMemoryBytesMax = 64 * 1024 * 1024;
/** Contacts whose company is looked up in one query. */
const companyLookupBatch = 1_000;

export async function importCatalog(store: Store, options: ImportOptions): Promise<ImportResult> {
  return options.type === 'companies'
    ? runImport(store, options, { schema: companyLineSchema, write: writeCompanies })
    : runImport(store, options, {
        schema: contactLineSchema,
        write: writeContacts,
        checker: (errors) => new CompanyChecker(store, errors),
      });
}

/** What differs between companies and contacts. */
interface RecordKind<Row extends { id: string }> {
  schema: z.ZodType<Row>;
  write: (tx: Kysely<Database>, rows: Row[], now: number) => Promise<WriteCounts>;
  /** Checks that need the database, such as a contact's company. */
  checker?: (errors: ErrorList) => RowChecker<Row>;
}

interface RowChecker<Row> {
  check(line: number, row: Row): Promise<void>;
  /** Finishes the checks still pending. */
  flush(): Promise<void>;
}

async function runImport<Row extends { id: string }>(
  store: Store,
  options: ImportOptions,
  kind: RecordKind<Row>,
): Promise<ImportResult> {
  const spool = new RowSpool(options.spoolMemoryBytesMax ?? importSpoolMemoryBytesMax);
  try {
    const errors = new ErrorList();
    const valid = await validateInput(options, kind, { spool, errors });
    if (errors.count > 0) return errors.failure();
    const counts = await writeSpool(store, options, kind, { spool, total: valid });
    return { ok: true, imported: valid, created: counts.created, updated: counts.updated };
  } finally {
    await spool.discard();
  }
}

// ---------------------------------------------------------------------------------------------
// Pass 1: validate.

interface Validation {
  spool: RowSpool;
  errors: ErrorList;
}

/** Reads and checks every line; returns how many were valid. */
async function validateInput<Row extends { id: string }>(
  options: ImportOptions,
  kind: RecordKind<Row>,
  validation: Validation,
): Promise<number> {
  const firstLineById = new Map<string, number>();
  const checker = kind.checker?.(validation.errors);
  let lines = 0;
  let valid = 0;
  let progressAt = importProgressLines;
  for await (const line of splitLines(options.input, importLineBytesMax)) {
    lines = line.number;
    if (lines >= progressAt) {
      options.onProgress?.(lines);
      progressAt = lines + importProgressLines;
    }
    if (lines > importLinesMax) {
      validation.errors.add([{ line: lines, message: `an import has at most ${importLinesMax} lines: split the file` }]);
      break;
    }
    const row = checkLine(line, kind.schema, firstLineById, validation.errors);
    if (row === null) continue;
    valid += 1;
    await checker?.check(line.number, row);
    if (validation.errors.count === 0) await validation.spool.append(JSON.stringify(row));
  }
  await checker?.flush();
  options.onProgress?.(lines);
  return valid;
}

/** The line's row when it is valid; otherwise its problems go to `errors` and the result is null. */
function checkLine<Row extends { id: string }>(
  line: InputLine,
  schema: z.ZodType<Row>,
  firstLineById: Map<string, number>,
  errors: ErrorList,
): Row | null {
  if (line.text === null) {
    errors.add([{ line: line.number, message: `the line is longer than ${importLineBytesMax} bytes` }]);
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (error) {
    errors.add([{ line: line.number, message: `invalid JSON: ${(error as Error).message}` }]);
    return null;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    errors.add(parsed.error.issues.slice(0, importLineErrorsMax).map((issue) => issueError(line.number, issue)));
    return null;
  }
  const firstLine = firstLineById.get(parsed.data.id);
  if (firstLine !== undefined) {
    errors.add([{ line: line.number, field: 'id', message: `id: "${parsed.data.id}" is already on line ${firstLine}` }]);
    return null;
  }
  firstLineById.set(parsed.data.id, line.number);
  return parsed.data;
}

function issueError(line: number, issue: z.core.$ZodIssue): ImportLineError {
  const field = issue.path.map(String).join('.');
  return field === '' ? { line, message: issue.message } : { line, field, message: `${field}: ${issue.message}` };
}

/**
 * Contacts must belong to companies already in the catalog. Lookups go in batches, and every
 * answer is remembered, so a million contacts cost about a thousand queries for their companies.
 */
class CompanyChecker implements RowChecker<ContactWrite> {
  readonly #store: Store;
  readonly #errors: ErrorList;
  readonly #known = new Map<string, boolean>();
  #pending: Array<{ line: number; companyId: string }> = [];

  constructor(store: Store, errors: ErrorList) {
    this.#store = store;
    this.#errors = errors;
  }

  async check(line: number, contact: ContactWrite): Promise<void> {
    const companyId = contact.company_id;
    const known = this.#known.get(companyId);
    if (known === false) this.#errors.add([missingCompany(line, companyId)]);
    if (known !== undefined) return;
    this.#pending.push({ line, companyId });
    if (this.#pending.length >= companyLookupBatch) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    const unknownIds = [...new Set(pending.map((entry) => entry.companyId))].filter((id) => !this.#known.has(id));
    const existing = await existingCompanyIds(this.#store.db, unknownIds);
    for (const id of unknownIds) this.#known.set(id, existing.has(id));
    for (const entry of pending) {
      if (!this.#known.get(entry.companyId)) this.#errors.add([missingCompany(entry.line, entry.companyId)]);
    }
  }
}

function missingCompany(line: number, companyId: string): ImportLineError {
  return { line, field: 'company_id', message: `company_id: no company "${companyId}" in the catalog (import companies first)` };
}

/**
 * Keeps the first importErrorsReportedMax errors by line number and counts the rest. Errors may
 * arrive a little out of order (company lookups are batched), so the list is sorted when trimmed.
 */
class ErrorList {
  #kept: ImportLineError[] = [];
  #invalidLines = 0;
  count = 0;

  /** The problems of one invalid line. */
  add(errors: ImportLineError[]): void {
    this.#invalidLines += 1;
    this.count += errors.length;
    this.#kept.push(...errors);
    if (this.#kept.length >= importErrorsReportedMax * 2) this.#trim();
  }

  failure(): ImportResult {
    this.#trim();
    return { ok: false, errors: this.#kept, omitted: this.count - this.#kept.length, invalid_lines: this.#invalidLines };
  }

  #trim(): void {
    // Stable, so one line's problems keep their order.
    this.#kept.sort((a, b) => a.line - b.line);
    this.#kept.length = Math.min(this.#kept.length, importErrorsReportedMax);
  }
}

// ---------------------------------------------------------------------------------------------
// Pass 2: write.

async function writeSpool<Row extends { id: string }>(
  store: Store,
  options: ImportOptions,
  kind: RecordKind<Row>,
  spooled: { spool: RowSpool; total: number },
): Promise<WriteCounts> {
  return store.writeTransaction(async (tx) => {
    const counts: WriteCounts = { created: 0, updated: 0 };
    let written = 0;
    let batch: Row[] = [];
    const writeBatch = async (): Promise<void> => {
      const batchCounts = await kind.write(tx, batch, options.now);
      counts.created += batchCounts.created;
      counts.updated += batchCounts.updated;
      written += batch.length;
      batch = [];
      options.onWriteProgress?.(written, spooled.total);
    };
    for await (const text of spooled.spool.rows()) {
      // The row was validated in pass 1 and written by JSON.stringify: parsing it is enough.
      batch.push(JSON.parse(text) as Row);
      if (batch.length >= importWriteBatchRecords) await writeBatch();
    }
    if (batch.length > 0) await writeBatch();
    return counts;
  });
}

/**
 * Validated rows (one JSON text each) between the passes: in memory while small, then appended
 * to a file in a private temporary folder, removed by discard().
 */
class RowSpool {
  readonly #memoryBytesMax: number;
  #memory: string[] = [];
  #memoryBytes = 0;
  /** Set once memory is full: every later row goes to the file, so rows keep their order. */
  #spilling = false;
  #folder: string | null = null;
  #file: FileHandle | null = null;
  #buffered: string[] = [];
  #bufferedBytes = 0;

  constructor(memoryBytesMax: number) {
    this.#memoryBytesMax = memoryBytesMax;
  }

  async append(row: string): Promise<void> {
    if (!this.#spilling && this.#memoryBytes + row.length <= this.#memoryBytesMax) {
      this.#memory.push(row);
      this.#memoryBytes += row.length;
      return;
    }
    this.#spilling = true;
    this.#buffered.push(row);
    this.#bufferedBytes += row.length + 1;
    if (this.#bufferedBytes >= spoolWriteBytes) await this.#flush();
  }

  async *rows(): AsyncGenerator<string> {
    yield* this.#memory;
    if (!this.#spilling) return;
    await this.#flush();
    await this.#file?.close();
    this.#file = null;
    // A spooled row may be a little longer than its input line (parsed CIDRs carry addresses,
    // a few kilobytes at most), hence the doubled bound.
    const path = join(this.#folder ?? '', spoolFileName);
    for await (const line of splitLines(createReadStream(path), importLineBytesMax * 2)) {
      assert(line.text !== null, `spooled row ${line.number} is longer than its bound`);
      yield line.text;
    }
  }

  async discard(): Promise<void> {
    this.#memory = [];
    await this.#file?.close();
    this.#file = null;
    if (this.#folder !== null) await rm(this.#folder, { recursive: true, force: true });
    this.#folder = null;
  }

  async #flush(): Promise<void> {
    if (this.#folder === null) {
      this.#folder = await mkdtemp(join(tmpdir(), 'quarry-import-'));
      this.#file = await open(join(this.#folder, spoolFileName), 'wx', 0o600);
    }
    if (this.#buffered.length === 0 || this.#file === null) return;
    await this.#file.write(`${this.#buffered.join('\n')}\n`);
    this.#buffered = [];
    this.#bufferedBytes = 0;
  }
}

const spoolFileName = 'rows.ndjson';
/** The spool file is written in pieces of about this size. */
const spoolWriteBytes = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Line splitting.

interface InputLine {
  /** 1-based, counting blank lines too, as an editor does. */
  number: number;
  /** Null when the line was longer than the bound (its bytes were not kept). */
  text: string | null;
}

const newlineByte = 0x0a;

/**
 * Splits chunks into lines on `\n` (a trailing `\r` is dropped), skipping blank lines, without
 * ever holding more than `bytesMax` bytes of one line. Lines are cut as bytes and decoded whole,
 * so a multi-byte character split across chunks survives.
 */
async function* splitLines(input: AsyncIterable<string | Buffer>, bytesMax: number): AsyncGenerator<InputLine> {
  let parts: Buffer[] = [];
  let bytes = 0;
  let number = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    while (start < buffer.length) {
      const newline = buffer.indexOf(newlineByte, start);
      const end = newline === -1 ? buffer.length : newline;
      bytes += end - start;
      // Past the bound the line's bytes are dropped; only its length is still counted.
      if (bytes <= bytesMax) parts.push(buffer.subarray(start, end));
      if (newline === -1) break;
      number += 1;
      const line = finishLine(number, parts, bytes, bytesMax);
      if (line !== null) yield line;
      [parts, bytes, start] = [[], 0, newline + 1];
    }
  }
  const last = finishLine(number + 1, parts, bytes, bytesMax);
  if (last !== null) yield last;
}

function finishLine(number: number, parts: Buffer[], bytes: number, bytesMax: number): InputLine | null {
  if (bytes > bytesMax) return { number, text: null };
  let text = parts.length === 1 ? (parts[0]?.toString('utf8') ?? '') : Buffer.concat(parts).toString('utf8');
  if (number === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return text.trim() === '' ? null : { number, text };
}
