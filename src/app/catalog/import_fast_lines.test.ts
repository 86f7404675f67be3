// Proves the import's fast path agrees with the zod line schemas: for random lines, valid,
// blank, padded, out of bounds, mistyped or malformed field by field, and for mutations of
// generated lines, the fast path accepts exactly the lines the schema accepts and returns the
// very same parsed row; and every generated catalog line takes the fast path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCompanies, generateContacts } from './generate_catalog.ts';
import { fastCompanyLine, fastContactLine } from './import_fast_lines.ts';
import {
  companyLineSchema,
  contactLineSchema,
  companyNameLengthMax,
  descriptionLengthMax,
  domainLengthMax,
  emailLengthMax,
  newsCountMax,
  personNameLengthMax,
  phoneLengthMax,
  recordIdLengthMax,
  technologiesCountMax,
  urlLengthMax,
} from './import_schemas.ts';

const runs = 3_000;

/** Both paths on one value: the fast path must give the schema's row, or nothing when the schema refuses. */
function expectSameCompany(value: unknown): void {
  const parsed = companyLineSchema.safeParse(value);
  expect(fastCompanyLine(value)).toStrictEqual(parsed.success ? parsed.data : undefined);
}

function expectSameContact(value: unknown): void {
  const parsed = contactLineSchema.safeParse(value);
  expect(fastContactLine(value)).toStrictEqual(parsed.success ? parsed.data : undefined);
}

// ---------------------------------------------------------------------------------------------
// Values: near-valid ones and every kind of edge the schemas treat specially.

const padding = fc.constantFrom('', '', '', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\ufeff', '\u2028', '\u0000');
/** Characters whose case mapping changes length or lands in ASCII (İ → i̇, ß → SS, the Kelvin sign → k). */
const trickyText = fc.constantFrom('K', 'İ', 'ß', 'ﬀ', 'Σ', 'é', '\u0000', '\u200b', '日本', '😀', '\ud800');
const anyText = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), trickyText);

function padded(core: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(padding, core, padding).map(([before, middle, after]) => `${before}${middle}${after}`);
}

function longText(lengthMax: number): fc.Arbitrary<string> {
  return fc.constantFrom(lengthMax - 1, lengthMax, lengthMax + 1).map((length) => 'x'.repeat(length));
}

const oddValues = fc.constantFrom<unknown>(null, undefined, '', '   ', 0, -0, 1, -1, 1.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, true, false, [], {}, ['a'], { a: 1 });

/** A field: mostly its own kind of value, sometimes any other value. */
function field(own: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: own, weight: 6 }, { arbitrary: oddValues, weight: 2 }, { arbitrary: padded(anyText), weight: 1 });
}

