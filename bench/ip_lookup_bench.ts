// IP lookups in process (issue #5): the IP-to-company index (src/domain/catalog/ip_index.ts) built
// from 1,000,000 ranges shaped like the generated catalog's, then millions of lookups of address
// text, beside the cheapest lookup there is (a Map of exact address strings) and the address
// parse alone, in the same run. No server, no database: this is the cost POST /collect's batches
// pay per view, and the time a catalog load holds the collector while the index is rebuilt.
//
// The ranges are generated here, not by the catalog generator (faker a million times would take
// minutes): a small seeded generator with the catalog's address plan (each company a block of
// 1,024 IPv4 addresses, 1–3 ranges /24–/28 in its first three /24s, an IPv6 /48 for some), about
// a fifth IPv6, and about one company in ten holding a smaller range inside the previous
// company's first range (a subsidiary's network inside its parent's), so that the index resolves
// nested ranges as the catalog's do.
import { memoryUsage } from 'node:process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { IpCompanyIndexBuilder, parseAddressWords, type IpCompanyIndex } from '../src/domain/catalog/ip_index.ts';
import { cpuWindow, type CpuUse } from './cpu.ts';

/** The catalog's address plan (src/app/catalog/generate_catalog.ts): companies per first octet, addresses per company. */
const companiesPerFirstOctet = 1 << 14;
const addressesPerCompany = 1_024;
/** The first octet of the first company; the plan stays below 224 (multicast) for 8 million companies. */
const firstOctetStart = 11;
/** A company's chance of an IPv6 /48: with two IPv4 ranges on average, about a fifth of all ranges. */
const ipv6CompanyShare = 0.53;
/** A company's chance of one more range, nested inside the previous company's first range. */
const nestedCompanyShare = 0.1;
/** Distinct address texts looked up (a power of two), and their mix. */
const sampleAddresses = 1 << 16;
const sampleMix = { ipv4Hit: 0.7, ipv6Hit: 0.1, ipv4Miss: 0.15 } as const; // the rest: IPv6 misses
/** Lookups measured: each sample address this many times. */
const measuredRepeats = 64;
const warmupRepeats = 8;
/** Lookups of one family alone (IPv4 only, IPv6 only), each sample of the family this many times. */
const familyRepeats = 16;
const seedDefault = 7;

export interface LookupRate {
  lookups: number;
  seconds: number;
  perSecond: number;
  /** Answers that were a company (the Map: a present key; the parse: a valid address). */
  hits: number;
  expectedHits: number;
  /** Cores kept busy by this process and by everything else meanwhile. */
  thisCores: number;
  otherCores: number;
}

export interface LookupFigures {
  ranges: number;
  ipv6Ranges: number;
  nestedRanges: number;
  companies: number;
  segments: number;
  generateSeconds: number;
  /** `builder.add` of every range (the hex bounds into typed columns). */
  addSeconds: number;
  /** `builder.build()`: the sort and the flattening into segments. */
  buildSeconds: number;
  /** Kept by the index once built, after a full garbage collection. */
  memory: { heapBytes: number; arrayBufferBytes: number; rssBytes: number };
  samples: { addresses: number; ipv4: number; ipv6: number; hits: number };
  /** Every sample's answer against the company it was drawn from; any wrong answer is a bug. */
  answersWrong: number;
  lookups: { mixed: LookupRate; ipv4: LookupRate; ipv6: LookupRate };
  /** The parse alone: of the mixed addresses, and of each family's (where a lookup's time goes). */
  floors: { map: LookupRate; parse: LookupRate; parseIpv4: LookupRate; parseIpv6: LookupRate };
}

export interface LookupBenchOptions {
  ranges: number;
  seed?: number;
  log: (line: string) => void;
}

