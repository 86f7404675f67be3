// The targets, the verdicts, and the printed table.
import type { MeasuredFloor } from './postgres_floor.ts';
import type { LoadResult } from './load.ts';
import type { QuarryFigures } from './quarry_bench.ts';
import type { ServerSettings } from './postgres_cluster.ts';
import type { CpuUse } from './cpu.ts';

export const targets = {
  /** Subscribed re-reads: at least this share of the hello-world rate… */
  rereadsShareOfFloorMin: 0.5,
  /** …with a p99 at most this, in milliseconds. */
  rereadsP99MsMax: 5,
  /** Charged first reads on SQLite: at least this share of the hello-world rate. */
  sqliteFirstReadsShareOfFloorMin: 0.3,
  /** Charged first reads on PostgreSQL: at least this many per second. */
  postgresFirstReadsPerSecondMin: 2_500,
  /** POST /collect page views: at least this share of the hello-world rate. */
  collectShareOfFloorMin: 0.5,
} as const;

export interface Verdict {
  database: 'sqlite' | 'postgres' | 'in process';
  figure: string;
  value: number;
  target: string;
  pass: boolean;
  /** A check of correctness rather than speed: failing it fails the command. */
  correctness?: true;
}

export interface DatabaseReport {
  quarry?: QuarryFigures;
  floor?: MeasuredFloor;
  settings?: ServerSettings;
  /** Why this database was not measured. */
  skipped?: string;
}

export interface Report {
  hello: LoadResult & { cpu: CpuUse; rssBytes: number | undefined };
  sqlite: DatabaseReport;
  postgres: DatabaseReport;
}

export function verdicts(report: Report): Verdict[] {
  const floor = report.hello.requestsPerSecond;
  const list: Verdict[] = [];
  for (const database of ['sqlite', 'postgres'] as const) {
    const figures = report[database].quarry;
    if (!figures) continue;
    list.push({
      database,
      figure: 'subscribed re-reads, share of hello-world req/s',
      value: figures.rereads.requestsPerSecond / floor,
      target: `>= ${targets.rereadsShareOfFloorMin}`,
      pass: figures.rereads.requestsPerSecond / floor >= targets.rereadsShareOfFloorMin,
    });
    list.push({
      database,
      figure: 'subscribed re-reads, p99 ms',
      value: figures.rereads.p99Ms,
      target: `<= ${targets.rereadsP99MsMax}`,
      pass: figures.rereads.p99Ms <= targets.rereadsP99MsMax,
    });
    list.push(
      database === 'sqlite'
        ? {
            database,
            figure: 'charged first reads, share of hello-world req/s',
            value: figures.firstReads.requestsPerSecond / floor,
            target: `>= ${targets.sqliteFirstReadsShareOfFloorMin}`,
            pass: figures.firstReads.requestsPerSecond / floor >= targets.sqliteFirstReadsShareOfFloorMin,
          }
        : {
            database,
            figure: 'charged first reads, req/s',
            value: figures.firstReads.requestsPerSecond,
            target: `>= ${targets.postgresFirstReadsPerSecondMin}`,
            pass: figures.firstReads.requestsPerSecond >= targets.postgresFirstReadsPerSecondMin,
          },
    );
    list.push({
      database,
      figure: 'charged first reads, charges = 200 responses',
      value: figures.firstReads.check.chargeEntries,
      target: `= ${figures.firstReads.check.responsesOk}, reconcile ok`,
      pass: figures.firstReads.check.ok,
      correctness: true,
    });
    list.push(...collectVerdicts(database, figures.collect, floor));
  }
  return list;
}

function collectVerdicts(database: Verdict['database'], collect: QuarryFigures['collect'], floor: number): Verdict[] {
  const check = collect.check;
  return [
    {
      database,
      figure: 'POST /collect page views, share of hello-world req/s',
      value: collect.requestsPerSecond / floor,
      target: `>= ${targets.collectShareOfFloorMin}`,
      pass: collect.requestsPerSecond / floor >= targets.collectShareOfFloorMin,
    },
    {
      database,
      figure: 'POST /collect, every view recorded (visits in the feed)',
      value: check.viewsRecorded,
      target: `= ${check.responses204} (204 responses)`,
      pass: check.allRecorded,
    },
    {
      database,
      figure: 'POST /collect, visits recorded <= views sent, all 204, balance unchanged, reconcile ok',
      value: check.viewsRecorded,
      target: `<= ${check.viewsSent}, balance change ${check.balanceChange} = 0`,
      pass: check.ok,
      correctness: true,
    },
  ];
}

