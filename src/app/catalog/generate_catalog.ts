// A deterministic synthetic catalog for demos, tests and benchmarks. Every company is derived
// from (seed, company number) alone and every contact from (seed, company id, contact number),
// so the same seed gives the same catalog however it is chunked, resumed or parallelised. Times
// are relative to a reference instant passed in, never the wall clock.
//
// The output is the NDJSON import format (API.md), so it can be written to a file and imported,
// and every line passes the import schema.
import { en } from '@faker-js/faker';
import { hexToAddress } from '../../domain/catalog/ip_ranges.ts';
import type {
  CompanyFinancial,
  CompanyNewsItem,
  CompanyRecord,
  CompanySignal,
  ContactRecord,
  Department,
  Seniority,
  SignalType,
} from '../../domain/catalog/records.ts';
import { assert } from '../../lib/assert.ts';
import { dayMs } from '../../lib/clock.ts';

/** A company as one import line: the record with its signals, financials and news. */
export interface GeneratedCompany extends CompanyRecord {
  signals: CompanySignal[];
  financials: CompanyFinancial[];
  news: CompanyNewsItem[];
}

export interface CompanyGeneration {
  seed: number;
  count: number;
  /** How many companies come before the first one generated (to continue or split a catalog). */
  offset?: number;
  /** The instant that "the last two years" count back from. */
  referenceTime?: number;
}

export interface ContactGeneration {
  seed: number;
}

export const referenceTimeDefault = Date.UTC(2026, 0, 1);
/** `cmp_0000001`: seven digits. */
export const companyNumberDigits = 7;
const yearMs = 365 * dayMs;

// ---------------------------------------------------------------------------------------------
// Vocabulary. Weights are relative frequencies.

interface Industry {
  name: string;
  weight: number;
  /** Typical yearly revenue per employee, in US dollars. */
  revenuePerEmployeeUsd: number;
}

const industries: readonly Industry[] = [
  { name: 'Software', weight: 12, revenuePerEmployeeUsd: 220_000 },
  { name: 'IT Services', weight: 8, revenuePerEmployeeUsd: 120_000 },
  { name: 'Financial Services', weight: 6, revenuePerEmployeeUsd: 400_000 },
  { name: 'Banking', weight: 2, revenuePerEmployeeUsd: 350_000 },
  { name: 'Insurance', weight: 3, revenuePerEmployeeUsd: 450_000 },
  { name: 'Healthcare', weight: 6, revenuePerEmployeeUsd: 120_000 },
  { name: 'Biotechnology', weight: 3, revenuePerEmployeeUsd: 300_000 },
  { name: 'Pharmaceuticals', weight: 2, revenuePerEmployeeUsd: 500_000 },
  { name: 'Manufacturing', weight: 8, revenuePerEmployeeUsd: 250_000 },
  { name: 'Retail', weight: 6, revenuePerEmployeeUsd: 180_000 },
  { name: 'E-commerce', weight: 4, revenuePerEmployeeUsd: 350_000 },
  { name: 'Real Estate', weight: 3, revenuePerEmployeeUsd: 300_000 },
  { name: 'Construction', weight: 4, revenuePerEmployeeUsd: 200_000 },
  { name: 'Education', weight: 3, revenuePerEmployeeUsd: 80_000 },
  { name: 'Marketing & Advertising', weight: 4, revenuePerEmployeeUsd: 150_000 },
  { name: 'Media & Entertainment', weight: 3, revenuePerEmployeeUsd: 250_000 },
  { name: 'Telecommunications', weight: 2, revenuePerEmployeeUsd: 400_000 },
  { name: 'Transportation & Logistics', weight: 4, revenuePerEmployeeUsd: 200_000 },
  { name: 'Energy', weight: 2, revenuePerEmployeeUsd: 700_000 },
  { name: 'Hospitality', weight: 3, revenuePerEmployeeUsd: 70_000 },
  { name: 'Food & Beverage', weight: 3, revenuePerEmployeeUsd: 200_000 },
  { name: 'Automotive', weight: 2, revenuePerEmployeeUsd: 400_000 },
  { name: 'Consulting', weight: 5, revenuePerEmployeeUsd: 180_000 },
  { name: 'Legal Services', weight: 2, revenuePerEmployeeUsd: 200_000 },
  { name: 'Non-profit', weight: 2, revenuePerEmployeeUsd: 60_000 },
];