export function benchIpLookups(options: LookupBenchOptions): LookupFigures {
  const { log } = options;
  const gc = garbageCollector();
  log(`generating ${options.ranges.toLocaleString('en-US')} ranges`);
  let started = performance.now();
  const catalog = generateRanges(options.ranges, options.seed ?? seedDefault);
  const inputs = hexInputs(catalog);
  const samples = sampleAddressesOf(catalog, options.seed ?? seedDefault);
  const generateSeconds = (performance.now() - started) / 1000;

  gc();
  const before = memoryUsage();
  log('building the index');
  const { index, addSeconds, buildSeconds } = buildIndex(catalog, inputs);
  gc();
  const after = memoryUsage();
  const memory = {
    heapBytes: after.heapUsed - before.heapUsed,
    arrayBufferBytes: after.arrayBuffers - before.arrayBuffers,
    rssBytes: after.rss - before.rss,
  };

  let answersWrong = 0;
  for (let sample = 0; sample < samples.texts.length; sample += 1) {
    if (index.lookup(samples.texts[sample]!) !== samples.expected[sample]) answersWrong += 1;
  }
  const expectedHits = samples.expected.filter((company) => company !== null).length;
  log(`looking up ${(samples.texts.length * measuredRepeats).toLocaleString('en-US')} addresses`);
  started = performance.now();
  const mixed = timedLookups(index, samples.texts, expectedHits);
  const ipv4Texts = samples.texts.filter((_, sample) => samples.families[sample] === 4);
  const ipv6Texts = samples.texts.filter((_, sample) => samples.families[sample] === 6);
  const ipv4 = timedLookups(index, ipv4Texts, countHits(samples, 4), familyRepeats);
  const ipv6 = timedLookups(index, ipv6Texts, countHits(samples, 6), familyRepeats);
  const map = new Map<string, string>();
  for (const [sample, text] of samples.texts.entries()) {
    const company = samples.expected[sample];
    if (company !== null && company !== undefined) map.set(text, company);
  }
  const floors = {
    map: timedMapLookups(map, samples.texts, expectedHits),
    parse: timedParses(samples.texts),
    parseIpv4: timedParses(ipv4Texts, familyRepeats),
    parseIpv6: timedParses(ipv6Texts, familyRepeats),
  };
  log(`lookups done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return {
    ranges: catalog.count,
    ipv6Ranges: catalog.ipv6Count,
    nestedRanges: catalog.nestedCount,
    companies: catalog.companyIds.length,
    segments: index.segmentCount,
    generateSeconds,
    addSeconds,
    buildSeconds,
    memory,
    samples: { addresses: samples.texts.length, ipv4: ipv4Texts.length, ipv6: ipv6Texts.length, hits: expectedHits },
    answersWrong,
    lookups: { mixed, ipv4, ipv6 },
    floors,
  };
}

/** The garbage collector, for memory figures of the index alone (Node exposes it only on request). */
function garbageCollector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

// ---------------------------------------------------------------------------------------------
// Ranges

/** How a range came to be: what its samples expect, and what the index has to resolve. */
const RangeKind = {
  /** A company's first IPv4 range: the next company may hold a range inside it. */
  FirstIpv4: 0,
  Ipv4: 1,
  /** Inside the previous company's first range. */
  Nested: 2,
  Ipv6: 3,
} as const;
type RangeKind = (typeof RangeKind)[keyof typeof RangeKind];

interface GeneratedRanges {
  count: number;
  ipv6Count: number;
  nestedCount: number;
  kind: Uint8Array;
  /** IPv4: the first address; IPv6: the company's slot (its /48 is 2a10:slot::/48). */
  start: Uint32Array;
  prefixLength: Uint8Array;
  /** The company's index in `companyIds`. */
  owner: Uint32Array;
  companyIds: string[];
  /**
   * Per company: its first IPv4 range (start and prefix length; -1 when none), its nested range
   * (inside the previous company's first; -1 when none), and whether it has IPv6.
   */
  companyFirstStart: number[];
  companyFirstPrefix: number[];
  companyNestedStart: number[];
  companyNestedEnd: number[];
  companyHasIpv6: boolean[];
}

/** A seeded generator (mulberry32): the same ranges in every run, at a few nanoseconds a number. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
}

function integer(next: () => number, min: number, max: number): number {
  return min + Math.floor(next() * (max - min + 1));
}

function companyBase(slot: number): number {
  return (firstOctetStart + Math.floor(slot / companiesPerFirstOctet)) * 2 ** 24 + (slot % companiesPerFirstOctet) * addressesPerCompany;
}

/** Exactly `count` ranges, company after company, each company's ranges one after another (as the store reads them). */
function generateRanges(count: number, seed: number): GeneratedRanges {
  const next = random(seed);
  const output: GeneratedRanges = {
    count: 0,
    ipv6Count: 0,
    nestedCount: 0,
    kind: new Uint8Array(count),
    start: new Uint32Array(count),
    prefixLength: new Uint8Array(count),
    owner: new Uint32Array(count),
    companyIds: [],
    companyFirstStart: [],
    companyFirstPrefix: [],
    companyNestedStart: [],
    companyNestedEnd: [],
    companyHasIpv6: [],
  };
  const push = (kind: RangeKind, start: number, prefixLength: number): boolean => {
    if (output.count === count) return false;
    output.kind[output.count] = kind;
    output.start[output.count] = start;
    output.prefixLength[output.count] = prefixLength;
    output.owner[output.count] = output.companyIds.length - 1;
    output.count += 1;
    return true;
  };
  for (let slot = 0; output.count < count; slot += 1) {
    output.companyIds.push(`cmp_${String(slot + 1).padStart(7, '0')}`);
    output.companyNestedStart.push(-1);
    output.companyNestedEnd.push(-1);
    output.companyHasIpv6.push(false);
    output.companyFirstStart.push(-1);
    output.companyFirstPrefix.push(-1);
    const previousFirst = slot === 0 ? -1 : output.companyFirstStart[slot - 1]!;
    if (previousFirst !== -1 && next() < nestedCompanyShare) {
      // A range 2 to 4 bits longer than the parent's (at most a /30), somewhere inside it.
      const parentPrefix = output.companyFirstPrefix[slot - 1]!;
      const prefixLength = Math.min(30, parentPrefix + integer(next, 2, 4));
      const size = 2 ** (32 - prefixLength);
      const start = previousFirst + integer(next, 0, 2 ** (prefixLength - parentPrefix) - 1) * size;
      if (!push(RangeKind.Nested, start, prefixLength)) break;
      output.nestedCount += 1;
      output.companyNestedStart[slot] = start;
      output.companyNestedEnd[slot] = start + size - 1;
    }
    const base = companyBase(slot);
    const blocks = integer(next, 1, 3);
    for (let block = 0; block < blocks; block += 1) {
      const prefixLength = integer(next, 24, 28);
      const size = 2 ** (32 - prefixLength);
      const start = base + block * 256 + integer(next, 0, 256 / size - 1) * size;
      if (!push(block === 0 ? RangeKind.FirstIpv4 : RangeKind.Ipv4, start, prefixLength)) break;
      if (block === 0) {
        output.companyFirstStart[slot] = start;
        output.companyFirstPrefix[slot] = prefixLength;
      }
    }
    if (next() < ipv6CompanyShare && push(RangeKind.Ipv6, slot, 48)) {
      output.ipv6Count += 1;
      output.companyHasIpv6[slot] = true;
    }
  }
  return output;
}

const hex8 = (value: number): string => value.toString(16).padStart(8, '0');

function ipv6Hex(slot: number, last: boolean): string {
  const network = `2a10${hex8(slot)}`;
  return `${network}${last ? 'ffffffffffffffffffff' : '00000000000000000000'}`;
}

/** The bounds as the store hands them to the builder: fixed-width lowercase hex. */
function hexInputs(catalog: GeneratedRanges): { first: string[]; last: string[] } {
  const first: string[] = new Array<string>(catalog.count);
  const last: string[] = new Array<string>(catalog.count);
  for (let range = 0; range < catalog.count; range += 1) {
    if (catalog.kind[range] === RangeKind.Ipv6) {
      first[range] = ipv6Hex(catalog.start[range]!, false);
      last[range] = ipv6Hex(catalog.start[range]!, true);
    } else {
      const start = catalog.start[range]!;
      first[range] = hex8(start);
      last[range] = hex8(start + 2 ** (32 - catalog.prefixLength[range]!) - 1);
    }
  }
  return { first, last };
}

function buildIndex(catalog: GeneratedRanges, inputs: { first: string[]; last: string[] }): { index: IpCompanyIndex; addSeconds: number; buildSeconds: number } {
  const started = performance.now();
  const builder = new IpCompanyIndexBuilder();
  for (let range = 0; range < catalog.count; range += 1) {
    builder.add({
      family: catalog.kind[range] === RangeKind.Ipv6 ? 6 : 4,
      first_address: inputs.first[range]!,
      last_address: inputs.last[range]!,
      company_id: catalog.companyIds[catalog.owner[range]!]!,
    });
  }
  const added = performance.now();
  const index = builder.build();
  return { index, addSeconds: (added - started) / 1000, buildSeconds: (performance.now() - added) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// Addresses looked up

interface Samples {
  texts: string[];
  families: Uint8Array;
  /** The company each address belongs to, or null (a miss). */
  expected: Array<string | null>;
}

const ipv4Text = (value: number): string => `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
const ipv6Text = (slot: number): string => `2a10:${(slot >>> 16).toString(16)}:${(slot & 0xffff).toString(16)}::1`;

/**
 * Hits: the first address + 1 of a random range, expected to be that range's company, or the
 * nested company's when it falls inside a range nested in it. Misses: an address in the fourth
 * /24 of a company's block (never given out), or the /48 of a company without IPv6.
 */
function sampleAddressesOf(catalog: GeneratedRanges, seed: number): Samples {
  const next = random(seed + 1);
  const samples: Samples = { texts: [], families: new Uint8Array(sampleAddresses), expected: [] };
  const add = (family: 4 | 6, text: string, expected: string | null): void => {
    samples.families[samples.texts.length] = family;
    samples.texts.push(flat(text));
    samples.expected.push(expected);
  };
  const randomRange = (family: 4 | 6): number => {
    for (;;) {
      const range = integer(next, 0, catalog.count - 1);
      if ((catalog.kind[range] === RangeKind.Ipv6) === (family === 6)) return range;
    }
  };
  const companies = catalog.companyIds.length;
  while (samples.texts.length < sampleAddresses) {
    const roll = next();
    if (roll < sampleMix.ipv4Hit) {
      const range = randomRange(4);
      const address = catalog.start[range]! + 1;
      add(4, ipv4Text(address), catalog.companyIds[ownerOfIpv4(catalog, range, address)]!);
    } else if (roll < sampleMix.ipv4Hit + sampleMix.ipv6Hit) {
      const range = randomRange(6);
      add(6, ipv6Text(catalog.start[range]!), catalog.companyIds[catalog.owner[range]!]!);
    } else if (roll < sampleMix.ipv4Hit + sampleMix.ipv6Hit + sampleMix.ipv4Miss) {
      add(4, ipv4Text(companyBase(integer(next, 0, companies - 1)) + 768 + integer(next, 0, 255)), null);
    } else {
      let slot = integer(next, 0, companies - 1);
      while (catalog.companyHasIpv6[slot]) slot = integer(next, 0, companies - 1);
      add(6, ipv6Text(slot), null);
    }
  }
  return samples;
}

/**
 * A sequential copy of `text`: a template literal may build a rope of its parts, which V8 reads
 * through an indirection; an address from a request header is one flat string.
 */
function flat(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}

/** The company holding `address` of `range`: the range's, unless the next company nested a range over it. */
function ownerOfIpv4(catalog: GeneratedRanges, range: number, address: number): number {
  const owner = catalog.owner[range]!;
  if (catalog.kind[range] !== RangeKind.FirstIpv4) return owner;
  const child = owner + 1;
  if (child >= catalog.companyIds.length) return owner;
  const nestedStart = catalog.companyNestedStart[child]!;
  return nestedStart !== -1 && nestedStart <= address && address <= catalog.companyNestedEnd[child]! ? child : owner;
}

function countHits(samples: Samples, family: 4 | 6): number {
  let hits = 0;
  for (let sample = 0; sample < samples.texts.length; sample += 1) {
    if (samples.families[sample] === family && samples.expected[sample] !== null) hits += 1;
  }
  return hits;
}

// ---------------------------------------------------------------------------------------------
// Timed loops: one function each, so that every call site sees one callee (a shared loop taking
// a callback would measure the callback's call as well).

function timedLookups(index: IpCompanyIndex, texts: readonly string[], hitsPerPass: number, repeats = measuredRepeats): LookupRate {
  lookupPasses(index, texts, warmupRepeats);
  const cpu = cpuWindow({});
  const started = performance.now();
  const hits = lookupPasses(index, texts, repeats);
  return rate({ lookups: texts.length * repeats, started, cpu: cpu(), hits, expectedHits: hitsPerPass * repeats });
}

function lookupPasses(index: IpCompanyIndex, texts: readonly string[], repeats: number): number {
  let hits = 0;
  for (let pass = 0; pass < repeats; pass += 1) {
    for (let sample = 0; sample < texts.length; sample += 1) {
      if (index.lookup(texts[sample]!) !== null) hits += 1;
    }
  }
  return hits;
}

function timedMapLookups(map: ReadonlyMap<string, string>, texts: readonly string[], hitsPerPass: number): LookupRate {
  mapPasses(map, texts, warmupRepeats);
  const cpu = cpuWindow({});
  const started = performance.now();
  const hits = mapPasses(map, texts, measuredRepeats);
  return rate({ lookups: texts.length * measuredRepeats, started, cpu: cpu(), hits, expectedHits: hitsPerPass * measuredRepeats });
}

function mapPasses(map: ReadonlyMap<string, string>, texts: readonly string[], repeats: number): number {
  let hits = 0;
  for (let pass = 0; pass < repeats; pass += 1) {
    for (let sample = 0; sample < texts.length; sample += 1) {
      if (map.get(texts[sample]!) !== undefined) hits += 1;
    }
  }
  return hits;
}

/** The parse of the address text alone (the first half of every lookup): every sample is an address. */
function timedParses(texts: readonly string[], repeats = measuredRepeats): LookupRate {
  const probe = new Uint32Array(4);
  parsePasses(texts, probe, warmupRepeats);
  const cpu = cpuWindow({});
  const started = performance.now();
  const hits = parsePasses(texts, probe, repeats);
  return rate({ lookups: texts.length * repeats, started, cpu: cpu(), hits, expectedHits: texts.length * repeats });
}

function parsePasses(texts: readonly string[], probe: Uint32Array, repeats: number): number {
  let parsed = 0;
  for (let pass = 0; pass < repeats; pass += 1) {
    for (let sample = 0; sample < texts.length; sample += 1) {
      if (parseAddressWords(texts[sample]!, probe) !== null) parsed += 1;
    }
  }
  return parsed;
}

function rate(input: { lookups: number; started: number; cpu: CpuUse; hits: number; expectedHits: number }): LookupRate {
  const seconds = (performance.now() - input.started) / 1000;
  return {
    lookups: input.lookups,
    seconds,
    perSecond: input.lookups / seconds,
    hits: input.hits,
    expectedHits: input.expectedHits,
    thisCores: input.cpu.generatorCores,
    otherCores: input.cpu.otherCores,
  };
}
