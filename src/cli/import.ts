// `quarry import <file> --type companies|contacts`: loads NDJSON into the catalog, all or nothing.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import {
  importCatalog,
  importLineBytesMax,
  type CatalogRecordType,
  type ImportResult,
} from '../app/catalog/import_catalog.ts';
import { wallNow } from '../lib/clock.ts';
import { print, printFailure, withApp, type OutputOptions } from './context.ts';

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

If any line is invalid, every invalid line is listed with its number and nothing is written
(exit code 1). Re-importing a record updates it by id; subscriptions to it are kept.
Lines are at most ${importLineBytesMax} bytes.

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
        const progress = options.json ? null : new ImportProgress(size);
        const result = await importCatalog(context.store, {
          type: options.type,
          input: countBytes(file === '-' ? process.stdin : createReadStream(file), (bytes) => progress?.read(bytes)),
          now: context.clock.now(),
          onProgress: (lines) => progress?.lines(lines),
          onWriteProgress: (written, total) => progress?.written(written, total),
        });
        progress?.stop();
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
  const more = result.omitted > 0 ? ` (${result.omitted} more not listed)` : '';
  const message = `${result.invalid_lines} invalid line(s)${more}; nothing was imported`;
  if (options.json) {
    print(options, { error: { code: 'invalid_request', message, lines: result.errors, omitted: result.omitted } }, message);
    process.exitCode = 1;
    return;
  }
  for (const error of result.errors) process.stderr.write(`line ${error.line}: ${error.message}\n`);
  printFailure(options, 'invalid_request', message);
}

/**
 * Two bars on stderr: bytes read while validating (or a line count for standard input, whose
 * size is unknown), then records written. cli-progress draws nothing when stderr is not a terminal.
 */
class ImportProgress {
  readonly #size: number | null;
  #bar: cliProgress.SingleBar;
  #bytes = 0;
  #lines = 0;
  #writing = false;

  constructor(size: number | null) {
    this.#size = size;
    this.#bar = bar(size === null ? 'validating | {lines} lines read' : 'validating [{bar}] {percentage}% | {lines} lines read');
    this.#bar.start(size ?? 0, 0, { lines: 0 });
  }

  read(bytes: number): void {
    this.#bytes += bytes;
    if (this.#size !== null) this.#bar.update(this.#bytes, { lines: this.#lines });
  }

  lines(lines: number): void {
    this.#lines = lines;
    this.#bar.update(this.#size === null ? 0 : this.#bytes, { lines });
  }

  written(written: number, total: number): void {
    if (!this.#writing) {
      this.#bar.stop();
      this.#bar = bar('writing    [{bar}] {percentage}% | {value}/{total} records');
      this.#bar.start(total, 0);
      this.#writing = true;
    }
    this.#bar.update(written);
  }

  stop(): void {
    this.#bar.stop();
  }
}

function bar(format: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar({ stream: process.stderr, format, hideCursor: true }, cliProgress.Presets.shades_classic);
}
