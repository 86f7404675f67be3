// Imports the catalog from NDJSON (API.md, "Catalog import"): companies or contacts, one record
// a line, all or nothing. Every invalid line is reported with its number and then nothing is
// written; otherwise every record is upserted by id, in ONE write transaction.
//
// One pass, pipelined: the input streams through a line splitter (each line at most
// importLineBytesMax) into chunks of importChunkLines lines. Worker threads check each chunk
// against the import schema and encode its rows (import_lines.ts) while this thread checks what
// needs the whole import (an id repeated on another line, a contact's company missing from the
// catalog) and writes the chunk before, inside the one transaction. The first invalid line stops
// the writing (validation goes on, to report every invalid line) and the transaction is rolled
// back at the end, so nothing of a failed import remains. Memory stays bounded: a few chunks in
// flight, one entry per record id (to find repeated ids) and, for contacts, the company ids
// already looked up. Small inputs are checked on this thread.
//
// Into an empty table (a vendor's first load) the indexes, and on PostgreSQL the foreign keys,
// of the tables written are set aside at the start of the transaction and built again at its end
// (store/catalog_bulk_load.ts); a failed import rolls that back with the rest.
//
// On SQLite the write transaction holds the database's write lock for the whole import, and in
// this process its one connection: other requests wait for it (up to the busy timeout, for
// writers in other processes). So that the lock never waits on a slow sender (an HTTP upload, a
// pipe), the input is first copied to a temporary file, unless it is a local file already.
import { isUtf8 } from 'node:buffer';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Store } from '../../store/database.ts';
import type { Database } from '../../store/schema.ts';
import { openCatalogWriter, type CatalogWriter, type WriteCounts } from '../../store/catalog_writes.ts';
import { existingCompanyIds } from '../../store/catalog.ts';
import { refreshStatistics } from '../../store/statistics.ts';
import { bumpCatalogVersion } from '../../store/catalog_version.ts';
import { companyTables, contactTables, repairSuspendedSchema, restoreCatalogSchema, suspendIfEmpty, type LoadStage, type SuspendedSchema } from '../../store/catalog_bulk_load.ts';
import { CatalogWorkers } from './catalog_workers.ts';
import { checkChunk, type CatalogRecordType, type CheckedChunk, type ImportLineError, type LineChunk } from './import_lines.ts';

export type { CatalogRecordType } from './import_lines.ts';