type Cell = string;
type Row = Cell[] | 'rule';

const columns = ['', 'req/s', 'p50 ms', 'p99 ms', 'floor', 'ratio', 'target', 'result', 'CPU us/req srv/db', 'srv', 'db', 'gen', 'irq', 'other'];

export function renderTable(report: Report): string {
  const floor = report.hello.requestsPerSecond;
  const rows: Row[] = [columns, 'rule'];
  rows.push(['Floor']);
  const hello = report.hello;
  rows.push([
    '  hello-world, bare Fastify (GET /)',
    int(floor),
    ms(hello.p50Ms),
    ms(hello.p99Ms),
    '', '', '', '',
    perRequest((hello.cpu.serverCpuSeconds * 1e6) / Math.max(1, hello.responses), undefined),
    ...usageCells(hello.cpu),
  ]);
  const pgFloor = report.postgres.floor;
  if (pgFloor) {
    rows.push([
      '  PostgreSQL pooled tx/s (raw pg)',
      int(pgFloor.transactionsPerSecond),
      ms(pgFloor.p50Ms),
      ms(pgFloor.p99Ms),
      '', '', '', '',
      perRequest(0, (pgFloor.cpu.databaseCores ?? 0) * pgFloor.cpu.seconds * 1e6 / Math.max(1, pgFloor.transactions)).replace(/^0 /, '- '),
      ...usageCells(pgFloor.cpu),
    ]);
  }
  for (const database of ['sqlite', 'postgres'] as const) {
    const section = report[database];
    rows.push('rule');
    rows.push([database === 'sqlite' ? 'SQLite' : 'PostgreSQL']);
    if (!section.quarry) {
      rows.push([`  skipped: ${section.skipped ?? 'not run'}`]);
      continue;
    }
    const { rereads, firstReads } = section.quarry;
    const rereadRatio = rereads.requestsPerSecond / floor;
    rows.push([
      '  subscribed re-reads',
      int(rereads.requestsPerSecond),
      ms(rereads.p50Ms),
      ms(rereads.p99Ms),
      int(floor),
      ratio(rereadRatio),
      `>= ${targets.rereadsShareOfFloorMin}x`,
      passMiss(rereadRatio >= targets.rereadsShareOfFloorMin),
      perRequest(rereads.serverCpuUsPerRequest, rereads.databaseCpuUsPerRequest),
      ...usageCells(rereads.cpu),
    ]);
    rows.push(['', '', '', '', '', '', `p99 <= ${targets.rereadsP99MsMax} ms`, passMiss(rereads.p99Ms <= targets.rereadsP99MsMax)]);
    const firstRatio = firstReads.requestsPerSecond / floor;
    const firstRow = ['  charged first reads', int(firstReads.requestsPerSecond), ms(firstReads.p50Ms), ms(firstReads.p99Ms)];
    const usage = [perRequest(firstReads.serverCpuUsPerRequest, firstReads.databaseCpuUsPerRequest), ...usageCells(firstReads.cpu)];
    if (database === 'sqlite') {
      rows.push([...firstRow, int(floor), ratio(firstRatio), `>= ${targets.sqliteFirstReadsShareOfFloorMin}x`, passMiss(firstRatio >= targets.sqliteFirstReadsShareOfFloorMin), ...usage]);
    } else {
      const txFloor = section.floor?.transactionsPerSecond;
      rows.push([
        ...firstRow,
        txFloor === undefined ? '-' : `${int(txFloor)} tx`,
        txFloor === undefined ? '-' : ratio(firstReads.requestsPerSecond / txFloor),
        `>= ${int(targets.postgresFirstReadsPerSecondMin)}/s`,
        passMiss(firstReads.requestsPerSecond >= targets.postgresFirstReadsPerSecondMin),
        ...usage,
      ]);
      rows.push(['', '', '', '', int(floor), ratio(firstRatio), '(vs hello-world)']);
    }
    const check = firstReads.check;
    rows.push([
      `  charges: ${int(check.chargeEntries)} ledger, ${int(check.creditsCharged)} credits, ${int(check.responsesOk)} 200s, reconcile ${check.reconcileOk ? 'ok' : `${check.reconcileDifferences} differences`}`,
      '', '', '', '', '', 'all equal', passMiss(check.ok),
    ]);
    rows.push(...collectRows(section.quarry.collect, floor));
    const { collect } = section.quarry;
    const non200 = Object.entries({ ...rereads.statuses, ...firstReads.statuses }).filter(([status]) => status !== '200');
    const non204 = Object.entries(collect.statuses).filter(([status]) => status !== '204');
    const socketErrors = rereads.errors + firstReads.errors + collect.errors;
    if (non200.length > 0 || non204.length > 0 || socketErrors > 0 || rereads.creditsCharged !== 0) {
      rows.push([
        `  anomalies: reads non-200 ${JSON.stringify(Object.fromEntries(non200))}, /collect non-204 ${JSON.stringify(Object.fromEntries(non204))},` +
          ` socket errors ${socketErrors}, credits charged by re-reads ${rereads.creditsCharged}`,
      ]);
    }
    const figures = section.quarry;
    rows.push([
      `  server RSS (VmRSS): ${mb(figures.rssAfterRereadsBytes)} after re-reads, ${mb(figures.rssAfterFirstReadsBytes)} after first reads,` +
        ` ${mb(figures.rssAfterCollectBytes)} after page views` +
        ` (${mb(figures.rssAtStartBytes)} at start, ${mb(figures.rssAfterImportBytes)} after importing ${figures.catalog.companies.toLocaleString('en-US')} companies` +
        ` in ${figures.catalog.seconds.toFixed(1)} s)`,
    ]);
  }
  return render(rows);
}

