// IP addresses and CIDR ranges as fixed-width lowercase hex (8 digits for IPv4, 32 for IPv6), so
// that comparing the text compares the addresses: the store can index a range's first and last
// address as plain text on SQLite and PostgreSQL alike, and find the range holding an address
// with `first_address <= hex and last_address >= hex`. Pure: no I/O.

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  /** Fixed-width lowercase hex: 8 digits for IPv4, 32 for IPv6. */
  hex: string;
}

export interface IpRange {
  family: IpFamily;
  /** The normalised CIDR: the network address (host bits cleared), IPv6 compressed, lowercase. */
  cidr: string;
  prefix_length: number;
  first_address: string;
  last_address: string;
}

export type CidrParse = { ok: true; range: IpRange } | { ok: false; message: string };

/** The longest address text that can be valid (an IPv6 address with an embedded IPv4 one). */
export const addressTextLengthMax = 45;
/** An address, a slash and a three-digit prefix length. */
export const cidrTextLengthMax = addressTextLengthMax + 4;

const familyBits = { 4: 32, 6: 128 } as const;
const familyHexLength = { 4: 8, 6: 32 } as const;
const ipv6GroupCount = 8;
const decimalPattern = /^(0|[1-9][0-9]{0,2})$/;
const ipv6GroupPattern = /^[0-9a-f]{1,4}$/i;
/** `::ffff:0:0/96`: IPv4 addresses as a dual-stack socket reports them. */
const ipv4MappedPrefixHex = '00000000000000000000ffff';
const ipv4MappedPrefixBits = 96;

/**
 * Parses one IPv4 or IPv6 address. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, as a
 * dual-stack socket reports an IPv4 client) is returned as the IPv4 address it carries, so that
 * it finds the IPv4 range that holds it. Zone indexes (`fe80::1%eth0`) are rejected.
 */
export function parseAddress(text: string): IpAddress | null {
  const address = parseAddressExact(text);
  if (address?.family === 6 && address.hex.startsWith(ipv4MappedPrefixHex)) {
    return { family: 4, hex: address.hex.slice(ipv4MappedPrefixHex.length) };
  }
  return address;
}

/** The address as fixed-width lowercase hex (8 or 32 digits), or null when it is not an address. */
export function addressToHex(text: string): string | null {
  return parseAddress(text)?.hex ?? null;
}

/**
 * Parses a CIDR (`192.0.2.0/24`, `2001:db8::/32`) into its first and last address. Host bits
 * may be set (`192.0.2.77/24`): the range is the network that holds them. A bare address is a
 * range of one address (/32 or /128). An IPv4-mapped IPv6 range is read as its IPv4 range.
 */
export function parseCidr(text: string): CidrParse {
  if (text.length > cidrTextLengthMax) return { ok: false, message: 'too long to be a CIDR' };
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseAddressExact(addressText);
  if (address === null) return { ok: false, message: `"${addressText}" is not an IPv4 or IPv6 address` };
  const bits = familyBits[address.family];
  const prefixLength = slash === -1 ? bits : parsePrefixLength(text.slice(slash + 1), bits);
  if (prefixLength === null) {
    return { ok: false, message: `the prefix length must be an integer from 0 to ${bits}` };
  }
  // An IPv4-mapped range (`::ffff:198.51.100.0/120`) is the IPv4 range it carries
  // (`198.51.100.0/24`): addresses are looked up that way (parseAddress), so kept as IPv6 it could
  // never be found.
  if (address.family === 6 && address.hex.startsWith(ipv4MappedPrefixHex) && prefixLength >= ipv4MappedPrefixBits) {
    return { ok: true, range: rangeOf({ family: 4, hex: address.hex.slice(ipv4MappedPrefixHex.length) }, prefixLength - ipv4MappedPrefixBits) };
  }
  return { ok: true, range: rangeOf(address, prefixLength) };
}

/** Formats fixed-width hex as an address: dotted IPv4, or compressed lowercase IPv6 (RFC 5952). */
export function hexToAddress(family: IpFamily, hex: string): string {
  if (family === 4) {
    return [0, 2, 4, 6].map((start) => String(parseInt(hex.slice(start, start + 2), 16))).join('.');
  }
  const groups = Array.from({ length: ipv6GroupCount }, (_, group) =>
    parseInt(hex.slice(group * 4, group * 4 + 4), 16).toString(16),
  );
  return compressIpv6(groups);
}