export interface ImportOptions {
  type: CatalogRecordType;
  /** The NDJSON text in chunks: a file stream, an HTTP body, strings in a test. */
  input: AsyncIterable<string | Buffer>;
  now: number;
  /** Lines read so far (every importProgressLines lines and at the end). */
  onProgress?: (lines: number) => void;
  /** Records written so far (after each chunk); rolled back if the import fails. */
  onWriteProgress?: (written: number) => void;
  /** The steps after the writing, as each begins. */
  onStage?: (stage: LoadStage) => void;
  /** Checking threads; 0 checks on this thread (default: one per core but one, from the second chunk). */
  workers?: number;
  /** The input reads at disk speed (a local file): on SQLite it is not copied first. */
  localInput?: boolean;
  /**
   * Runs inside the import's transaction once every record is written, before the commit (the
   * operator API claims the request's Idempotency-Key there); what it throws rolls the import back.
   */
  beforeCommit?: (tx: Kysely<Database>, counts: WriteCounts) => Promise<void>;
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
/** Lines checked, encoded and written together. */
export const importChunkLines = 2_000;
/** As often as chunks are written, so that the lines read never trail the records written. */
export const importProgressLines = importChunkLines;
/** Chunks sent to each worker ahead of the one being written. */
const chunksAheadPerWorker = 2;
export const importWorkersMax = 4;
/** Contacts whose company is looked up in one query. */
const companyLookupBatch = 1_000;

/** Thrown inside the write transaction to roll it back when a line was invalid. */
class InvalidImport extends Error {}

export async function importCatalog(store: Store, options: ImportOptions): Promise<ImportResult> {
  if (store.dialect !== 'sqlite' || options.localInput) return importInput(store, options);
  const spool = await InputSpool.fill(options.input);
  try {
    return await importInput(store, { ...options, input: spool.read() });
  } finally {
    await spool.discard();
  }
}

async function importInput(store: Store, options: ImportOptions): Promise<ImportResult> {
  const errors = new ErrorList();
  const checker = new ChunkChecker(options);
  try {
    const counts = await loadRecords(store, options, async (tx, writer) => {
      const result = await importLines(tx, { store, options, writer, checker, errors });
      if (errors.count > 0) throw new InvalidImport();
      return result;
    });
    return { ok: true, imported: counts.created + counts.updated, created: counts.created, updated: counts.updated };
  } catch (error) {
    if (error instanceof InvalidImport) return errors.failure();
    throw error;
  } finally {
    await checker.close();
  }
}

/**
 * The database's side of an import: `write` writes the records of one type inside ONE write
 * transaction, on the bulk path when the tables start empty (their indexes set aside, then built
 * again before the commit); then the catalog's version moves and the statistics are refreshed.
 * Whatever `write` throws rolls it all back. Exported for the bench, which times this part alone
 * with lines checked beforehand (the floor of an import).
 */
export async function loadRecords(
  store: Store,
  options: Pick<ImportOptions, 'type' | 'onStage' | 'beforeCommit'>,
  write: (tx: Kysely<Database>, writer: CatalogWriter) => Promise<WriteCounts>,
): Promise<WriteCounts> {
  // What a crashed seed left set aside comes back first: setting the same tables aside again
  // would find it gone, and the import would rebuild only what it dropped itself.
  await repairSuspendedSchema(store);
  const writer = openCatalogWriter(store);
  try {
    const counts = await store.writeTransaction(async (tx) => {
      const suspended = await suspendSchemaIfEmpty(tx, options.type);
      const result = await write(tx, writer);
      if (suspended !== null) {
        options.onStage?.('indexes');
        await restoreCatalogSchema(tx, suspended);
      }
      // What is derived from the catalog in memory is rebuilt when its version moves (store/catalog_version.ts).
      if (result.created + result.updated > 0) await bumpCatalogVersion(tx);
      await options.beforeCommit?.(tx, result);
      return result;
    });
    // The planners know nothing of the new rows until told (store/statistics.ts).
    if (counts.created + counts.updated > 0) {
      options.onStage?.('statistics');
      await store.writeTransaction((tx) => refreshStatistics(tx, options.type === 'companies' ? companyTables : contactTables));
    }
    return counts;
  } finally {
    await writer.close();
  }
}

/**
 * Into an empty table the indexes (and on PostgreSQL the foreign keys) of the tables written are
 * set aside and built again before the commit (store/catalog_bulk_load.ts). All inside the
 * import's one transaction, so a failed import rolls their removal back with everything else.
 */
function suspendSchemaIfEmpty(tx: Kysely<Database>, type: CatalogRecordType): Promise<SuspendedSchema | null> {
  return type === 'companies'
    ? suspendIfEmpty(tx, { records: 'companies', tables: companyTables })
    : suspendIfEmpty(tx, { records: 'contacts', tables: contactTables });
}

/** The input, copied to a file in a private temporary folder; discard() removes it. */
class InputSpool {
  readonly #folder: string;

  private constructor(folder: string) {
    this.#folder = folder;
  }

