// `npm run bench`: Quarry's read path under load, beside the floor of this machine.
//
//   1. IP lookups in process (ip_lookup_bench.ts): the IP-to-company index of 1,000,000 ranges,
//      beside a Map of exact address strings and the address parse alone.
//   2. Floor: a bare Fastify hello-world in its own process, loaded by autocannon from here.
//   3. SQLite (a fresh data directory) and PostgreSQL (a throwaway cluster with fsync on): the
//      real server (`node bin/quarry.js serve`) in its own process, a generated catalog, then
//      subscribed re-reads and charged first reads of GET /v1/companies/{id}, and page views
//      on POST /collect; on PostgreSQL also the raw pooled transaction rate of the same cluster.
//   4. The catalog at scale (catalog_bench.ts): seeding 1,000,000 companies and importing NDJSON
//      on SQLite and PostgreSQL, beside the raw insert rate of a trivial table on each.
//   5. A table of every figure beside its floor and target, and bench/results/latest.json.
//
// Options: --seconds N (per measured load, default 8), --databases sqlite,postgres,
// --only lookups,reads,catalog (default all three), --seed-companies N (default 1,000,000),
// --import-companies N (companies in the imported file, default 40,000; contacts about 5x).
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repositoryRoot, startServer } from './child_process.ts';
import { cpuWindow, machineBusyOver } from './cpu.ts';
import { runLoad, rotating } from './load.ts';
import { serverSharedBuffersMb, startDurableCluster } from './postgres_cluster.ts';
import { measureTransactionFloor } from './postgres_floor.ts';
import { benchQuarry, type BenchSettings } from './quarry_bench.ts';
import { renderTable, verdicts, type DatabaseReport, type Report } from './report.ts';
import { benchCatalog, type CatalogBenchSettings } from './catalog_bench.ts';
import { catalogVerdicts, renderCatalogTable, type CatalogReport } from './catalog_report.ts';
import { benchIpLookups, type LookupFigures } from './ip_lookup_bench.ts';
import { lookupVerdicts, renderLookupTable } from './ip_lookup_report.ts';

/** The server's default pool (QUARRY_DB_POOL_SIZE). */
const serverPoolSize = 10;
/** Above this share of busy cores before the run, the machine is not quiet. */
const machineBusyBeforeMax = 0.15;
const quietWaitSecondsMax = 60;
const loadSecondsMax = 30;
const floorWarmupSeconds = 1;
const floorSeconds = 5;
/** Ranges in the index of the lookups benchmark (issue #5). */
const lookupRanges = 1_000_000;
const partNames = ['lookups', 'reads', 'catalog'] as const;

const benchStartedAt = performance.now();

