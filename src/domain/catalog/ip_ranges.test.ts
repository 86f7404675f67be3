// Proves that CIDRs and addresses become fixed-width hex whose text order is address order, that
// ranges are normalised to their network, and that invalid input is refused.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addressToHex, hexToAddress, networksOf, parseAddress, parseCidr, rangeContains, rangesOverlap, type IpRange } from './ip_ranges.ts';

function range(text: string): IpRange {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
  return parsed.range;
}

function hexOf(value: bigint, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}

describe('parseCidr', () => {
  it('parses IPv4 ranges into their first and last address', () => {
    expect(range('192.0.2.0/24')).toEqual({
      family: 4,
      cidr: '192.0.2.0/24',
      prefix_length: 24,
      first_address: 'c0000200',
      last_address: 'c00002ff',
    });
    expect(range('0.0.0.0/0')).toMatchObject({ first_address: '00000000', last_address: 'ffffffff' });
    expect(range('10.1.2.3/32')).toMatchObject({ first_address: '0a010203', last_address: '0a010203' });
  });

  it('normalises host bits to the network', () => {
    expect(range('192.0.2.77/28')).toMatchObject({ cidr: '192.0.2.64/28', first_address: 'c0000240', last_address: 'c000024f' });
    expect(range('2001:DB8::1/32').cidr).toBe('2001:db8::/32');
  });

  it('parses compressed IPv6, including an embedded IPv4 address', () => {
    expect(range('2001:db8::/32')).toEqual({
      family: 6,
      cidr: '2001:db8::/32',
      prefix_length: 32,
      first_address: '20010db8000000000000000000000000',
      last_address: '20010db8ffffffffffffffffffffffff',
    });
    expect(range('::/0')).toMatchObject({ first_address: '0'.repeat(32), last_address: 'f'.repeat(32) });
    expect(range('::1/128').last_address).toBe(`${'0'.repeat(31)}1`);
    expect(range('::ffff:0:0/95').family).toBe(6);
    expect(range('2a10:0:1::/48').cidr).toBe('2a10:0:1::/48');
    expect(range('1:0:0:2:0:0:0:3/128').cidr).toBe('1:0:0:2::3/128');
  });

  it('reads an IPv4-mapped IPv6 range as the IPv4 range it carries, which is how its addresses are looked up', () => {
    expect(range('::ffff:198.51.100.0/120')).toEqual(range('198.51.100.0/24'));
    expect(range('::ffff:192.0.2.1/128')).toEqual(range('192.0.2.1/32'));
    expect(range('::ffff:c633:6400/120').cidr).toBe('198.51.100.0/24');
    expect(range('::ffff:0:0/96').cidr).toBe('0.0.0.0/0');
    const mapped = parseAddress('::ffff:198.51.100.7')!;
    expect(rangeContains(range('::ffff:198.51.100.0/120'), mapped)).toBe(true);
  });

  it('treats a bare address as a range of one', () => {
    expect(range('198.51.100.7')).toMatchObject({ cidr: '198.51.100.7/32', prefix_length: 32 });
    expect(range('2001:db8::7')).toMatchObject({ cidr: '2001:db8::7/128', prefix_length: 128 });
  });

  it.each([
    '',
    '256.0.0.0/8',
    '1.2.3/24',
    '1.2.3.4.5/24',
    '01.2.3.4/24',
    '1.2.3.4/33',
    '1.2.3.4/-1',
    '1.2.3.4/',
    '1.2.3.4/08',
    '2001:db8::/129',
    '2001:db8:::/32',
    '2001::db8::1/64',
    '1:2:3:4:5:6:7:8:9/64',
    '1:2:3:4:5:6:7/64',
    '1:2:3:4:5:6:7:8::/64',
    '12345::/16',
    'fe80::1%eth0/64',
    '::1.2.3.4.5/128',
    '1.2.3.4::/64',
    'g::/16',
    ' 1.2.3.4/32',
    `${'1'.repeat(60)}/8`,
  ])('refuses %j', (text) => {
    expect(parseCidr(text).ok).toBe(false);
  });
});

describe('parseAddress and addressToHex', () => {
  it('parses single addresses', () => {
    expect(addressToHex('192.0.2.1')).toBe('c0000201');
    expect(addressToHex('2001:db8::1')).toBe('20010db8000000000000000000000001');
    expect(addressToHex('not an address')).toBeNull();
    expect(addressToHex('192.0.2.1/32')).toBeNull();
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address it carries', () => {
    expect(parseAddress('::ffff:192.0.2.1')).toEqual({ family: 4, hex: 'c0000201' });
    expect(parseAddress('::FFFF:c000:0201')).toEqual({ family: 4, hex: 'c0000201' });
  });
});