export function rangeContains(range: Pick<IpRange, 'family' | 'first_address' | 'last_address'>, address: IpAddress): boolean {
  return range.family === address.family && range.first_address <= address.hex && address.hex <= range.last_address;
}

export function rangesOverlap(
  a: Pick<IpRange, 'family' | 'first_address' | 'last_address'>,
  b: Pick<IpRange, 'family' | 'first_address' | 'last_address'>,
): boolean {
  return a.family === b.family && a.first_address <= b.last_address && b.first_address <= a.last_address;
}

/**
 * The network address (as fixed-width hex) of `address` at every prefix length, from the whole
 * address space (/0) to the address itself (/32 or /128), without repeats. A CIDR range holds
 * the address exactly when its first address is one of these and its last address is not
 * below the address: so a lookup is a bounded set of exact probes, never a scan.
 */
export function networksOf(address: IpAddress): string[] {
  const bits = familyBits[address.family];
  const value = BigInt(`0x${address.hex}`);
  const networks = new Set<string>();
  for (let prefixLength = 0; prefixLength <= bits; prefixLength += 1) {
    const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
    networks.add(toHex(value & ~hostMask, address.family));
  }
  return [...networks];
}

function rangeOf(address: IpAddress, prefixLength: number): IpRange {
  const bits = familyBits[address.family];
  const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
  const first = BigInt(`0x${address.hex}`) & ~hostMask;
  const firstHex = toHex(first, address.family);
  return {
    family: address.family,
    cidr: `${hexToAddress(address.family, firstHex)}/${prefixLength}`,
    prefix_length: prefixLength,
    first_address: firstHex,
    last_address: toHex(first | hostMask, address.family),
  };
}

function toHex(value: bigint, family: IpFamily): string {
  return value.toString(16).padStart(familyHexLength[family], '0');
}

function parsePrefixLength(text: string, bits: number): number | null {
  if (!decimalPattern.test(text)) return null;
  const prefixLength = Number(text);
  return prefixLength <= bits ? prefixLength : null;
}

/** Like parseAddress, but IPv4-mapped IPv6 addresses stay IPv6. */
function parseAddressExact(text: string): IpAddress | null {
  if (text.length === 0 || text.length > addressTextLengthMax) return null;
  if (text.includes(':')) {
    const hex = parseIpv6(text);
    return hex === null ? null : { family: 6, hex };
  }
  const hex = parseIpv4(text);
  return hex === null ? null : { family: 4, hex };
}

function parseIpv4(text: string): string | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let hex = '';
  for (const part of parts) {
    // Leading zeros are refused: some parsers read `010` as octal, so its meaning is unclear.
    if (!decimalPattern.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    hex += octet.toString(16).padStart(2, '0');
  }
  return hex;
}

function parseIpv6(text: string): string | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = parseIpv6Groups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? parseIpv6Groups(halves[1] ?? '', true) : [];
  if (head === null || tail === null) return null;
  const present = head.length + tail.length;
  // `::` stands for one or more zero groups; without it all eight groups must be written.
  if (halves.length === 1 ? present !== ipv6GroupCount : present >= ipv6GroupCount) return null;
  const zeros = Array.from({ length: ipv6GroupCount - present }, () => '0000');
  return [...head, ...zeros, ...tail].join('');
}

/**
 * The groups of one side of `::`, each as four hex digits. An embedded IPv4 address is allowed
 * only at the very end of the address (`allowIpv4Last`) and counts as two groups.
 */
function parseIpv6Groups(text: string, allowIpv4Last: boolean): string[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: string[] = [];
  for (const [index, part] of parts.entries()) {
    if (allowIpv4Last && index === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIpv4(part);
      if (ipv4 === null) return null;
      groups.push(ipv4.slice(0, 4), ipv4.slice(4));
    } else if (ipv6GroupPattern.test(part)) {
      groups.push(part.toLowerCase().padStart(4, '0'));
    } else {
      return null;
    }
  }
  return groups;
}

/** Replaces the longest run of two or more zero groups (the first on a tie) with `::`. */
function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let index = 0; index <= groups.length; index += 1) {
    const isZero = index < groups.length && groups[index] === '0';
    if (isZero && runStart === -1) runStart = index;
    if (!isZero && runStart !== -1) {
      if (index - runStart > bestLength) [bestStart, bestLength] = [runStart, index - runStart];
      runStart = -1;
    }
  }
  if (bestStart === -1) return groups.join(':');
  const head = groups.slice(0, bestStart).join(':');
  const tail = groups.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}