const recordIds = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._~:-]{0,20}$/),
  longText(recordIdLengthMax),
  fc.constantFrom(' a', 'a ', '-a', 'a b', 'cmp_0000001'),
);
const texts = (lengthMax: number): fc.Arbitrary<unknown> => fc.oneof(padded(fc.string({ maxLength: 20 })), padded(trickyText), longText(lengthMax));
const wholeNumbers = fc.oneof(
  fc.integer({ min: -5, max: 3_000 }),
  fc.constantFrom(1599, 1600, 1899, 1900, 2023, 2024, 2025, 2100, 2101, 10_000_000, 10_000_001, 10_000_000_000_000, 10_000_000_000_001, 2 ** 53, 0.5, -0),
  fc.double(),
);
const categories = padded(fc.oneof(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,8}$/), trickyText, longText(64)));
const countries = padded(fc.oneof(fc.stringMatching(/^[A-Za-z]{2,3}$/), fc.constantFrom('us', 'GB', 'Gb', 'ZZ', 'UK', 'ß')));
const domains = padded(fc.oneof(fc.domain(), fc.constantFrom('Acme.EXAMPLE.com', 'https://acme.com/', 'localhost', 'a..b.com', `${'a'.repeat(250)}.com`), longText(domainLengthMax)));
const urls = padded(
  fc.oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.webUrl().map((url) => url.toUpperCase()),
    fc.webUrl().map((url) => url.replace('//', '//\t')),
    fc.webUrl().map((url) => `${url}\n/x`),
    fc.webUrl().map((url) => `${url}/a\u0000b`),
    fc.webUrl().map((url) => `${url}/\ud800`),
    fc.constantFrom('http:example.com', 'ftp://example.com', 'https://localhost/', 'https://192.0.2.1/', 'HTTPS://Example.COM', 'https://exa mple.com', `https://example.com/${'x'.repeat(urlLengthMax)}`),
  ),
);
const emails = padded(fc.oneof(fc.emailAddress(), fc.constantFrom('a@b', 'a@b.c', "o'neil@example.com", 'a.@example.com', 'x'.repeat(emailLengthMax) + '@a.com')));
const phones = padded(fc.oneof(fc.stringMatching(/^\+?[0-9 ().-]{0,12}$/), fc.constantFrom('+1 078 617 1843', '123', '(0)', 'x'.repeat(phoneLengthMax + 1))));
const instants = padded(
  fc.oneof(
    fc.date({ min: new Date(Date.UTC(1850, 0, 1)), max: new Date(Date.UTC(2150, 0, 1)), noInvalidDate: true }).map((date) => date.toISOString()),
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
    fc.constantFrom('2025-03-01T10:00:00+01:00', '2025-03-01T10:00:00', '2025-02-29', '2024-02-29', '2025-13-01', '1900-01-01', '1899-12-31T23:59:59Z', '2100-12-31T23:59:59.999Z', '2101-01-01', '2025-03-01T24:00:00Z', '2025-03-01T10:00:00.123456789Z', '2025-03-01 10:00:00Z'),
  ),
);
const cidrs = padded(
  fc.oneof(
    fc.tuple(fc.ipV4(), fc.integer({ min: -1, max: 33 })).map(([address, prefix]) => (prefix < 0 ? address : `${address}/${prefix}`)),
    fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 129 })).map(([address, prefix]) => `${address}/${prefix}`),
    fc.constantFrom('192.0.2.77/24', '192.0.2.0/24', '2001:DB8::/32', '::ffff:192.0.2.1/128', '300.0.0.0/8', '10.0.0.0/08', 'fe80::1%eth0'),
  ),
);

function lists(item: fc.Arbitrary<unknown>, countMax: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.array(item, { maxLength: 4 }), weight: 8 },
    { arbitrary: fc.constantFrom(countMax, countMax + 1).chain((length) => fc.array(item, { minLength: length, maxLength: length })), weight: 1 },
    { arbitrary: oddValues, weight: 1 },
  );
}

const signals = fc.record({ type: field(categories), title: field(texts(300)), occurred_at: field(instants), extra: fc.string() }, { requiredKeys: [] });
const financials = fc.record(
  { year: field(fc.oneof(fc.integer({ min: 1895, max: 2105 }), fc.constantFrom(2023, 2024, 2025))), revenue_usd: field(wholeNumbers), employees: field(wholeNumbers) },
  { requiredKeys: [] },
);
const news = fc.record(
  { title: field(texts(300)), url: field(urls), source: field(texts(100)), published_at: field(instants), summary: field(texts(2_000)) },
  { requiredKeys: [] },
);

const companyLines = fc.record(
  {
    id: field(recordIds),
    name: field(texts(companyNameLengthMax)),
    domain: field(domains),
    industry: field(texts(100)),
    employees: field(wholeNumbers),
    revenue_usd: field(wholeNumbers),
    country: field(countries),
    city: field(texts(100)),
    founded: field(wholeNumbers),
    description: field(texts(descriptionLengthMax)),
    technologies: lists(field(texts(64)), technologiesCountMax),
    ip_ranges: lists(field(cidrs), 64),
    signals: lists(field(signals), 100),
    financials: lists(field(financials), 50),
    news: lists(field(news), newsCountMax),
    extra_column: fc.string(),
  },
  { requiredKeys: [] },
);

