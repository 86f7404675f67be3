// The IP-to-company index of website visitors (issue #5): the catalog's IP ranges flattened into
// sorted, disjoint segments, each owned by the most specific range that covers it, so that a
// lookup is one binary search in typed arrays: no database, no allocation beyond the answer.
//
// Most specific: among the ranges that hold an address, the one with the greatest first address
// and then the smallest last address; ties (one range listed by several companies) go to the
// smallest company id. That is the order `companyByAddress` (store/catalog_search.ts) sorts by,
// so the index and the database give the same answer. CIDR ranges are nested or disjoint, and
// the flattening relies on it: a range that overlaps another without being inside it is an
// assertion failure, never a silently wrong answer.
//
// Memory: 12 bytes a segment for IPv4 (start, end, owner) and a 256 KB table of /16 prefixes, 36 for IPv6 (two 128-bit bounds as
// four 32-bit words each, and the owner), and the company ids concatenated in one string. A
// million companies with two or three ranges each take about 50 MB.
//
// Pure: no I/O. `parseAddressWords` reads the address text by hand, IPv4 and IPv6, because this is
// the hot path of POST /collect and of the lookups benchmark (bench/ip_lookup_bench.ts): no
// split, no regular expression, no string built. It accepts exactly what `parseAddress`
// (ip_ranges.ts) accepts, which a property test checks.
import { assert } from '../../lib/assert.ts';
import { addressTextLengthMax, type IpFamily } from './ip_ranges.ts';

/** One range as the catalog stores it (`company_ip_ranges`): bounds as fixed-width hex. */
export interface IndexedRange {
  family: IpFamily;
  first_address: string;
  last_address: string;
  company_id: string;
}

/** The segments of one family: bounds as `words` 32-bit words each (1 for IPv4, 4 for IPv6). */
interface Segments {
  words: number;
  count: number;
  starts: Uint32Array;
  ends: Uint32Array;
  owners: Uint32Array;
  /**
   * IPv4 only: `prefixStarts[p]` is the first segment starting at or after address `p << 16`
   * (65,537 entries, 256 KB), so a lookup searches only the segments of its /16 and the one
   * before: about 4 steps instead of 20 over a million segments.
   */
  prefixStarts: Uint32Array | null;
}

export class IpCompanyIndex {
  /** Ranges the index was built from. */
  readonly rangeCount: number;
  readonly #v4: Segments;
  readonly #v6: Segments;
  /** Every company id, concatenated; `#idEnds[n]` is where company n's id ends. */
  readonly #ids: string;
  readonly #idEnds: Uint32Array;
  /** Scratch words for lookups (one lookup at a time: JavaScript runs one thread). */
  readonly #probe = new Uint32Array(4);

  constructor(input: { rangeCount: number; v4: Segments; v6: Segments; ids: string; idEnds: Uint32Array }) {
    this.rangeCount = input.rangeCount;
    this.#v4 = input.v4;
    this.#v6 = input.v6;
    this.#ids = input.ids;
    this.#idEnds = input.idEnds;
  }

  static empty(): IpCompanyIndex {
    return IpCompanyIndex.build([]);
  }

  /** Builds the index from ranges in any order. */
  static build(ranges: Iterable<IndexedRange>): IpCompanyIndex {
    const builder = new IpCompanyIndexBuilder();
    for (const range of ranges) builder.add(range);
    return builder.build();
  }

  /** Disjoint segments in the index (ranges inside others split their parents). */
  get segmentCount(): number {
    return this.#v4.count + this.#v6.count;
  }

  /** The company whose most specific range holds the address, or null (also for text that is no address). */
  lookup(addressText: string): string | null {
    const probe = this.#probe;
    const family = parseAddressWords(addressText, probe);
    if (family === null) return null;
    const owner = findOwner(family === 4 ? this.#v4 : this.#v6, probe);
    return owner === -1 ? null : this.#companyId(owner);
  }

  #companyId(owner: number): string {
    const start = owner === 0 ? 0 : this.#idEnds[owner - 1]!;
    return this.#ids.slice(start, this.#idEnds[owner]);
  }
}

/**
 * Collects ranges one at a time into typed columns (a million ranges as objects would take
 * hundreds of megabytes while the index is rebuilt beside the one in use), then builds. Ranges
 * of one company given one after another share one copy of its id.
 */
export class IpCompanyIndexBuilder {
  readonly #ids: string[] = [];
  readonly #columns = { 4: new RangeColumns(1), 6: new RangeColumns(4) };
  #rangeCount = 0;

