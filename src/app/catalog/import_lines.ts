// The CPU-bound half of an import: a chunk of NDJSON lines checked against the import schema and,
// when every line so far was valid, encoded as the engine's rows. Pure, so it runs on worker
// threads (import_worker.ts) while the importing thread writes the chunk before.
//
// What needs the whole import or the database is left to the importing thread: ids repeated
// across lines, contacts whose company is missing, and the writing itself.
import type { z } from 'zod';
import { encodeCatalogBatch, type CatalogEngine, type CatalogRows, type CompanyWrite, type ContactWrite } from '../../store/catalog_writes.ts';
import { companyLineSchema, contactLineSchema } from './import_schemas.ts';
import { fastCompanyLine, fastContactLine } from './import_fast_lines.ts';

export type CatalogRecordType = 'companies' | 'contacts';

export interface ImportLineError {
  line: number;
  message: string;
  /** The field at fault, as a dotted path (`signals.2.occurred_at`). */
  field?: string;
}

/** A line's problems beyond this many are not reported: enough to fix it, not enough to drown others. */
export const importLineErrorsMax = 10;

export interface LineChunk {
  type: CatalogRecordType;
  engine: CatalogEngine;
  /** False once the import has failed: the rows would never be written. */
  encode: boolean;
  /** The records' update time. */
  now: number;
  /** Line numbers and texts, in order. */
  numbers: number[];
  texts: string[];
}

export interface CheckedChunk {
  /** The valid lines' numbers and ids (and, for contacts, company ids), in order. */
  validLines: number[];
  ids: string[];
  companyIds: string[];
  /** The problems of each invalid line. */
  invalid: ImportLineError[][];
  /** The valid records, encoded; null when not asked for, or when an id repeats within the chunk. */
  rows: CatalogRows | null;
}

export function checkChunk(chunk: LineChunk): CheckedChunk {
  return chunk.type === 'companies'
    ? checkLines(chunk, { schema: companyLineSchema, fast: fastCompanyLine }, (companies: CompanyWrite[]) => ({ companies, contacts: [] }))
    : checkLines(chunk, { schema: contactLineSchema, fast: fastContactLine }, (contacts: ContactWrite[]) => ({ companies: [], contacts }));
}

/**
 * A line type's checks: the fast path (import_fast_lines.ts) for the common valid line, and the
 * schema, which decides every line the fast path is not sure of and words its errors.
 */
interface LineChecks<Row> {
  schema: z.ZodType<Row>;
  fast: (value: unknown) => Row | undefined;
}

function checkLines<Row extends { id: string }>(
  chunk: LineChunk,
  checks: LineChecks<Row>,
  batch: (rows: Row[]) => { companies: CompanyWrite[]; contacts: ContactWrite[] },
): CheckedChunk {
  const checked: CheckedChunk = { validLines: [], ids: [], companyIds: [], invalid: [], rows: null };
  const rows: Row[] = [];
  for (let index = 0; index < chunk.numbers.length; index += 1) {
    const line = chunk.numbers[index]!;
    const row = checkLine(line, chunk.texts[index]!, checks, checked.invalid);
    if (row === null) continue;
    checked.validLines.push(line);
    checked.ids.push(row.id);
    checked.companyIds.push((row as { company_id?: string }).company_id ?? '');
    rows.push(row);
  }
  const distinct = new Set(checked.ids).size === checked.ids.length;
  if (chunk.encode && distinct && rows.length > 0) checked.rows = encodeCatalogBatch(chunk.engine, batch(rows), chunk.now);
  return checked;
}

/** The line's row when it is valid; otherwise its problems go to `invalid` and the result is null. */
function checkLine<Row>(line: number, text: string, checks: LineChecks<Row>, invalid: ImportLineError[][]): Row | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    invalid.push([{ line, message: `invalid JSON: ${(error as Error).message}` }]);
    return null;
  }
  const fast = checks.fast(value);
  if (fast !== undefined) return fast;
  const parsed = checks.schema.safeParse(value);
  if (parsed.success) return parsed.data;
  invalid.push(parsed.error.issues.slice(0, importLineErrorsMax).map((issue) => issueError(line, issue)));
  return null;
}

function issueError(line: number, issue: z.core.$ZodIssue): ImportLineError {
  const field = issue.path.map(String).join('.');
  return field === '' ? { line, message: issue.message } : { line, field, message: `${field}: ${issue.message}` };
}
