// `quarry import <file> --type companies|contacts`: loads NDJSON into the catalog, all or nothing.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import {
  importCatalog,
  importErrorsReportedMax,
  importLineBytesMax,
  type CatalogRecordType,
  type ImportResult,
} from '../app/catalog/import_catalog.ts';
import { wallNow } from '../lib/clock.ts';
import { print, printFailure, withApp, type OutputOptions } from './context.ts';
import { loadStageTexts, startProgress, type Progress } from './progress.ts';

interface ImportCommandOptions extends OutputOptions {
  type: CatalogRecordType;
}

export function registerImportCommand(program: Command): void {
  program
    .command('import <file>')
    .description('Import companies or contacts from an NDJSON file (one JSON record a line), all or nothing.')
    .addOption(new Option('--type <type>', 'what the file holds').choices(['companies', 'contacts']).makeOptionMandatory())
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
<file> is a path, or - for standard input. The format is API.md's "Catalog import":
  companies: {"id", "name", "domain", "industry", "employees", "revenue_usd", "country",
              "city", "founded", "description", "technologies", "ip_ranges", "signals",
              "financials", "news"} (id and name required)
  contacts:  {"id", "company_id", "first_name", "last_name", "title", "seniority",
              "department", "email", "phone", "linkedin_url", "country"}
              (id, company_id and a first or last name required; the company must exist)

If any line is invalid, nothing is written (exit code 1) and the invalid lines are listed with
their numbers and problems: the first ${importErrorsReportedMax} problems, then how many more
(--json: "invalid_lines" counts the lines, "omitted" the problems not listed). Re-importing a record updates it by id; subscriptions to it are kept.
Lines are UTF-8, at most ${importLineBytesMax} bytes each (CRLF line ends are fine); text must
not hold NUL characters or unpaired surrogates. The whole import is one transaction: records are
written while later lines are still being checked (on worker threads for large files), and
all of it is rolled back if any line is invalid. Progress goes to stderr: a bar on a terminal,
a line every 5 s otherwise, then a line as each step after the lines begins (the indexes, the
statistics); nothing with --json. On SQLite the import holds the database's write lock until
it commits: a server on the same file answers writes that wait longer than 10 s with 503
unavailable (Retry-After), so import a large catalog when that pause is acceptable.

Examples:
  npx quarry import companies.ndjson --type companies
  npx quarry import contacts.ndjson --type contacts --json
  gunzip -c companies.ndjson.gz | npx quarry import - --type companies`,
    )
    .action((file: string, options: ImportCommandOptions) =>
      withApp(async (context) => {
        const size = file === '-' ? null : await fileSize(file);
        if (size instanceof Error) return printFailure(options, 'invalid_request', size.message);
        const startedAt = wallNow();
        const progress = new ImportProgress(options, size);
        const result = await importCatalog(context.store, {
          type: options.type,
          input: countBytes(file === '-' ? process.stdin : createReadStream(file), (bytes) => progress.read(bytes)),
          now: context.clock.now(),
          onProgress: (lines) => progress.lines(lines),
          onWriteProgress: (written) => progress.written(written),
          onStage: (stage) => progress.stage(loadStageTexts[stage]),
          localInput: file !== '-',
        });
        progress.stop();
        reportResult(options, result, Math.round(wallNow() - startedAt) / 1_000);
      }),
    );
}

/** The file's size in bytes, or an error to print when it cannot be read as a file. */
async function fileSize(file: string): Promise<number | Error> {
  try {
    const facts = await stat(file);
    return facts.isFile() ? facts.size : new Error(`${file} is not a file`);
  } catch (error) {
    return new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
}

async function* countBytes(input: AsyncIterable<string | Buffer>, onBytes: (bytes: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    onBytes(buffer.length);
    yield buffer;
  }
}

function reportResult(options: ImportCommandOptions, result: ImportResult, seconds: number): void {
  if (result.ok) {
    const { ok: _ok, ...counts } = result;
    print(
      options,
      { ...counts, seconds },
      `imported ${result.imported} ${options.type} (${result.created} created, ${result.updated} updated) in ${seconds.toFixed(1)} s`,
    );
    return;
  }
  // The first importErrorsReportedMax problems are listed; `omitted` counts problems, not lines.
  const more = result.omitted > 0 ? ` (the first ${result.errors.length} problems listed, ${result.omitted} more not listed)` : '';
  const message = `${result.invalid_lines} invalid line(s)${more}; nothing was imported`;
  if (options.json) {
    const error = { code: 'invalid_request', message, lines: result.errors, invalid_lines: result.invalid_lines, omitted: result.omitted };
    print(options, { error }, message);
    process.exitCode = 1;
    return;
  }
  for (const error of result.errors) process.stderr.write(`line ${error.line}: ${error.message}\n`);
  printFailure(options, 'invalid_request', message);
}

/**
 * Progress on stderr: bytes read out of the file's size (for standard input, whose size is
 * unknown, lines read), with the lines read and the records written so far.
 */
class ImportProgress {
  readonly #progress: Progress;
  readonly #bySize: boolean;
  #bytes = 0;
  #lines = 0;
  #written = 0;

  constructor(options: ImportCommandOptions, size: number | null) {
    this.#bySize = size !== null;
    this.#progress = startProgress({ json: options.json, label: 'importing', unit: size === null ? 'lines' : 'bytes', total: size });
  }

  read(bytes: number): void {
    this.#bytes += bytes;
    if (this.#bySize) this.#show();
  }

  lines(lines: number): void {
    this.#lines = lines;
    this.#show();
  }

  written(written: number): void {
    this.#written = written;
    this.#show();
  }

  /** A step after the lines (seed_catalog.ts's LoadStage), on a line of its own. */
  stage(text: string): void {
    this.#show();
    this.#progress.stage(text);
  }

  stop(): void {
    this.#show();
    this.#progress.stop();
  }

  #show(): void {
    const detail = `${this.#lines.toLocaleString('en-US')} lines read, ${this.#written.toLocaleString('en-US')} ${this.#written === 1 ? 'record' : 'records'} written`;
    this.#progress.update(this.#bySize ? this.#bytes : this.#lines, this.#bySize ? detail : `${this.#written.toLocaleString('en-US')} records written`);
  }
}