  add(range: IndexedRange): void {
    if (this.#ids.at(-1) !== range.company_id) this.#ids.push(range.company_id);
    this.#columns[range.family].add(range.first_address, range.last_address, this.#ids.length - 1);
    this.#rangeCount += 1;
  }

  build(): IpCompanyIndex {
    const ids = this.#ids;
    const idEnds = new Uint32Array(ids.length);
    let end = 0;
    for (const [index, id] of ids.entries()) {
      end += id.length;
      idEnds[index] = end;
    }
    const compareOwners = (a: number, b: number) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0);
    return new IpCompanyIndex({
      rangeCount: this.#rangeCount,
      v4: flatten(this.#columns[4], compareOwners),
      v6: flatten(this.#columns[6], compareOwners),
      ids: ids.join(''),
      idEnds,
    });
  }
}

/** Ranges of one family as columns: bounds as `words` 32-bit words each, and their owners. */
class RangeColumns {
  readonly words: number;
  count = 0;
  firsts: Uint32Array;
  lasts: Uint32Array;
  owners: Uint32Array;

  constructor(words: number) {
    const capacity = 1_024;
    this.words = words;
    this.firsts = new Uint32Array(capacity * words);
    this.lasts = new Uint32Array(capacity * words);
    this.owners = new Uint32Array(capacity);
  }

  add(firstHex: string, lastHex: string, owner: number): void {
    if (this.count === this.owners.length) this.#grow();
    const offset = this.count * this.words;
    writeHexWords(firstHex, this.firsts, offset, this.words);
    writeHexWords(lastHex, this.lasts, offset, this.words);
    assert(compareWords(this.firsts, offset, this.lasts, offset, this.words) <= 0, `range ${firstHex}–${lastHex} ends before it starts`);
    this.owners[this.count] = owner;
    this.count += 1;
  }

  #grow(): void {
    const grown = (array: Uint32Array) => {
      const next = new Uint32Array(array.length * 2);
      next.set(array);
      return next;
    };
    this.firsts = grown(this.firsts);
    this.lasts = grown(this.lasts);
    this.owners = grown(this.owners);
  }
}

/** The segment holding the probe's address (its first `segments.words` words), or -1. */
function findOwner(segments: Segments, probe: Uint32Array): number {
  const { words, starts, ends, owners } = segments;
  // The last segment starting at or before the address.
  let low = 0;
  let high = segments.count - 1;
  let found = -1;
  if (words === 1) {
    const address = probe[0]!;
    const prefixStarts = segments.prefixStarts!;
    const prefix = address >>> 16;
    low = prefixStarts[prefix]!;
    high = prefixStarts[prefix + 1]! - 1;
    found = low - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (starts[middle]! <= address) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found !== -1 && address <= ends[found]! ? owners[found]! : -1;
  }
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (compareWords(starts, middle * words, probe, 0, words) <= 0) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found !== -1 && compareWords(probe, 0, ends, found * words, words) <= 0 ? owners[found]! : -1;
}

/**
 * Sorts the ranges (first address up, then last address down so an outer range comes before the
 * ranges inside it, then company id up) and sweeps them with a stack of the ranges still open:
 * each stretch of addresses goes to the innermost open range.
 */
function flatten(columns: RangeColumns, compareOwners: (a: number, b: number) => number): Segments {
  const { words, firsts, lasts, owners, count } = columns;
  const order = new Uint32Array(count);
  for (let index = 0; index < count; index += 1) order[index] = index;
  order.sort(
    (a, b) =>
      compareWords(firsts, a * words, firsts, b * words, words) ||
      compareWords(lasts, b * words, lasts, a * words, words) ||
      compareOwners(owners[a]!, owners[b]!),
  );
  const output = new SegmentWriter(words, count * 2 + 1);
  const open: number[] = [];
  // Where the next segment starts; invalid once the end of the address space was written.
  const cursor = new Uint32Array(words);
  let cursorValid = false;
  const gapEnd = new Uint32Array(words);
  const closeBefore = (next: number | null) => {
    for (let top = open.at(-1); top !== undefined; top = open.at(-1)) {
      if (next !== null && compareWords(lasts, top * words, firsts, next * words, words) >= 0) return;
      if (cursorValid && compareWords(cursor, 0, lasts, top * words, words) <= 0) output.push(cursor, 0, lasts, top * words, owners[top]!);
      cursor.set(lasts.subarray(top * words, top * words + words));
      cursorValid = increment(cursor);
      open.pop();
    }
  };
  let previous = -1;
  for (const range of order) {
    const offset = range * words;
    // One range listed twice (by two companies, or twice by one): the first, smallest id, owns it.
    const repeat =
      previous !== -1 &&
      compareWords(firsts, previous * words, firsts, offset, words) === 0 &&
      compareWords(lasts, previous * words, lasts, offset, words) === 0;
    if (repeat) continue;
    previous = range;
    closeBefore(range);
    const parent = open.at(-1);
    if (parent !== undefined) {
      assert(compareWords(lasts, offset, lasts, parent * words, words) <= 0, 'IP ranges overlap without one holding the other (not CIDR ranges)');
      if (cursorValid && compareWords(cursor, 0, firsts, offset, words) < 0) {
        gapEnd.set(firsts.subarray(offset, offset + words));
        decrement(gapEnd);
        output.push(cursor, 0, gapEnd, 0, owners[parent]!);
      }
    }
    cursor.set(firsts.subarray(offset, offset + words));
    cursorValid = true;
    open.push(range);
  }
  closeBefore(null);
  return output.finish();
}

/** Appends segments into typed arrays sized for the worst case, trimmed at the end. */
class SegmentWriter {
  readonly #words: number;
  readonly #starts: Uint32Array;
  readonly #ends: Uint32Array;
  readonly #owners: Uint32Array;
  #count = 0;