function log(line: string): void {
  process.stderr.write(`[${((performance.now() - benchStartedAt) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
}

async function main(): Promise<void> {
  const { settings, databases, parts, catalogSettings } = parseOptions();
  // An interrupted run still stops its children (child_process.ts) and its cluster (the harness).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const sourceAtStart = sourceVersion();
  const busyBefore = await waitForQuietMachine();

  // In this process and first, while nothing else of the bench has grown its heap.
  const lookups = parts.has('lookups') ? measureLookups() : null;
  const report = parts.has('reads') ? await measureReads(settings, databases) : null;
  const catalog = parts.has('catalog') ? await measureCatalog(catalogSettings, databases) : null;
  const postgres = report?.postgres ?? { skipped: 'reads not run' };
  const sourceAtEnd = sourceVersion();
  const list = [
    ...(lookups ? lookupVerdicts(lookups) : []),
    ...(report ? verdicts(report) : []),
    ...(catalog ? catalogVerdicts(catalog) : []),
  ];

  const heading = [
    `Quarry bench: ${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`,
    report
      ? `autocannon in this process, ${settings.connections} connections, pipelining 1, ${settings.seconds} s per load after a warm-up;` +
        ` ${settings.catalogCompanies.toLocaleString('en-US')} generated companies`
      : '',
    postgres.settings
      ? `PostgreSQL ${postgres.settings.server_version}: fsync=${postgres.settings.fsync}, synchronous_commit=${postgres.settings.synchronous_commit},` +
        ` wal_sync_method=${postgres.settings.wal_sync_method}, shared_buffers=${postgres.settings.shared_buffers}; server pool ${serverPoolSize}`
      : '',
    `Source: ${sourceAtStart}${sourceAtEnd === sourceAtStart ? '' : ` at the start, ${sourceAtEnd} at the end: the code changed during the run`}`,
    `CPU busy before the run: ${Math.round(busyBefore * 100)}%`,
  ].filter(Boolean);
  const passed = list.filter((verdict) => verdict.pass).length;
  const seconds = ((performance.now() - benchStartedAt) / 1000).toFixed(0);
  const tables = [lookups ? renderLookupTable(lookups) : '', report ? renderTable(report) : '', catalog ? renderCatalogTable(catalog) : '']
    .filter(Boolean)
    .join('\n\n');
  process.stdout.write(`\n${heading.join('\n')}\n\n${tables}\n\n${passed} of ${list.length} targets met. Whole run: ${seconds} s.\n`);

  const resultsDir = join(repositoryRoot, 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  const json = {
    finishedAt: new Date().toISOString(),
    source: { atStart: sourceAtStart, atEnd: sourceAtEnd },
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version, busyBefore },
    settings: { ...settings, catalog: catalogSettings },
    targets: list,
    lookups,
    report,
    catalog,
  };
  await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write('Results: bench/results/latest.json\n');
  // A wrong charge count, visits beyond the views sent, a wrong company for an address: correctness
  // failures, not slow figures. They fail the command.
  if (list.some((verdict) => 'correctness' in verdict && verdict.correctness && !verdict.pass)) process.exitCode = 1;
}

interface Options {
  settings: BenchSettings;
  databases: Set<string>;
  /** `lookups` (IP lookups in process), `reads` (the loads on the real server) and `catalog` (seed and import at scale). */
  parts: Set<string>;
  catalogSettings: CatalogBenchSettings;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '8' },
      databases: { type: 'string', default: 'sqlite,postgres' },
      only: { type: 'string', default: partNames.join(',') },
      'seed-companies': { type: 'string', default: '1000000' },
      'import-companies': { type: 'string', default: '40000' },
    },
  });
  const parts = new Set(values.only.split(',').map((name) => name.trim()));
  if ([...parts].some((part) => !(partNames as readonly string[]).includes(part))) {
    throw new Error(`--only takes one or more of ${partNames.join(', ')}, separated by commas`);
  }
  const catalogSettings: CatalogBenchSettings = {
    seedCompanies: positiveInteger(values['seed-companies'], '--seed-companies'),
    importCompanies: positiveInteger(values['import-companies'], '--import-companies'),
  };
  const seconds = Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > loadSecondsMax) {
    throw new Error(`--seconds must be between 1 and ${loadSecondsMax}`);
  }
  const settings: BenchSettings = {
    connections: 50,
    seconds,
    warmupSeconds: 2,
    catalogCompanies: 20_000,
    subscribedCompanies: 2_000,
    chargeAccounts: 50,
    visitorCompanies: 3_000,
  };
  return { settings, databases: new Set(values.databases.split(',').map((name) => name.trim())), parts, catalogSettings };
}

function positiveInteger(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

function measureLookups(): LookupFigures {
  return benchIpLookups({ ranges: lookupRanges, log: (line) => log(`IP lookups: ${line}`) });
}

async function measureReads(settings: BenchSettings, databases: Set<string>): Promise<Report> {
  log('floor: hello-world');
  const hello = await measureHello(settings);
  const notSelected: DatabaseReport = { skipped: 'not selected (--databases)' };
  const sqlite = databases.has('sqlite') ? await measureSqlite(settings) : notSelected;
  const postgres = databases.has('postgres') ? await measurePostgres(settings) : notSelected;
  return { hello, sqlite, postgres };
}

async function measureCatalog(settings: CatalogBenchSettings, databases: Set<string>): Promise<CatalogReport> {
  const notSelected = { skipped: 'not selected (--databases)' };
  const sqlite = databases.has('sqlite') ? await benchCatalog(settings, { log: (line) => log(`catalog, SQLite: ${line}`) }) : notSelected;
  if (!databases.has('postgres')) return { sqlite, postgres: notSelected };
  log(`catalog, PostgreSQL: starting a throwaway cluster (fsync on, shared_buffers ${serverSharedBuffersMb} MB)`);
  let cluster;
  try {
    cluster = await startDurableCluster();
  } catch (error) {
    return { sqlite, postgres: { skipped: (error as Error).message.split('\n')[0] ?? 'no cluster' } };
  }
  try {
    const postgres = await benchCatalog(settings, {
      createDatabase: (name) => cluster.createDatabase(name),
      databasePid: cluster.postmasterPid,
      log: (line) => log(`catalog, PostgreSQL: ${line}`),
    });
    return { sqlite, postgres };
  } finally {
    await cluster.stop();
  }
}

/** The commit measured, and whether src/ had changes not yet committed (others may be editing). */
function sourceVersion(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: repositoryRoot, encoding: 'utf8' }).trim();
    const changed = git('status', '--porcelain', '--', 'src', 'bin').split('\n').filter(Boolean).length;
    return `${git('rev-parse', '--short', 'HEAD')}${changed > 0 ? ` + ${changed} uncommitted file(s) in src/` : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** Other work on the machine takes cores from the server: wait a little for it to end. */
async function waitForQuietMachine(): Promise<number> {
  let busy = await machineBusyOver(1_000);
  for (let waited = 1; busy > machineBusyBeforeMax && waited < quietWaitSecondsMax; waited += 1) {
    if (waited === 1) log(`${Math.round(busy * 100)}% of the CPU is busy with other work: waiting up to ${quietWaitSecondsMax} s for it to end`);
    busy = await machineBusyOver(1_000);
  }
  if (busy > machineBusyBeforeMax) {
    log(`warning: ${Math.round(busy * 100)}% of the CPU is busy with other work; figures will be low (see the "other" column)`);
  }
  return busy;
}

async function measureHello(settings: BenchSettings): Promise<Report['hello']> {
  const server = await startServer({
    name: 'hello-world',
    args: (port) => ['--import', 'tsx', 'bench/hello_server.ts', String(port)],
    healthPath: '/',
  });
  try {
    const load = { origin: server.origin, connections: settings.connections, next: rotating(['/']) };
    await runLoad({ ...load, durationSeconds: settings.warmupSeconds });
    const cpu = cpuWindow({ serverPid: server.pid });
    const result = await runLoad({ ...load, durationSeconds: settings.seconds });
    return { ...result, cpu: cpu(), rssBytes: server.rssBytes() };
  } finally {
    await server.stop();
  }
}

async function measureSqlite(settings: BenchSettings): Promise<DatabaseReport> {
  log('SQLite: starting the server on a fresh data directory');
  return { quarry: await benchQuarry({ database: 'sqlite', settings, log: (line) => log(`SQLite: ${line}`) }) };
}

async function measurePostgres(settings: BenchSettings): Promise<DatabaseReport> {
  log(`PostgreSQL: starting a throwaway cluster (fsync on, shared_buffers ${serverSharedBuffersMb} MB)`);
  let cluster;
  try {
    cluster = await startDurableCluster();
  } catch (error) {
    log(`PostgreSQL: skipped: ${(error as Error).message}`);
    return { skipped: (error as Error).message.split('\n')[0] };
  }
  try {
    log(`PostgreSQL: raw pooled transactions, pool ${serverPoolSize}, ${settings.connections} callers, ${floorSeconds} s`);
    const floor = await measureTransactionFloor({
      url: await cluster.createDatabase('bench_floor'),
      poolSize: serverPoolSize,
      workers: settings.connections,
      warmupSeconds: floorWarmupSeconds,
      seconds: floorSeconds,
      databasePid: cluster.postmasterPid,
    });
    const quarry = await benchQuarry({
      database: 'postgres',
      databaseUrl: await cluster.createDatabase('quarry'),
      databasePid: cluster.postmasterPid,
      settings,
      log: (line) => log(`PostgreSQL: ${line}`),
    });
    return { quarry, floor, settings: cluster.settings };
  } finally {
    await cluster.stop();
  }
}

await main();
