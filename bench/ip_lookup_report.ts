// The IP lookup figures (ip_lookup_bench.ts) beside their floors and target, as a table.
import type { LookupFigures, LookupRate } from './ip_lookup_bench.ts';
import type { Verdict } from './report.ts';

export const lookupTargets = {
  /** Lookups of address text in the index of 1,000,000 ranges, in process (issue #5). */
  lookupsPerSecondMin: 1_000_000,
} as const;

export function lookupVerdicts(figures: LookupFigures): Verdict[] {
  const { mixed } = figures.lookups;
  return [
    {
      database: 'in process',
      figure: `IP lookups, ${figures.ranges} ranges, lookups/s`,
      value: mixed.perSecond,
      target: `>= ${lookupTargets.lookupsPerSecondMin}`,
      pass: mixed.perSecond >= lookupTargets.lookupsPerSecondMin,
    },
    {
      database: 'in process',
      figure: 'IP lookups, wrong answers (samples checked, and hits of every timed loop)',
      value: wrongAnswers(figures),
      target: '= 0',
      pass: wrongAnswers(figures) === 0,
      correctness: true,
    },
  ];
}

/** Sample answers that named the wrong company, plus timed loops whose hit count was not the expected one. */
function wrongAnswers(figures: LookupFigures): number {
  const loops = [...Object.values(figures.lookups), ...Object.values(figures.floors)];
  return figures.answersWrong + loops.filter((loop) => loop.hits !== loop.expectedHits).length;
}

const columns = ['', 'lookups/s', 'ns each', 'floor', 'ratio', 'target', 'result', 'hits', 'this', 'other'];

export function renderLookupTable(figures: LookupFigures): string {
  const { mixed, ipv4, ipv6 } = figures.lookups;
  const { map, parse, parseIpv4, parseIpv6 } = figures.floors;
  const memory = figures.memory;
  const mix = `${share(figures.samples.ipv4, figures.samples.addresses)} IPv4, ${share(figures.samples.hits, figures.samples.addresses)} hits`;
  const heading = [
    `IP lookups in process: ${int(figures.ranges)} ranges (${int(figures.ipv6Ranges)} IPv6 /48, ${int(figures.nestedRanges)} nested in another company's)` +
      ` of ${int(figures.companies)} companies: ${int(figures.segments)} segments`,
    `  built in ${(figures.addSeconds + figures.buildSeconds).toFixed(2)} s (add ${figures.addSeconds.toFixed(2)} s, sort and flatten ${figures.buildSeconds.toFixed(2)} s;` +
      ` generating the input took ${figures.generateSeconds.toFixed(1)} s); kept after a full GC: ${mb(memory.heapBytes + memory.arrayBufferBytes)}` +
      ` (heap ${mb(memory.heapBytes)}, typed arrays ${mb(memory.arrayBufferBytes)}), RSS ${memory.rssBytes >= 0 ? '+' : ''}${mb(memory.rssBytes)}`,
  ];
  const rows: string[][] = [
    columns,
    rateRow(`  index.lookup, ${int(figures.samples.addresses)} addresses (${mix})`, mixed, map, true),
    rateRow('  index.lookup, IPv4 addresses only', ipv4, undefined, false),
    rateRow('  index.lookup, IPv6 addresses only', ipv6, undefined, false),
    rateRow('  floor: Map.get of the exact address text', map, undefined, false),
    rateRow('  floor: the address parse alone (parseAddressWords)', parse, undefined, false),
    rateRow('  the parse alone, IPv4 addresses only', parseIpv4, undefined, false),
    rateRow('  the parse alone, IPv6 addresses only', parseIpv6, undefined, false),
  ];
  const answers =
    `  answers: ${int(figures.samples.addresses)} sample addresses checked against the company each was drawn from: ${int(figures.answersWrong)} wrong;` +
    ` every timed loop's hits as expected: ${wrongAnswers(figures) === figures.answersWrong ? 'yes' : 'no'}. ${wrongAnswers(figures) === 0 ? 'PASS' : 'FAIL'}`;
  return [...heading, render(rows), answers].join('\n');
}

function rateRow(label: string, measured: LookupRate, floor: LookupRate | undefined, withTarget: boolean): string[] {
  return [
    label,
    int(measured.perSecond),
    (1e9 / measured.perSecond).toFixed(0),
    floor ? int(floor.perSecond) : '',
    floor ? `${(measured.perSecond / floor.perSecond).toFixed(2)}x` : '',
    withTarget ? `>= ${int(lookupTargets.lookupsPerSecondMin)}/s` : '',
    withTarget ? (measured.perSecond >= lookupTargets.lookupsPerSecondMin ? 'PASS' : 'MISS') : '',
    `${int(measured.hits)}${measured.hits === measured.expectedHits ? '' : ` != ${int(measured.expectedHits)}`}`,
    measured.thisCores.toFixed(2),
    measured.otherCores.toFixed(2),
  ];
}

function render(rows: string[][]): string {
  const widths = columns.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length)));
  return rows
    .map((row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[index]!))).join('  ').trimEnd())
    .join('\n');
}

function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function share(part: number, whole: number): string {
  return `${Math.round((part / whole) * 100)}%`;
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}