/** The POST /collect load beside hello-world, and its visit check: FAIL is a correctness bug, MISS views dropped. */
function collectRows(collect: QuarryFigures['collect'], floor: number): Row[] {
  const collectRatio = collect.requestsPerSecond / floor;
  const check = collect.check;
  const verdict = !check.ok ? 'FAIL' : passMiss(check.allRecorded);
  return [
    [
      `  POST /collect page views (${int(collect.addresses)} addresses, ${int(collect.companies)} companies)`,
      int(collect.requestsPerSecond),
      ms(collect.p50Ms),
      ms(collect.p99Ms),
      int(floor),
      ratio(collectRatio),
      `>= ${targets.collectShareOfFloorMin}x`,
      passMiss(collectRatio >= targets.collectShareOfFloorMin),
      perRequest(collect.serverCpuUsPerRequest, collect.databaseCpuUsPerRequest),
      ...usageCells(collect.cpu),
    ],
    [
      `  visits: ${int(check.viewsRecorded)} recorded of ${int(check.responses204)} 204s, ${int(check.viewsDropped)} dropped`,
      '', '', '', '', '', check.ok ? 'every view recorded' : '<= sent, 0 credits', verdict,
    ],
    [
      `    ${int(check.viewsSent)} views sent; ${int(check.companiesInFeed)} of ${int(check.companiesSent)} companies in the feed;` +
        ` balance ${check.balanceChange >= 0 ? '+' : ''}${check.balanceChange} credits; reconcile ${check.reconcileOk ? 'ok' : 'failed'};` +
        (check.caughtUp
          ? ` everything written ${check.flushWaitSeconds.toFixed(1)} s after the load (the marker view showed)`
          : ` the collector had not caught up ${check.flushWaitSeconds.toFixed(0)} s after the load (no marker view in the feed)`),
    ],
  ];
}

function render(rows: Row[]): string {
  // A row with one cell is a heading and does not widen the first column.
  const widths = columns.map((_, index) =>
    Math.max(...rows.map((row) => (row === 'rule' || (row.length === 1 && index === 0) ? 0 : (row[index] ?? '').length))),
  );
  const total = widths.reduce((sum, width) => sum + width + 2, 0);
  return rows
    .map((row) => {
      if (row === 'rule') return '-'.repeat(total);
      if (row.length === 1) return row[0]!;
      return row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ');
    })
    .join('\n');
}

function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : '-';
}

function ratio(value: number): string {
  return `${value.toFixed(value < 0.1 ? 3 : 2)}x`;
}

/** CPU microseconds per request: the server's, and the database's when it has processes. */
function perRequest(serverUs: number, databaseUs: number | undefined): string {
  return databaseUs === undefined ? `${Math.round(serverUs)}` : `${Math.round(serverUs)} / ${Math.round(databaseUs)}`;
}

function cores(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(2);
}

/** Cores used by the server, the database, the load generator, interrupts, and everything else. */
function usageCells(cpu: CpuUse): string[] {
  return [cores(cpu.serverCores), cores(cpu.databaseCores), cores(cpu.generatorCores), cores(cpu.interruptCores), cores(cpu.otherCores)];
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${Math.round(bytes / (1024 * 1024))} MB`;
}

function passMiss(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}
