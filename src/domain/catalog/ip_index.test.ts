// Proves the in-memory IP-to-company index gives the answer of the plain rule (the most specific
// range holding the address, ties to the smallest company id) for random nested and overlapping
// CIDR ranges of both families, and that its hand-written address reader agrees with parseAddress.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IpCompanyIndex, parseAddressWords, type IndexedRange } from './ip_index.ts';
import { hexToAddress, parseAddress, parseCidr, rangeContains } from './ip_ranges.ts';

function rangeOf(cidr: string, companyId: string): IndexedRange {
  const parsed = parseCidr(cidr);
  if (!parsed.ok) throw new Error(parsed.message);
  return { family: parsed.range.family, first_address: parsed.range.first_address, last_address: parsed.range.last_address, company_id: companyId };
}

/** The rule as the database query applies it: a plain filter and sort of every range. */
function referenceLookup(ranges: IndexedRange[], text: string): string | null {
  const address = parseAddress(text);
  if (!address) return null;
  const holding = ranges.filter((range) => rangeContains(range, address));
  holding.sort(
    (a, b) =>
      (a.first_address > b.first_address ? -1 : a.first_address < b.first_address ? 1 : 0) ||
      (a.last_address < b.last_address ? -1 : a.last_address > b.last_address ? 1 : 0) ||
      (a.company_id < b.company_id ? -1 : a.company_id > b.company_id ? 1 : 0),
  );
  return holding[0]?.company_id ?? null;
}

// Addresses in a small corner of each address space, so that random ranges nest and collide.
const v4Address = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })).map(([third, fourth]) => `10.0.${third}.${fourth}`);
const v6Address = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff })).map(([group7, group8]) => `2001:db8::${group7.toString(16)}:${group8.toString(16)}`);
const v4Cidr = fc.tuple(v4Address, fc.integer({ min: 20, max: 32 })).map(([address, prefix]) => `${address}/${prefix}`);
const v6Cidr = fc.tuple(v6Address, fc.integer({ min: 108, max: 128 })).map(([address, prefix]) => `${address}/${prefix}`);
const companyId = fc.constantFrom('cmp_a', 'cmp_b', 'cmp_c', 'cmp_d', 'cmp_e');
const catalogRanges = fc.array(fc.tuple(fc.oneof(v4Cidr, v6Cidr), companyId).map(([cidr, id]) => rangeOf(cidr, id)), { maxLength: 40 });