interface Country {
  code: string;
  name: string;
  weight: number;
  /** The domain suffix most of its companies use. */
  suffix: string;
  callingCode: string;
  cities: readonly string[];
}

const countries: readonly Country[] = [
  { code: 'US', name: 'the United States', weight: 40, suffix: 'com', callingCode: '1', cities: ['New York', 'San Francisco', 'Austin', 'Chicago', 'Seattle', 'Boston', 'Denver', 'Atlanta', 'Los Angeles', 'Miami'] },
  { code: 'GB', name: 'the United Kingdom', weight: 9, suffix: 'co.uk', callingCode: '44', cities: ['London', 'Manchester', 'Edinburgh', 'Bristol', 'Cambridge', 'Leeds'] },
  { code: 'DE', name: 'Germany', weight: 7, suffix: 'de', callingCode: '49', cities: ['Berlin', 'Munich', 'Hamburg', 'Frankfurt', 'Cologne', 'Stuttgart'] },
  { code: 'FR', name: 'France', weight: 5, suffix: 'fr', callingCode: '33', cities: ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Bordeaux'] },
  { code: 'CA', name: 'Canada', weight: 5, suffix: 'ca', callingCode: '1', cities: ['Toronto', 'Vancouver', 'Montreal', 'Calgary', 'Ottawa'] },
  { code: 'IN', name: 'India', weight: 6, suffix: 'in', callingCode: '91', cities: ['Bengaluru', 'Mumbai', 'New Delhi', 'Hyderabad', 'Pune', 'Chennai'] },
  { code: 'AU', name: 'Australia', weight: 4, suffix: 'com.au', callingCode: '61', cities: ['Sydney', 'Melbourne', 'Brisbane', 'Perth', 'Adelaide'] },
  { code: 'NL', name: 'the Netherlands', weight: 3, suffix: 'nl', callingCode: '31', cities: ['Amsterdam', 'Rotterdam', 'Utrecht', 'Eindhoven', 'The Hague'] },
  { code: 'JP', name: 'Japan', weight: 3, suffix: 'co.jp', callingCode: '81', cities: ['Tokyo', 'Osaka', 'Yokohama', 'Fukuoka', 'Kyoto'] },
  { code: 'BR', name: 'Brazil', weight: 3, suffix: 'com.br', callingCode: '55', cities: ['São Paulo', 'Rio de Janeiro', 'Belo Horizonte', 'Curitiba', 'Porto Alegre'] },
  { code: 'ES', name: 'Spain', weight: 3, suffix: 'es', callingCode: '34', cities: ['Madrid', 'Barcelona', 'Valencia', 'Seville', 'Bilbao'] },
  { code: 'SE', name: 'Sweden', weight: 2, suffix: 'se', callingCode: '46', cities: ['Stockholm', 'Gothenburg', 'Malmö', 'Uppsala'] },
  { code: 'IT', name: 'Italy', weight: 2, suffix: 'it', callingCode: '39', cities: ['Milan', 'Rome', 'Turin', 'Bologna'] },
  { code: 'CH', name: 'Switzerland', weight: 1, suffix: 'ch', callingCode: '41', cities: ['Zurich', 'Geneva', 'Basel', 'Lausanne'] },
  { code: 'IE', name: 'Ireland', weight: 1, suffix: 'ie', callingCode: '353', cities: ['Dublin', 'Cork', 'Galway'] },
  { code: 'SG', name: 'Singapore', weight: 1, suffix: 'sg', callingCode: '65', cities: ['Singapore'] },
  { code: 'IL', name: 'Israel', weight: 1, suffix: 'co.il', callingCode: '972', cities: ['Tel Aviv', 'Jerusalem', 'Haifa'] },
  { code: 'DK', name: 'Denmark', weight: 1, suffix: 'dk', callingCode: '45', cities: ['Copenhagen', 'Aarhus', 'Odense'] },
  { code: 'PL', name: 'Poland', weight: 1, suffix: 'pl', callingCode: '48', cities: ['Warsaw', 'Kraków', 'Wrocław', 'Gdańsk'] },
  { code: 'MX', name: 'Mexico', weight: 1, suffix: 'com.mx', callingCode: '52', cities: ['Mexico City', 'Guadalajara', 'Monterrey'] },
];

const technologies = [
  'React', 'Angular', 'Vue.js', 'Next.js', 'Node.js', 'TypeScript', 'Python', 'Django', 'Ruby on Rails',
  'Java', 'Spring Boot', 'Go', 'Rust', '.NET', 'PHP', 'Laravel', 'Kotlin', 'Swift', 'PostgreSQL', 'MySQL',
  'MongoDB', 'Redis', 'Elasticsearch', 'Snowflake', 'BigQuery', 'Databricks', 'Apache Kafka', 'RabbitMQ',
  'AWS', 'Google Cloud', 'Microsoft Azure', 'Cloudflare', 'Fastly', 'Kubernetes', 'Docker', 'Terraform',
  'Jenkins', 'GitHub Actions', 'GitLab', 'Datadog', 'New Relic', 'Sentry', 'Grafana', 'Salesforce',
  'HubSpot', 'Marketo', 'Zendesk', 'Intercom', 'Segment', 'Google Analytics', 'Mixpanel', 'Amplitude',
  'Stripe', 'Shopify', 'WordPress', 'Contentful', 'Okta', 'Auth0', 'Slack', 'Jira', 'Confluence', 'Zoom',
  'Twilio', 'SendGrid', 'Tableau', 'Looker',
] as const;

/** Company size tiers: most companies are small, a few are very large (a heavy tail). */
const employeeTiers = [
  { weight: 8, min: 1, max: 9 },
  { weight: 62, min: 10, max: 200 },
  { weight: 22, min: 201, max: 2_000 },
  { weight: 6, min: 2_001, max: 10_000 },
  { weight: 2, min: 10_001, max: 400_000 },
] as const;
const weightedEmployeeTiers = weighted(employeeTiers.map((value) => ({ weight: value.weight, value })));

const newsSources = ['Business Wire', 'PR Newswire', 'Reuters', 'TechCrunch', 'Bloomberg', 'Company blog'] as const;

const seniorityWeights = weighted<Seniority>([
  { value: 'c_level', weight: 6 },
  { value: 'vp', weight: 8 },
  { value: 'director', weight: 14 },
  { value: 'manager', weight: 22 },
  { value: 'senior', weight: 25 },
  { value: 'entry', weight: 25 },
]);

const departmentWeights = weighted<Department>([
  { value: 'engineering', weight: 22 },
  { value: 'sales', weight: 20 },
  { value: 'marketing', weight: 12 },
  { value: 'operations', weight: 10 },
  { value: 'product', weight: 9 },
  { value: 'finance', weight: 8 },
  { value: 'hr', weight: 6 },
  { value: 'executive', weight: 4 },
  { value: 'legal', weight: 3 },
]);

/** Per department: its name in titles, the C-level title, and the individual contributor's role. */
const departmentTitles: Record<Department, { area: string; chief: string; role: string }> = {
  engineering: { area: 'Engineering', chief: 'Chief Technology Officer', role: 'Software Engineer' },
  sales: { area: 'Sales', chief: 'Chief Revenue Officer', role: 'Account Executive' },
  marketing: { area: 'Marketing', chief: 'Chief Marketing Officer', role: 'Marketing Specialist' },
  finance: { area: 'Finance', chief: 'Chief Financial Officer', role: 'Financial Analyst' },
  operations: { area: 'Operations', chief: 'Chief Operating Officer', role: 'Operations Analyst' },
  hr: { area: 'People', chief: 'Chief People Officer', role: 'HR Generalist' },
  legal: { area: 'Legal', chief: 'General Counsel', role: 'Legal Counsel' },
  product: { area: 'Product', chief: 'Chief Product Officer', role: 'Product Manager' },
  executive: { area: 'Strategy', chief: 'Chief Executive Officer', role: 'Chief of Staff' },
};

const departmentList = Object.values(departmentTitles);

/** The lists above as weighted choices, built once rather than for every record. */
const weightedIndustries = weighted(industries.map((value) => ({ weight: value.weight, value })));
const weightedCountries = weighted(countries.map((value) => ({ weight: value.weight, value })));

/** Contacts per company: 1 to 12, about 5 on average. */
const contactCountWeights = weighted([6, 9, 12, 15, 16, 13, 10, 7, 5, 3, 2, 2].map((weight, index) => ({ weight, value: index + 1 })));

// ---------------------------------------------------------------------------------------------
// IP address plan. Company number n owns the n-th /22 of a list of public-looking /8 blocks, and
// its 1–3 IPv4 ranges sit in the first three /24s of that /22, so no two ranges ever overlap,
// whatever the seed. Its IPv6 /48 is n's own /48 under 2a10::/16.

/** First octets left out: private, loopback, link-local, CGNAT, documentation, multicast and up. */
const reservedFirstOctets = new Set([0, 1, 8, 10, 100, 127, 169, 172, 192, 198, 203]);
const ipv4FirstOctets = Array.from({ length: 224 }, (_, octet) => octet).filter((octet) => !reservedFirstOctets.has(octet));
const companiesPerFirstOctet = 1 << 14;
/** The address plan's capacity, and so the largest catalog the generator makes. */
export const generatedCompaniesMax = ipv4FirstOctets.length * companiesPerFirstOctet;
const ipv6Share = 0.3;

// ---------------------------------------------------------------------------------------------
// Drawing. Faker's English vocabulary (names, catch phrases, products, lorem words) drawn
// directly with a small generator of our own: faker's own methods go through its template
// engine and argument checks, which cost more than everything else a seed does per record.

/**
 * sfc32, re-seeded per record from the record's numbers: a few hash steps, where a Mersenne
 * Twister costs tens of microseconds. One state for the module: each record re-seeds it before
 * drawing and draws all it needs before yielding, so interleaved generators cannot disturb each
 * other.
 */
const state = new Uint32Array(4);

function nextWord(): number {
  // Indexed reads: destructuring a typed array goes through its iterator, several times slower.
  const a = state[0]!;
  const b = state[1]!;
  const c = state[2]!;
  const d = state[3]!;
  const sum = (((a + b) | 0) + d) | 0;
  state[3] = d + 1;
  state[0] = b ^ (b >>> 9);
  state[1] = c + (c << 3);
  state[2] = ((c << 21) | (c >>> 11)) + sum;
  return sum >>> 0;
}

/** Seeds the generator from whole numbers (each below 2^53). */
function seedDraws(...words: number[]): void {
  let hash = 0x811c9dc5;
  for (const word of words) {
    hash = mix32(hash ^ (word >>> 0));
    hash = mix32(hash ^ (Math.floor(word / 4_294_967_296) >>> 0));
  }
  for (let index = 0; index < 4; index += 1) state[index] = mix32(hash + index * 0x9e3779b9);
  for (let round = 0; round < 15; round += 1) nextWord();
}

/** Murmur3's finaliser: every input bit flips about half the output bits. */
function mix32(value: number): number {
  let hash = value >>> 0;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** A float in [0, 1) with 53 random bits, like Math.random(). */
function float(): number {
  return ((nextWord() >>> 5) * 67_108_864 + (nextWord() >>> 6)) / 9_007_199_254_740_992;
}

/** A whole number from min to max, both included. */
function int(min: number, max: number): number {
  return min + Math.floor(float() * (max - min + 1));
}

function pick<T>(values: readonly T[]): T {
  return values[Math.floor(float() * values.length)]!;
}

/** Weighted choices with their running totals, built once per list. */
interface WeightedChoices<T> {
  values: readonly T[];
  cumulative: Float64Array;
}

function weighted<T>(choices: ReadonlyArray<{ weight: number; value: T }>): WeightedChoices<T> {
  const cumulative = new Float64Array(choices.length);
  let total = 0;
  choices.forEach((choice, index) => {
    assert(choice.weight > 0, 'weights are positive');
    total += choice.weight;
    cumulative[index] = total;
  });
  return { values: choices.map((choice) => choice.value), cumulative };
}

function pickWeighted<T>(choices: WeightedChoices<T>): T {
  const roll = float() * choices.cumulative[choices.cumulative.length - 1]!;
  let index = 0;
  while (choices.cumulative[index]! <= roll) index += 1;
  return choices.values[index]!;
}

/** `count` distinct values in random order (a partial Fisher–Yates shuffle). */
function sample<T>(values: readonly T[], count: number): T[] {
  const pool = values.slice();
  for (let index = 0; index < count; index += 1) {
    const other = index + Math.floor(float() * (pool.length - index));
    const value = pool[other]!;
    pool[other] = pool[index]!;
    pool[index] = value;
  }
  pool.length = count;
  return pool;
}

const vocabulary = {
  firstNames: wordList(en.person?.first_name?.generic, 'person.first_name.generic'),
  lastNames: wordList(en.person?.last_name?.generic, 'person.last_name.generic'),
  personPrefixes: wordList(en.person?.prefix?.generic, 'person.prefix.generic'),
  personSuffixes: wordList(en.person?.suffix, 'person.suffix'),
  legalEntityTypes: wordList((en.company as { legal_entity_type?: unknown } | undefined)?.legal_entity_type, 'company.legal_entity_type'),
  catchPhrase: [
    wordList(en.company?.adjective, 'company.adjective'),
    wordList(en.company?.descriptor, 'company.descriptor'),
    wordList(en.company?.noun, 'company.noun'),
  ],
  buzzPhrase: [
    wordList(en.company?.buzz_verb, 'company.buzz_verb'),
    wordList(en.company?.buzz_adjective, 'company.buzz_adjective'),
    wordList(en.company?.buzz_noun, 'company.buzz_noun'),
  ],
  product: [
    wordList(en.commerce?.product_name?.adjective, 'commerce.product_name.adjective'),
    wordList(en.commerce?.product_name?.material, 'commerce.product_name.material'),
    wordList(en.commerce?.product_name?.product, 'commerce.product_name.product'),
  ],
  loremWords: wordList(en.lorem?.word, 'lorem.word'),
};

/** One of faker's English word lists, checked once at load (a faker upgrade may move one). */
function wordList(value: unknown, name: string): readonly string[] {
  assert(Array.isArray(value) && value.length > 0 && value.every((word) => typeof word === 'string' && word !== ''), `faker's English ${name} is not a list of words`);
  return value as string[];
}

/** A last name: mostly one, now and then two joined by a hyphen (faker's English pattern). */
function lastName(): string {
  return float() < 0.05 ? `${pick(vocabulary.lastNames)}-${pick(vocabulary.lastNames)}` : pick(vocabulary.lastNames);
}

/** "Kuhn LLC", "Kuhn - Hegmann", "Kuhn, Hegmann and Smith": faker's English company names. */
function companyName(): string {
  switch (int(0, 2)) {
    case 0:
      return `${lastName()} - ${lastName()}`;
    case 1:
      return `${lastName()} ${pick(vocabulary.legalEntityTypes)}`;
    default:
      return `${lastName()}, ${lastName()} and ${lastName()}`;
  }
}

const fullNamePatterns = weighted([
  { weight: 49, value: { prefix: false, suffix: false } },
  { weight: 7, value: { prefix: true, suffix: false } },
  { weight: 7, value: { prefix: false, suffix: true } },
  { weight: 1, value: { prefix: true, suffix: true } },
]);

function fullName(): string {
  const pattern = pickWeighted(fullNamePatterns);
  const name = `${pick(vocabulary.firstNames)} ${lastName()}`;
  const prefixed = pattern.prefix ? `${pick(vocabulary.personPrefixes)} ${name}` : name;
  return pattern.suffix ? `${prefixed} ${pick(vocabulary.personSuffixes)}` : prefixed;
}

/** A word from each list, in order, joined by spaces. */
function phrase(lists: ReadonlyArray<readonly string[]>): string {
  return lists.map((list) => pick(list)).join(' ');
}

/** 3 to 10 lorem words, capitalised, with a full stop. */
function loremSentence(): string {
  const words = Array.from({ length: int(3, 10) }, () => pick(vocabulary.loremWords));
  const sentence = words.join(' ');
  return `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`;
}

/** `length` random characters of `alphabet`. */
function randomText(alphabet: string, length: number): string {
  let text = '';
  for (let index = 0; index < length; index += 1) text += alphabet[Math.floor(float() * alphabet.length)];
  return text;
}

const digits = '0123456789';
const lowercaseAlphanumerics = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Companies number offset+1 … offset+count of the catalog of `seed`. */
export function* generateCompanies(options: CompanyGeneration): Generator<GeneratedCompany> {
  const offset = options.offset ?? 0;
  assert(Number.isSafeInteger(options.seed) && options.seed >= 0, 'the seed must be a non-negative integer');
  assert(Number.isSafeInteger(offset) && offset >= 0, 'the offset must be a non-negative integer');
  assert(offset + options.count <= generatedCompaniesMax, `the generator makes at most ${generatedCompaniesMax} companies`);
  const referenceTime = options.referenceTime ?? referenceTimeDefault;
  for (let number = offset + 1; number <= offset + options.count; number += 1) {
    yield generateCompany({ seed: options.seed, number, referenceTime });
  }
}

/** The company `number` (1-based) of the catalog of `seed`. */
export function generateCompany(options: { seed: number; number: number; referenceTime?: number }): GeneratedCompany {
  const { seed, number } = options;
  const referenceTime = options.referenceTime ?? referenceTimeDefault;
  seedDraws(seed, number);
  const name = companyName();
  const industry = pickWeighted(weightedIndustries);
  const country = pickWeighted(weightedCountries);
  const city = pick(country.cities);
  const employees = pickEmployees();
  const revenueUsd = roundTo(employees * industry.revenuePerEmployeeUsd * Math.exp(normal(0, 0.35)), 1_000);
  const domain = `${slug(name)}-${number}.${country.suffix}`;
  return {
    id: `cmp_${String(number).padStart(companyNumberDigits, '0')}`,
    name,
    domain,
    industry: industry.name,
    employees,
    revenue_usd: revenueUsd,
    country: country.code,
    city,
    founded: pickFounded(referenceTime),
    description: `${name} (${industry.name}) is based in ${city}, ${country.name}. ${phrase(vocabulary.catchPhrase)}.`,
    technologies: sample(technologies, int(3, 15)),
    ip_ranges: pickIpRanges(number),
    signals: pickSignals({ name, city: pick(country.cities), referenceTime }),
    financials: pickFinancials({ revenueUsd, employees, referenceTime }),
    news: pickNews({ name, domain, referenceTime }),
  };
}

/** About 5 contacts (1–12) of a company, derived from the seed and the company's id. */
export function* generateContacts(
  company: Pick<CompanyRecord, 'id' | 'domain' | 'country'>,
  options: ContactGeneration,
): Generator<ContactRecord> {
  const companyKey = hashText(company.id);
  seedDraws(options.seed, companyKey, 0);
  const count = pickWeighted(contactCountWeights);
  for (let number = 1; number <= count; number += 1) {
    seedDraws(options.seed, companyKey, number);
    yield pickContact(company, number);
  }
}

function pickEmployees(): number {
  const tier = pickWeighted(weightedEmployeeTiers);
  return Math.round(logUniform(tier.min, tier.max));
}

function pickFounded(referenceTime: number): number {
  const referenceYear = new Date(referenceTime).getUTCFullYear();
  const roll = float();
  if (roll < 0.85) return int(1980, Math.min(2022, referenceYear - 1));
  if (roll < 0.95) return int(1900, 1979);
  return int(Math.min(2023, referenceYear - 1), referenceYear - 1);
}

function pickIpRanges(number: number): string[] {
  const slot = number - 1;
  const firstOctet = ipv4FirstOctets[Math.floor(slot / companiesPerFirstOctet)];
  assert(firstOctet !== undefined, `company ${number} is beyond the address plan`);
  const base = firstOctet * 2 ** 24 + (slot % companiesPerFirstOctet) * 1_024;
  const ranges: string[] = [];
  const count = int(1, 3);
  for (let block = 0; block < count; block += 1) {
    const prefixLength = int(24, 28);
    const size = 2 ** (32 - prefixLength);
    const start = base + block * 256 + int(0, 256 / size - 1) * size;
    ranges.push(`${hexToAddress(4, start.toString(16).padStart(8, '0'))}/${prefixLength}`);
  }
  if (float() < ipv6Share) {
    const hex = `2a10${(slot >>> 16).toString(16).padStart(4, '0')}${(slot & 0xffff).toString(16).padStart(4, '0')}${'0'.repeat(20)}`;
    ranges.push(`${hexToAddress(6, hex)}/48`);
  }
  return ranges;
}

function pickSignals(company: { name: string; city: string; referenceTime: number }): CompanySignal[] {
  const count = int(0, 6);
  return Array.from({ length: count }, () => {
    const type = pick(signalTypes);
    return {
      type,
      title: signalTitles[type](company.name, company.city),
      occurred_at: pickRecentTime(company.referenceTime),
    };
  });
}

const signalTitles: Record<SignalType, (name: string, city: string) => string> = {
  funding_round: (name) =>
    `${name} raises $${int(2, 250)}M in a Series ${pick(['A', 'B', 'C', 'D'])} round`,
  hiring: (name) =>
    `${name} is hiring ${int(5, 120)} people in ${pick(departmentList).area.toLowerCase()}`,
  leadership_change: (name) =>
    `${name} appoints ${fullName()} as ${pick(departmentList).chief}`,
  expansion: (name, city) => `${name} opens a new office in ${city}`,
  acquisition: (name) => `${name} acquires ${companyName()}`,
  product_launch: (name) => `${name} launches ${phrase(vocabulary.product)}`,
  partnership: (name) => `${name} partners with ${companyName()}`,
  layoffs: (name) => `${name} cuts ${int(3, 25)}% of its workforce`,
};
const signalTypes = Object.keys(signalTitles) as SignalType[];

/** The last 3–5 full years, latest first, growing towards today's revenue and headcount. */
function pickFinancials(company: { revenueUsd: number; employees: number; referenceTime: number }): CompanyFinancial[] {
  const latestYear = new Date(company.referenceTime).getUTCFullYear() - 1;
  const growth = Math.min(1.6, Math.max(0.7, 1 + normal(0.08, 0.1)));
  const count = int(3, 5);
  return Array.from({ length: count }, (_, yearsBack) => ({
    year: latestYear - yearsBack,
    revenue_usd: roundTo(company.revenueUsd / growth ** yearsBack * Math.exp(normal(0, 0.03)), 1_000),
    employees: Math.max(1, Math.round(company.employees / growth ** (yearsBack * 0.6))),
  }));
}

function pickNews(company: { name: string; domain: string; referenceTime: number }): CompanyNewsItem[] {
  const count = int(0, 5);
  return Array.from({ length: count }, () => {
    const title = `${company.name} ${pick(newsVerbs)} ${phrase(vocabulary.buzzPhrase)}`;
    const publishedAt = pickRecentTime(company.referenceTime);
    return {
      title,
      url: `https://www.${company.domain}/news/${publishedAt.slice(0, 10)}-${slug(title).slice(0, 60)}`,
      source: pick(newsSources),
      published_at: publishedAt,
      summary: `${phrase(vocabulary.catchPhrase)}. ${loremSentence()}`,
    };
  });
}

const newsVerbs = ['announces plans to', 'sets out to', 'unveils a strategy to', 'commits to', 'aims to'] as const;

function pickContact(company: Pick<CompanyRecord, 'id' | 'domain' | 'country'>, number: number): ContactRecord {
  const firstName = pick(vocabulary.firstNames);
  const familyName = lastName();
  const seniority = pickWeighted(seniorityWeights);
  const department = seniority === 'c_level' ? pickChiefDepartment() : pickWeighted(departmentWeights);
  const channels = pickChannels(company.domain !== null);
  const country = float() < 0.9 && company.country !== null ? company.country : pickCountry().code;
  const handle = [asciiWord(firstName), asciiWord(familyName)];
  return {
    id: `cnt_${company.id.replace(/^cmp_/, '')}_${String(number).padStart(2, '0')}`,
    company_id: company.id,
    first_name: firstName,
    last_name: familyName,
    title: jobTitle(seniority, department),
    seniority,
    department,
    email: channels.email ? pickEmail(handle, company.domain ?? '') : null,
    phone: channels.phone ? pickPhone(country) : null,
    linkedin_url:
      float() < 0.9
        ? `https://www.linkedin.com/in/${handle.join('-')}-${randomText(lowercaseAlphanumerics, 6)}`
        : null,
    country,
  };
}

/**
 * About 85% have an email and 60% a phone, correlated so that about 8% have neither: those
 * contacts cost nothing to read (DESIGN.md rule 6).
 */
function pickChannels(hasDomain: boolean): { email: boolean; phone: boolean } {
  const email = hasDomain && float() < 0.85;
  const phone = float() < (email ? 0.62 : 0.47);
  return { email, phone };
}

function pickChiefDepartment(): Department {
  return pickWeighted(chiefDepartments);
}

const chiefDepartments = weighted<Department>([
  { value: 'executive', weight: 4 },
  { value: 'engineering', weight: 2 },
  { value: 'finance', weight: 2 },
  { value: 'operations', weight: 1 },
  { value: 'sales', weight: 1 },
  { value: 'marketing', weight: 1 },
  { value: 'product', weight: 1 },
  { value: 'hr', weight: 1 },
  { value: 'legal', weight: 1 },
]);

function jobTitle(seniority: Seniority, department: Department): string {
  const titles = departmentTitles[department];
  switch (seniority) {
    case 'c_level':
      return titles.chief;
    case 'vp':
      return `VP of ${titles.area}`;
    case 'director':
      return `Director of ${titles.area}`;
    case 'manager':
      return `${titles.area} Manager`;
    case 'senior':
      return `Senior ${titles.role}`;
    case 'entry':
      return titles.role;
  }
}

function pickEmail(handle: string[], domain: string): string {
  const [first = 'contact', last = ''] = handle;
  const local = float() < 0.7 || last === '' ? [first, last].filter(Boolean).join('.') : `${first[0]}${last}`;
  return `${local}@${domain}`;
}

function pickPhone(countryCode: string): string {
  const country = countries.find((candidate) => candidate.code === countryCode);
  return `+${country?.callingCode ?? '1'} ${randomText(digits, 3)} ${randomText(digits, 3)} ${randomText(digits, 4)}`;
}

function pickCountry(): Country {
  return pickWeighted(weightedCountries);
}

/** An instant in the two years before the reference time, to the second, as ISO 8601. */
function pickRecentTime(referenceTime: number): string {
  const at = int(referenceTime - 2 * yearMs, referenceTime - dayMs);
  return new Date(at - (at % 1_000)).toISOString();
}

function logUniform(min: number, max: number): number {
  return Math.exp(Math.log(min) + float() * (Math.log(max) - Math.log(min)));
}

/** A normal draw (Box–Muller). */
function normal(mean: number, deviation: number): number {
  const u = 1 - float();
  const v = float();
  return mean + deviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function roundTo(value: number, step: number): number {
  return Math.max(0, Math.round(value / step) * step);
}

/** Lowercase ASCII words joined by hyphens, for domain names and URLs. */
function slug(text: string): string {
  const words = asciiFold(text).toLowerCase().match(/[a-z0-9]+/g) ?? ['company'];
  return words.join('-').slice(0, 40).replace(/-+$/, '');
}

function asciiWord(text: string): string {
  return asciiFold(text).toLowerCase().replace(/[^a-z]/g, '');
}

function asciiFold(text: string): string {
  // Most names are ASCII already, and folding ASCII changes nothing.
  if (asciiOnly.test(text)) return text;
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}

/** Nothing beyond U+007F: printable ASCII and its controls, which folding leaves as they are. */
const asciiOnly = /^[^\u0080-\uffff]*$/;

/** FNV-1a: a stable 32-bit number for a company id, to seed its contacts. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0;
  }
  return hash;
}