  static async fill(input: AsyncIterable<string | Buffer>): Promise<InputSpool> {
    const spool = new InputSpool(await mkdtemp(join(tmpdir(), 'quarry-import-')));
    try {
      await pipeline(Readable.from(input, { objectMode: false }), createWriteStream(spool.#path, { flags: 'wx', mode: 0o600 }));
      return spool;
    } catch (error) {
      await spool.discard();
      throw error;
    }
  }

  read(): AsyncIterable<Buffer> {
    return createReadStream(this.#path);
  }

  async discard(): Promise<void> {
    await rm(this.#folder, { recursive: true, force: true });
  }

  get #path(): string {
    return join(this.#folder, 'input.ndjson');
  }
}

interface ImportRun {
  store: Store;
  options: ImportOptions;
  writer: CatalogWriter;
  checker: ChunkChecker;
  errors: ErrorList;
}

/** Reads every line, checks it, and writes the valid records while no line has failed. */
async function importLines(tx: Kysely<Database>, run: ImportRun): Promise<WriteCounts> {
  const { options, errors } = run;
  const sink = new ChunkSink(tx, run);
  let chunk: LineChunk = newChunk(run);
  let lines = 0;
  let progressAt = importProgressLines;
  for await (const line of splitLines(options.input, importLineBytesMax)) {
    lines = line.number;
    if (lines >= progressAt) {
      options.onProgress?.(lines);
      progressAt = lines + importProgressLines;
    }
    if (lines > importLinesMax) {
      errors.add([{ line: lines, message: `an import has at most ${importLinesMax} lines: split the file` }]);
      break;
    }
    if (line.text === null) {
      errors.add([{ line: line.number, message: line.problem }]);
      continue;
    }
    chunk.numbers.push(line.number);
    chunk.texts.push(line.text);
    if (chunk.numbers.length >= importChunkLines) {
      await sink.add(chunk);
      chunk = newChunk(run);
    }
  }
  // Every line is read: said before the last chunks are written, so that the records written
  // never run ahead of the lines read.
  options.onProgress?.(lines);
  if (chunk.numbers.length > 0) await sink.add(chunk);
  await sink.finish();
  return sink.counts;
}

function newChunk(run: ImportRun): LineChunk {
  return { type: run.options.type, engine: run.store.dialect, encode: run.errors.count === 0, now: run.options.now, numbers: [], texts: [] };
}

/** Checks chunks (on workers when there are several) and handles their results in order. */
class ChunkSink {
  readonly counts: WriteCounts = { created: 0, updated: 0 };
  readonly #tx: Kysely<Database>;
  readonly #run: ImportRun;
  readonly #firstLineById = new Map<string, number>();
  readonly #companies: CompanyChecker | null;
  readonly #pending: Array<Promise<CheckedChunk>> = [];
  #written = 0;

  constructor(tx: Kysely<Database>, run: ImportRun) {
    this.#tx = tx;
    this.#run = run;
    this.#companies = run.options.type === 'contacts' ? new CompanyChecker(tx, run.errors) : null;
  }

  async add(chunk: LineChunk): Promise<void> {
    chunk.encode = this.#run.errors.count === 0;
    this.#pending.push(this.#run.checker.check(chunk));
    while (this.#pending.length > this.#run.checker.ahead) await this.#handle(await this.#pending.shift()!);
  }

  async finish(): Promise<void> {
    while (this.#pending.length > 0) await this.#handle(await this.#pending.shift()!);
  }

  async #handle(checked: CheckedChunk): Promise<void> {
    const { errors, options } = this.#run;
    for (const problems of checked.invalid) errors.add(problems);
    for (let index = 0; index < checked.ids.length; index += 1) {
      const id = checked.ids[index]!;
      const line = checked.validLines[index]!;
      const firstLine = this.#firstLineById.get(id);
      if (firstLine !== undefined) {
        errors.add([{ line, field: 'id', message: `id: "${id}" is already on line ${firstLine}` }]);
        continue;
      }
      this.#firstLineById.set(id, line);
      await this.#companies?.check(line, checked.companyIds[index]!);
    }
    await this.#companies?.flush();
    if (errors.count > 0 || checked.rows === null) return;
    const counts = await this.#run.writer.write(this.#tx, checked.rows, options.now);
    const written = options.type === 'companies' ? counts.companies : counts.contacts;
    this.counts.created += written.created;
    this.counts.updated += written.updated;
    this.#written += checked.ids.length;
    options.onWriteProgress?.(this.#written);
  }
}

/** Checks chunks on this thread until a second chunk shows the input is large, then on workers (once they have started). */
class ChunkChecker {
  readonly #workerCount: number;
  readonly #forced: boolean;
  #workers: CatalogWorkers<LineChunk, CheckedChunk> | null = null;
  #chunks = 0;

  constructor(options: ImportOptions) {
    this.#forced = (options.workers ?? 0) > 0;
    this.#workerCount = options.workers ?? Math.max(1, Math.min(importWorkersMax, availableParallelism() - 1));
  }

  /** Chunks that may wait for their turn beyond the one being handled. */
  get ahead(): number {
    return this.#workers === null ? 0 : this.#workers.size * chunksAheadPerWorker;
  }

  check(chunk: LineChunk): Promise<CheckedChunk> {
    this.#chunks += 1;
    if (this.#workers === null && this.#workerCount > 0 && (this.#forced || this.#chunks > 1)) {
      this.#workers = importWorkers.take(this.#workerCount);
    }
    // While the workers start (half a second), this thread checks the chunks itself: the import
    // moves on instead of waiting for them, and the results keep their order all the same. A
    // caller that asked for workers (a test of them) gets them for every chunk.
    const onThisThread = this.#workers === null || (!this.#forced && !this.#workers.ready);
    return onThisThread ? Promise.resolve(checkChunk(chunk)) : this.#workers!.submit(chunk);
  }

  async close(): Promise<void> {
    if (this.#workers) importWorkers.give(this.#workers);
  }
}

/** How long the checking workers wait for the next import before they stop. */
const importWorkersIdleMs = 60_000;

/**
 * The checking workers, kept between imports: a worker takes about half a second to start
 * (it loads the checks through tsx), a whole import of a few thousand lines takes less. They
 * stop after a minute without imports, and never keep the process alive. Imports at once share
 * them: each submit gets its own answer, in order.
 */
class ImportWorkerPool {
  #workers: CatalogWorkers<LineChunk, CheckedChunk> | null = null;
  #users = 0;
  #idle: NodeJS.Timeout | null = null;

  take(count: number): CatalogWorkers<LineChunk, CheckedChunk> {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = null;
    if (!this.#workers?.usable || this.#workers.size !== count) {
      // Workers still in use by another import are closed when it gives them back.
      if (this.#users === 0) void this.#workers?.close();
      this.#workers = new CatalogWorkers(new URL('./import_worker.ts', import.meta.url), count);
      this.#users = 0;
    }
    // In use, they keep the process alive: the last chunks may be on a worker after the input ended.
    this.#workers.ref();
    this.#users += 1;
    return this.#workers;
  }

  give(workers: CatalogWorkers<LineChunk, CheckedChunk>): void {
    // Workers replaced while this import used them (another import wanted a different count).
    if (workers !== this.#workers) {
      void workers.close();
      return;
    }
    this.#users -= 1;
    if (this.#users > 0) return;
    workers.unref();
    this.#idle = setTimeout(() => {
      this.#idle = null;
      if (this.#users > 0 || this.#workers !== workers) return;
      this.#workers = null;
      void workers.close();
    }, importWorkersIdleMs);
    this.#idle.unref();
  }
}

const importWorkers = new ImportWorkerPool();

/**
 * Contacts must belong to companies already in the catalog. Lookups go in batches, inside the
 * import's transaction, and every answer is remembered, so a million contacts cost about a
 * thousand queries for their companies.
 */
class CompanyChecker {
  readonly #db: Kysely<Database>;
  readonly #errors: ErrorList;
  readonly #known = new Map<string, boolean>();
  #pending: Array<{ line: number; companyId: string }> = [];

  constructor(db: Kysely<Database>, errors: ErrorList) {
    this.#db = db;
    this.#errors = errors;
  }

  async check(line: number, companyId: string): Promise<void> {
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
    const existing = await existingCompanyIds(this.#db, unknownIds);
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
// Line splitting.

type InputLine =
  /** `number`: 1-based, counting blank lines too, as an editor does. */
  | { number: number; text: string }
  /** A line that cannot be read: longer than the bound (its bytes were not kept), or not UTF-8. */
  | { number: number; text: null; problem: string };

const newlineByte = 0x0a;
const carriageReturnByte = 0x0d;

/**
 * Splits chunks into lines on `\n` (a trailing `\r` is dropped), skipping blank lines, without
 * ever holding more than `bytesMax` bytes of one line (plus its `\r`). Lines are cut as bytes and
 * decoded whole, so a multi-byte character split across chunks survives; a line that is not
 * valid UTF-8 is reported rather than decoded with replacement characters, which would import
 * text the vendor never sent.
 */
async function* splitLines(input: AsyncIterable<string | Buffer>, bytesMax: number): AsyncGenerator<InputLine> {
  // One byte more than the bound, for a CRLF line's `\r`, which the bound does not count.
  const keptMax = bytesMax + 1;
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
      // Past the bound the line's bytes are dropped; only its length is still counted. No empty
      // parts (a chunk that starts with the line break), so the last part ends with the line's
      // last byte: a `\r` there is seen however the chunks fell.
      if (bytes <= keptMax && end > start) parts.push(buffer.subarray(start, end));
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
  const lastPart = parts.at(-1);
  const endsInCarriageReturn = bytes <= bytesMax + 1 && lastPart !== undefined && lastPart.at(-1) === carriageReturnByte;
  if (bytes - (endsInCarriageReturn ? 1 : 0) > bytesMax) return { number, text: null, problem: `the line is longer than ${bytesMax} bytes` };
  const line = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (!isUtf8(line)) return { number, text: null, problem: 'the line is not valid UTF-8' };
  let text = line.toString('utf8');
  if (number === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return text.trim() === '' ? null : { number, text };
}
