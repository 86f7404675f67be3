// The catalog figures (catalog_bench.ts) beside their floors and targets, as a table.
import type { CatalogFigures } from './catalog_bench.ts';
import { renderSearch } from './search_bench.ts';

export const catalogTargets = {
  /** Seeding a million companies (about five contacts each) in at most three minutes. */
  seedCompaniesPerSecondMin: 1_000_000 / 180,
  /** The streaming import of a catalog (companies, then their contacts). */
  importLinesPerSecondMin: 50_000,
  /** The worst p95 of the basic searches, and of the ten advanced mixes, in milliseconds. */
  basicSearchP95MsMax: 10,
  advancedSearchP95MsMax: 50,
  /** The server's resident memory after the searches. */
  serverRssBytesMax: 500 * 2 ** 20,
} as const;

export interface CatalogReport {
  sqlite: CatalogFigures | { skipped: string };
  postgres: CatalogFigures | { skipped: string };
}

export interface CatalogVerdict {
  database: 'sqlite' | 'postgres';
  figure: string;
  value: number;
  target: string;
  pass: boolean;
}

export function catalogVerdicts(report: CatalogReport): CatalogVerdict[] {
  const list: CatalogVerdict[] = [];
  for (const database of ['sqlite', 'postgres'] as const) {
    const figures = report[database];
    if ('skipped' in figures) continue;
    list.push({
      database,
      figure: `seed ${figures.seed.companies} companies, companies/s`,
      value: figures.seed.companiesPerSecond,
      target: `>= ${Math.round(catalogTargets.seedCompaniesPerSecondMin)} (1M in 180 s)`,
      pass: figures.seed.companiesPerSecond >= catalogTargets.seedCompaniesPerSecondMin,
    });
    list.push(
      {
        database,
        figure: 'basic search, worst p95 ms',
        value: figures.search.basicP95Ms,
        target: `<= ${catalogTargets.basicSearchP95MsMax}`,
        pass: figures.search.basicP95Ms <= catalogTargets.basicSearchP95MsMax,
      },
      {
        database,
        figure: 'advanced search (10 mixes), worst p95 ms',
        value: figures.search.advancedP95Ms,
        target: `<= ${catalogTargets.advancedSearchP95MsMax}`,
        pass: figures.search.advancedP95Ms <= catalogTargets.advancedSearchP95MsMax,
      },
      {
        database,
        figure: 'server RSS after searches, MB',
        value: (figures.search.rssBytes ?? Infinity) / 2 ** 20,
        target: `<= ${catalogTargets.serverRssBytesMax / 2 ** 20}`,
        pass: (figures.search.rssBytes ?? Infinity) <= catalogTargets.serverRssBytesMax,
      },
    );
    const both = figures.imports.find((figure) => figure.type === 'both');
    if (both) {
      list.push({
        database,
        figure: 'import companies + contacts, lines/s',
        value: both.linesPerSecond,
        target: `>= ${catalogTargets.importLinesPerSecondMin}`,
        pass: both.linesPerSecond >= catalogTargets.importLinesPerSecondMin,
      });
    }
  }
  return list;
}

export function renderCatalogTable(report: CatalogReport): string {
  const lines: string[] = [];
  const header = ['catalog', 'figure', 'floor', 'target', 'result', 'cores: this/db/other'];
  const rows: string[][] = [header];
  for (const database of ['sqlite', 'postgres'] as const) {
    const figures = report[database];
    const name = database === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    if ('skipped' in figures) {
      rows.push([`${name}: skipped: ${figures.skipped}`]);
      continue;
    }
    const floor = `${int(figures.floorRowsPerSecond)} rows/s`;
    const seed = figures.seed;
    const cpu = seed.cpu;
    rows.push([
      `${name}: seed ${int(seed.companies)} companies (${int(seed.contacts)} contacts)`,
      `${seed.seconds.toFixed(1)} s, ${int(seed.companiesPerSecond)}/s`,
      floor,
      `<= ${(seed.companies / catalogTargets.seedCompaniesPerSecondMin).toFixed(0)} s`,
      seed.companiesPerSecond >= catalogTargets.seedCompaniesPerSecondMin ? 'PASS' : 'MISS',
      `${cpu.generatorCores.toFixed(2)}/${cpu.databaseCores === undefined ? '-' : cpu.databaseCores.toFixed(2)}/${cpu.otherCores.toFixed(2)}`,
    ]);
    rows.push([`  database size after the seed`, mb(seed.databaseBytes)]);
    if (seed.settleSeconds !== undefined) rows.push([`  VACUUM and CHECKPOINT before the searches (not in the seed)`, `${seed.settleSeconds.toFixed(1)} s`]);
    for (const figure of figures.imports) {
      const both = figure.type === 'both';
      // The import's own floor: the database's part alone, the lines checked beforehand (catalog_bench.ts).
      const databaseAlone = figures.importFloor.find((alone) => alone.type === figure.type);
      rows.push([
        `  import ${figure.type === 'both' ? 'companies + contacts' : figure.type} (${int(figure.lines)} lines)`,
        `${int(figure.linesPerSecond)} lines/s`,
        databaseAlone ? `database alone ${int(databaseAlone.linesPerSecond)} lines/s` : floor,
        both ? `>= ${int(catalogTargets.importLinesPerSecondMin)}/s` : '',
        both ? (figure.linesPerSecond >= catalogTargets.importLinesPerSecondMin ? 'PASS' : 'MISS') : '',
      ]);
    }
  }
  const widths = header.map((_, index) => Math.max(...rows.map((row) => (row.length === 1 ? 0 : (row[index] ?? '').length))));
  for (const row of rows) {
    lines.push(row.length === 1 ? row[0]! : row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  '));
  }
  for (const database of ['sqlite', 'postgres'] as const) {
    const figures = report[database];
    if ('skipped' in figures) continue;
    lines.push('', `Search on the seeded catalog, ${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'} (one request at a time):`, renderSearch(figures.search));
  }
  return lines.join('\n');
}

function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024)).toLocaleString('en-US')} MB`;
}