describe('IP-to-company index', () => {
  it('answers exactly what the plain most-specific rule answers, for random ranges and addresses', () => {
    fc.assert(
      fc.property(catalogRanges, fc.array(fc.oneof(v4Address, v6Address, fc.constantFrom('10.0.9.9', '::1', 'garbage', '')), { minLength: 1, maxLength: 30 }), (ranges, addresses) => {
        const index = IpCompanyIndex.build(ranges);
        for (const address of addresses) expect(index.lookup(address), address).toBe(referenceLookup(ranges, address));
      }),
      { numRuns: 400 },
    );
  });

  it('resolves overlapping ranges to the most specific and shared ranges to the smallest id', () => {
    const index = IpCompanyIndex.build([
      rangeOf('10.0.0.0/8', 'cmp_wide'),
      rangeOf('10.1.0.0/16', 'cmp_middle'),
      rangeOf('10.1.2.0/24', 'cmp_narrow'),
      rangeOf('10.1.2.0/24', 'cmp_another'),
      rangeOf('2001:db8::/32', 'cmp_wide'),
      rangeOf('2001:db8:1::/48', 'cmp_v6'),
    ]);
    expect(index.lookup('10.9.9.9')).toBe('cmp_wide');
    expect(index.lookup('10.1.9.9')).toBe('cmp_middle');
    expect(index.lookup('10.1.2.3')).toBe('cmp_another');
    expect(index.lookup('10.1.3.0')).toBe('cmp_middle');
    expect(index.lookup('10.2.0.0')).toBe('cmp_wide');
    expect(index.lookup('11.0.0.0')).toBeNull();
    expect(index.lookup('2001:db8:1::42')).toBe('cmp_v6');
    expect(index.lookup('2001:db8:2::42')).toBe('cmp_wide');
    expect(index.lookup('::ffff:10.1.2.3')).toBe('cmp_another');
    expect(index.lookup('2001:db9::')).toBeNull();
    expect(index.rangeCount).toBe(6);
  });

  it('handles the ends of the address spaces', () => {
    const index = IpCompanyIndex.build([rangeOf('0.0.0.0/0', 'cmp_all'), rangeOf('255.255.255.255/32', 'cmp_last'), rangeOf('0.0.0.0/32', 'cmp_first'), rangeOf('::/0', 'cmp_all6'), rangeOf('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', 'cmp_last6')]);
    expect(index.lookup('0.0.0.0')).toBe('cmp_first');
    expect(index.lookup('0.0.0.1')).toBe('cmp_all');
    expect(index.lookup('255.255.255.254')).toBe('cmp_all');
    expect(index.lookup('255.255.255.255')).toBe('cmp_last');
    expect(index.lookup('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe('cmp_last6');
    expect(index.lookup('::')).toBe('cmp_all6');
    expect(IpCompanyIndex.empty().lookup('10.0.0.1')).toBeNull();
  });

  it('refuses ranges that overlap without nesting: they are not CIDR ranges', () => {
    const overlapping: IndexedRange[] = [
      { family: 4, first_address: '0a000000', last_address: '0a0000ff', company_id: 'cmp_a' },
      { family: 4, first_address: '0a000080', last_address: '0a0001ff', company_id: 'cmp_b' },
    ];
    expect(() => IpCompanyIndex.build(overlapping)).toThrow(/not CIDR/);
  });

  it('reads address text exactly as parseAddress does', () => {
    // Near-IPv6 text: groups of zero to five hex digits (and a stray letter), single, double and
    // triple colons, dotted quads anywhere, a zone index.
    const token = fc.oneof(
      fc.stringMatching(/^[0-9a-fA-F]{0,5}$/),
      fc.constantFrom(':', ':', '::', ':::', 'g', '%eth0', '.', ' '),
      fc.ipV4(),
      fc.constantFrom('0', 'ffff', '0:0', '1.2.3', '256.1.1.1'),
    );
    const tokenSoup = fc.array(token, { maxLength: 14 }).map((tokens) => tokens.join(''));
    // Near-valid IPv6: zero to nine groups, `::` at any place or none, maybe a dotted quad last,
    // so that the group counts around eight (seven and a quad, eight and `::`) come up often.
    const groupsAround = fc
      .tuple(
        fc.array(fc.integer({ min: 0, max: 0xffff }).map((group) => group.toString(16)), { maxLength: 9 }),
        fc.option(fc.nat(9)),
        fc.option(fc.ipV4()),
      )
      .map(([groups, gapAt, quad]) => {
        const parts = quad === null ? groups : [...groups, quad];
        if (gapAt === null) return parts.join(':');
        const at = Math.min(gapAt, parts.length);
        return `${parts.slice(0, at).join(':')}::${parts.slice(at).join(':')}`;
      });
    const ipv6Like = fc.oneof(tokenSoup, groupsAround);
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '010', '', '-1', '1a', ' 1'));
    const text = fc.oneof(
      fc.tuple(octet, octet, octet, octet).map((parts) => parts.join('.')),
      fc.tuple(octet, octet, octet).map((parts) => parts.join('.')),
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      fc.string({ maxLength: 50 }),
      ipv6Like,
      ipv6Like.map((value) => value.toUpperCase()),
      fc.ipV4().map((value) => `::ffff:${value}`),
      fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([high, low]) => `::ffff:${high.toString(16)}:${low.toString(16)}`),
    );
    const words = new Uint32Array(4);
    fc.assert(
      fc.property(text, (value) => {
        const expected = parseAddress(value);
        const family = parseAddressWords(value, words);
        expect(family, value).toBe(expected?.family ?? null);
        if (expected) {
          const hex = Array.from(words.subarray(0, expected.family === 4 ? 1 : 4), (word) => word.toString(16).padStart(8, '0')).join('');
          expect(hexToAddress(expected.family, hex)).toBe(hexToAddress(expected.family, expected.hex));
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