  constructor(words: number, capacity: number) {
    this.#words = words;
    this.#starts = new Uint32Array(capacity * words);
    this.#ends = new Uint32Array(capacity * words);
    this.#owners = new Uint32Array(capacity);
  }

  push(start: Uint32Array, startOffset: number, end: Uint32Array, endOffset: number, owner: number): void {
    assert(this.#count < this.#owners.length, 'more segments than ranges allow');
    const words = this.#words;
    this.#starts.set(start.subarray(startOffset, startOffset + words), this.#count * words);
    this.#ends.set(end.subarray(endOffset, endOffset + words), this.#count * words);
    this.#owners[this.#count] = owner;
    this.#count += 1;
  }

  finish(): Segments {
    const words = this.#words;
    const count = this.#count;
    const starts = this.#starts.slice(0, count * words);
    return {
      words,
      count,
      starts,
      ends: this.#ends.slice(0, count * words),
      owners: this.#owners.slice(0, count),
      prefixStarts: words === 1 ? prefixStartsOf(starts) : null,
    };
  }
}

/** The first-level table of IPv4 segments (see `Segments.prefixStarts`). */
function prefixStartsOf(starts: Uint32Array): Uint32Array {
  const prefixes = 0x10000;
  const table = new Uint32Array(prefixes + 1);
  let segment = 0;
  for (let prefix = 0; prefix <= prefixes; prefix += 1) {
    // prefix × 65,536 reaches 2^32 at the end: above every address, so the last entry is the count.
    const bound = prefix * 0x10000;
    while (segment < starts.length && starts[segment]! < bound) segment += 1;
    table[prefix] = segment;
  }
  return table;
}

function compareWords(a: Uint32Array, aOffset: number, b: Uint32Array, bOffset: number, words: number): number {
  for (let word = 0; word < words; word += 1) {
    const left = a[aOffset + word]!;
    const right = b[bOffset + word]!;
    if (left !== right) return left < right ? -1 : 1;
  }
  return 0;
}

/** Moves `value` to the next address in place; false when it was the last address of its space. */
function increment(value: Uint32Array): boolean {
  for (let word = value.length - 1; word >= 0; word -= 1) {
    if (value[word] !== 0xffffffff) {
      value[word] = value[word]! + 1;
      return true;
    }
    value[word] = 0;
  }
  return false;
}

/** Moves `value` to the previous address in place (never address zero: a gap ends before a later start). */
function decrement(value: Uint32Array): void {
  for (let word = value.length - 1; word >= 0; word -= 1) {
    if (value[word] !== 0) {
      value[word] = value[word]! - 1;
      return;
    }
    value[word] = 0xffffffff;
  }
  assert(false, 'no address comes before address zero');
}

function writeHexWords(hex: string, output: Uint32Array, offset: number, words: number): void {
  assert(hex.length === words * 8 && hexPattern.test(hex), `"${hex}" is not a fixed-width lowercase hex address`);
  for (let word = 0; word < words; word += 1) output[offset + word] = parseInt(hex.slice(word * 8, word * 8 + 8), 16);
}

const hexPattern = /^[0-9a-f]+$/;

const charDot = 46;
const charZero = 48;
const charNine = 57;

/**
 * Parses an address into `output` (IPv4: word 0; IPv6: words 0–3) and returns its family, or null
 * when the text is not an address. Read by hand, with the rules of `parseAddress` (the reference,
 * which a property test holds this to): an IPv4-mapped IPv6 address is its IPv4 address.
 */
export function parseAddressWords(text: string, output: Uint32Array): IpFamily | null {
  const value = parseDottedQuad(text, 0);
  if (value !== -1) {
    output[0] = value;
    return 4;
  }
  // Without a colon only a dotted quad can be an address, and that was read above.
  if (text.indexOf(':') === -1 || text.length > addressTextLengthMax || !parseIpv6Groups(text, ipv6Groups)) return null;
  const groups = ipv6Groups;
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    output[0] = ((groups[6]! << 16) | groups[7]!) >>> 0;
    return 4;
  }
  for (let word = 0; word < 4; word += 1) output[word] = ((groups[word * 2]! << 16) | groups[word * 2 + 1]!) >>> 0;
  return 6;
}

/** Scratch groups of the IPv6 reader (one parse at a time: JavaScript runs one thread). */
const ipv6Groups = new Uint16Array(8);
const charColon = 58;

/**
 * Eight 16-bit groups from IPv6 text: groups of one to four hex digits (either case) between
 * single colons, at most one `::` standing for one or more zero groups, and a dotted quad allowed
 * only at the very end, as two groups. No zone index, no spaces.
 */
function parseIpv6Groups(text: string, groups: Uint16Array): boolean {
  const length = text.length;
  let count = 0;
  // Where `::` stood, as a group position; -1 when there was none.
  let gap = -1;
  let index = 0;
  if (length >= 2 && text.charCodeAt(0) === charColon) {
    if (text.charCodeAt(1) !== charColon) return false;
    gap = 0;
    index = 2;
  }
  while (index < length) {
    // A group, or a dotted quad ending the text.
    const groupStart = index;
    let group = 0;
    let digits = 0;
    for (; index < length && digits < 5; index += 1) {
      const digit = hexDigit(text.charCodeAt(index));
      if (digit === -1) break;
      group = group * 16 + digit;
      digits += 1;
    }
    if (index < length && text.charCodeAt(index) === charDot) {
      const quad = parseDottedQuad(text, groupStart);
      if (quad === -1 || count > 6) return false;
      groups[count] = quad >>> 16;
      groups[count + 1] = quad & 0xffff;
      count += 2;
      index = length;
      break;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    groups[count] = group;
    count += 1;
    if (index === length) break;
    // After a group: `:` and another group, or `::`.
    if (text.charCodeAt(index) !== charColon) return false;
    index += 1;
    if (index < length && text.charCodeAt(index) === charColon) {
      if (gap !== -1) return false;
      gap = count;
      index += 1;
    } else if (index === length) {
      return false;
    }
  }
  if (gap === -1) return count === 8;
  if (count >= 8) return false;
  // Move the groups after `::` to the end and fill the gap with zeros.
  const after = count - gap;
  for (let moved = 1; moved <= after; moved += 1) groups[8 - moved] = groups[count - moved]!;
  for (let zero = gap; zero < 8 - after; zero += 1) groups[zero] = 0;
  return true;
}

function hexDigit(code: number): number {
  if (code >= charZero && code <= charNine) return code - charZero;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** The dotted-quad IPv4 address from `start` to the end of the text (no leading zeros, as `parseAddress` requires) as a number, or -1. */
function parseDottedQuad(text: string, start: number): number {
  const length = text.length;
  if (length - start < 7 || length - start > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let index = start; index <= length; index += 1) {
    const code = index === length ? charDot : text.charCodeAt(index);
    if (code === charDot) {
      if (digits === 0 || part > 255) return -1;
      value = value * 256 + part;
      parts += 1;
      part = 0;
      digits = 0;
    } else if (code >= charZero && code <= charNine) {
      // A leading zero ("01") is not an address.
      if (digits === 1 && part === 0) return -1;
      part = part * 10 + (code - charZero);
      digits += 1;
      if (digits > 3) return -1;
    } else {
      return -1;
    }
  }
  return parts === 4 ? value : -1;
}