describe('ranges', () => {
  it('knows whether ranges overlap and whether a range holds an address', () => {
    expect(rangesOverlap(range('10.0.0.0/24'), range('10.0.0.128/25'))).toBe(true);
    expect(rangesOverlap(range('10.0.0.0/25'), range('10.0.0.128/25'))).toBe(false);
    expect(rangesOverlap(range('0.0.0.0/0'), range('::/0'))).toBe(false);
    expect(rangeContains(range('10.0.0.0/24'), { family: 4, hex: '0a0000ff' })).toBe(true);
    expect(rangeContains(range('10.0.0.0/24'), { family: 4, hex: '0a000100' })).toBe(false);
  });
});

describe('properties', () => {
  const ipv4Value = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n });
  const ipv6Value = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });

  it('every address inside a generated IPv4 range compares between its first and last', () => {
    fc.assert(
      fc.property(ipv4Value, fc.integer({ min: 0, max: 32 }), fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), (value, prefix, offset) => {
        const parsed = range(`${hexToAddress(4, hexOf(value, 8))}/${prefix}`);
        const size = 1n << BigInt(32 - prefix);
        const first = BigInt(`0x${parsed.first_address}`);
        const inside = hexOf(first + (offset % size), 8);
        expect(parsed.first_address <= inside && inside <= parsed.last_address).toBe(true);
        expect(BigInt(`0x${parsed.last_address}`) - first + 1n).toBe(size);
        if (first > 0n) expect(hexOf(first - 1n, 8) < parsed.first_address).toBe(true);
      }),
    );
  });

  it('every address inside a generated IPv6 range compares between its first and last', () => {
    fc.assert(
      fc.property(ipv6Value, fc.integer({ min: 0, max: 128 }), ipv6Value, (value, prefix, offset) => {
        const parsed = range(`${hexToAddress(6, hexOf(value, 32))}/${prefix}`);
        const size = 1n << BigInt(128 - prefix);
        const first = BigInt(`0x${parsed.first_address}`);
        const inside = hexOf(first + (offset % size), 32);
        expect(parsed.first_address <= inside && inside <= parsed.last_address).toBe(true);
        expect(parsed.first_address.length).toBe(32);
        expect(rangeContains(parsed, { family: 6, hex: inside })).toBe(true);
      }),
    );
  });

  // PostgreSQL may compare text with a locale's collation rather than bytes: both must agree.
  it('text order of the hex is numeric order of the addresses', () => {
    fc.assert(
      fc.property(ipv6Value, ipv6Value, (a, b) => {
        const textOrder = Math.sign(hexOf(a, 32).localeCompare(hexOf(b, 32), 'en'));
        const plainOrder = hexOf(a, 32) < hexOf(b, 32) ? -1 : hexOf(a, 32) > hexOf(b, 32) ? 1 : 0;
        expect(plainOrder).toBe(a < b ? -1 : a > b ? 1 : 0);
        expect(textOrder).toBe(plainOrder);
      }),
    );
  });

  it('parses every address fast-check can write, and its normalised form parses back to the same', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const address = parseCidr(text);
        expect(address.ok).toBe(true);
        if (!address.ok) return;
        const again = parseCidr(address.range.cidr);
        expect(again).toEqual(address);
      }),
    );
  });

  it('normalising is idempotent for any prefix', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (text, prefix) => {
        const parsed = range(`${text}/${prefix}`);
        expect(range(parsed.cidr)).toEqual(parsed);
      }),
    );
  });
});

describe('networksOf', () => {
  it('lists the network of an address at every prefix length, and exactly the ranges holding it match', () => {
    const address = parseAddress('192.0.2.77')!;
    const networks = networksOf(address);
    expect(networks).toContain('00000000');
    expect(networks).toContain('c0000200');
    expect(networks).toContain('c000024d');
    for (const cidr of ['192.0.2.0/24', '192.0.2.64/26', '192.0.0.0/16', '0.0.0.0/0', '192.0.2.77/32']) {
      const parsed = parseCidr(cidr);
      if (!parsed.ok) throw new Error(parsed.message);
      expect(networks.includes(parsed.range.first_address) && parsed.range.last_address >= address.hex).toBe(true);
    }
    for (const cidr of ['192.0.3.0/24', '192.0.2.0/26', '192.0.2.78/32']) {
      const parsed = parseCidr(cidr);
      if (!parsed.ok) throw new Error(parsed.message);
      expect(networks.includes(parsed.range.first_address) && parsed.range.last_address >= address.hex).toBe(false);
    }
  });

  it('has at most 129 networks for IPv6', () => {
    const networks = networksOf(parseAddress('2001:db8::1')!);
    expect(networks.length).toBeLessThanOrEqual(129);
    expect(networks).toContain('20010db8000000000000000000000000');
  });
});