const contactLines = fc.record(
  {
    id: field(recordIds),
    company_id: field(recordIds),
    first_name: field(texts(personNameLengthMax)),
    last_name: field(texts(personNameLengthMax)),
    title: field(texts(200)),
    seniority: field(categories),
    department: field(categories),
    email: field(emails),
    phone: field(phones),
    linkedin_url: field(urls),
    country: field(countries),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------------------------------------
// Generated lines, and mutations of them.

const generated = [...generateCompanies({ seed: 7, count: 200 })].map((company) => JSON.parse(JSON.stringify(company)) as Record<string, unknown>);
const generatedContacts = generated
  .slice(0, 50)
  .flatMap((company) => [...generateContacts(company as never, { seed: 7 })])
  .map((contact) => JSON.parse(JSON.stringify(contact)) as Record<string, unknown>);

/** Any value a field might hold, of any field's kind. */
const mutations = fc.oneof(oddValues, anyText, padded(anyText), recordIds, texts(50), wholeNumbers, categories, countries, domains, urls, emails, phones, instants, cidrs);

/** Where a mutation goes: a field, or (`deep`) an item of a list field or a field of that item. */
const places = fc.record({ key: fc.nat(), deep: fc.boolean(), item: fc.nat(), itemKey: fc.nat() });

/** A copy of `record` with the value at one place replaced. */
function mutated(record: Record<string, unknown>, place: { key: number; deep: boolean; item: number; itemKey: number }, value: unknown): Record<string, unknown> {
  const copy = structuredClone(record);
  const keys = Object.keys(copy);
  const key = keys[place.key % keys.length]!;
  const target = copy[key];
  if (!place.deep || !Array.isArray(target) || target.length === 0) {
    copy[key] = value;
    return copy;
  }
  const index = place.item % target.length;
  const item = target[index] as unknown;
  if (typeof item === 'object' && item !== null) {
    const itemKeys = Object.keys(item);
    (item as Record<string, unknown>)[itemKeys[place.itemKey % itemKeys.length]!] = value;
  } else {
    target[index] = value;
  }
  return copy;
}

/** Each list field with its bound, and every item of it in the generated lines. */
const listFields = (['technologies', 'ip_ranges', 'signals', 'financials', 'news'] as const).map((key) => ({
  key,
  countMax: { technologies: technologiesCountMax, ip_ranges: 64, signals: 100, financials: 50, news: newsCountMax }[key],
  items: generated.flatMap((line) => line[key] as unknown[]),
}));

/** A list field refilled with valid items, repeats likely (same years, technologies, networks), at most one past its bound. */
const refilledLists = fc.constantFrom(...listFields).chain(({ key, countMax, items }) =>
  fc
    .oneof(fc.nat(6), fc.constantFrom(countMax, countMax + 1))
    .chain((length) => fc.array(fc.nat(Math.min(items.length, 8) - 1), { minLength: length, maxLength: length }))
    .map((picks) => ({ key, items: picks.map((pick) => items[pick]) })),
);

describe('the fast path of company lines', () => {
  it('accepts every generated line, with the schema’s row', () => {
    for (const line of generated) {
      expect(fastCompanyLine(line)).toBeDefined();
      expectSameCompany(line);
    }
  });

  it('agrees with the schema on random lines', () => {
    fc.assert(fc.property(companyLines, (line) => expectSameCompany(line)), { numRuns: runs });
  });

  it('agrees with the schema on generated lines with one field changed', () => {
    fc.assert(
      fc.property(fc.nat(generated.length - 1), places, mutations, (index, place, value) => {
        expectSameCompany(mutated(generated[index]!, place, value));
      }),
      { numRuns: runs },
    );
  });

  it('agrees with the schema on generated lines with a list refilled', () => {
    fc.assert(
      fc.property(fc.nat(generated.length - 1), refilledLists, (index, { key, items }) => {
        expectSameCompany({ ...generated[index]!, [key]: items });
      }),
      { numRuns: runs },
    );
  });

  it('agrees on values that are not records', () => {
    for (const value of [null, undefined, 1, 'a', [], [{ id: 'a', name: 'A' }]]) expectSameCompany(value);
  });
});

describe('the fast path of contact lines', () => {
  it('accepts every generated line, with the schema’s row', () => {
    for (const line of generatedContacts) {
      expect(fastContactLine(line)).toBeDefined();
      expectSameContact(line);
    }
  });

  it('agrees with the schema on random lines', () => {
    fc.assert(fc.property(contactLines, (line) => expectSameContact(line)), { numRuns: runs });
  });

  it('agrees with the schema on generated lines with one field changed', () => {
    fc.assert(
      fc.property(fc.nat(generatedContacts.length - 1), places, mutations, (index, place, value) => {
        expectSameContact(mutated(generatedContacts[index]!, place, value));
      }),
      { numRuns: runs },
    );
  });
});
