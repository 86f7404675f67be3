// The NDJSON import format (API.md, "Catalog import"): one zod schema per line type. A parsed
// line is ready to write: text trimmed, empty strings and missing values as null, times as
// milliseconds, CIDRs parsed into their first and last address, repeated items removed.
//
// Unknown fields are ignored rather than refused, so a vendor's export with extra columns
// imports as it is. Every bound is a named constant; lengths count UTF-16 code units.
import { z } from 'zod';
import { parseCidr } from '../../domain/catalog/ip_ranges.ts';

export const recordIdLengthMax = 128;
export const companyNameLengthMax = 256;
export const domainLengthMax = 253;
export const industryLengthMax = 100;
export const cityLengthMax = 100;
export const descriptionLengthMax = 5_000;
export const technologyLengthMax = 64;
export const technologiesCountMax = 100;
export const ipRangesCountMax = 64;
export const signalsCountMax = 100;
export const financialsCountMax = 50;
export const newsCountMax = 100;
export const titleLengthMax = 300;
export const summaryLengthMax = 2_000;
export const newsSourceLengthMax = 100;
export const urlLengthMax = 2_048;
export const personNameLengthMax = 100;
export const jobTitleLengthMax = 200;
/** Seniority, department and signal type: short snake_case words. */
export const categoryLengthMax = 64;
export const emailLengthMax = 254;
export const phoneLengthMax = 32;
export const phoneDigitsMin = 4;
/** Ten million: more than the largest employer on Earth. */
export const employeesMax = 10_000_000;
/** Ten trillion US dollars: more than any company's revenue, and well inside 2^53. */
export const revenueUsdMax = 10_000_000_000_000;
export const foundedYearMin = 1600;
export const yearMin = 1900;
export const yearMax = 2100;

export const instantMin = Date.UTC(yearMin, 0, 1);
export const instantMax = Date.UTC(yearMax + 1, 0, 1) - 1;

/** URL-safe, since record ids appear in API paths (`/v1/companies/{id}`). */
export const recordIdPattern = /^[A-Za-z0-9][A-Za-z0-9._~:-]*$/;
export const categoryPattern = /^[a-z][a-z0-9_]*$/;
export const phonePattern = /^\+?[0-9 ().-]+$/;

/** ISO 3166-1 alpha-2: every officially assigned code. */
export const countryCodes: ReadonlySet<string> = new Set(
  `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
  BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER
  ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID
  IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV
  LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR
  NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
  SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC
  VE VG VI VN VU WF WS YE YT ZA ZM ZW`.split(/\s+/),
);

/** Missing, null and blank all mean "unknown" (null), so a vendor's empty columns import cleanly. */
function optional<Schema extends z.ZodType>(schema: Schema) {
  return z
    .preprocess((value) => (typeof value === 'string' && value.trim() === '' ? null : value), schema.nullish())
    .transform((value): z.output<Schema> | null => value ?? null);
}

/**
 * Text that both engines store exactly as sent: no NUL (PostgreSQL cannot store it) and no lone
 * UTF-16 surrogate (a JSON escape such as "\\ud800" that is no character: written as UTF-8 it
 * would silently become U+FFFD).
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

const storableTextMessage = 'must not contain NUL characters or unpaired surrogates';

/** Text fields: trimmed, bounded and storable. */
function text(lengthMax: number) {
  return z.string().trim().min(1, 'must not be empty').max(lengthMax).refine(isStorableText, storableTextMessage);
}

function wholeNumber(min: number, max: number) {
  return z.number().int('must be a whole number').min(min).max(max);
}

const recordId = z
  .string()
  .max(recordIdLengthMax)
  .regex(recordIdPattern, 'must be letters, digits and . _ ~ : - (starting with a letter or digit)');

export const categorySchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(categoryLengthMax)
  .regex(categoryPattern, 'must be a lowercase snake_case word, like "c_level" or "funding_round"');

export const countrySchema = z
  .string()
  .trim()
  .toUpperCase()
  .refine((code) => countryCodes.has(code), 'must be an ISO 3166 alpha-2 country code, like "US" or "GB"');

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(domainLengthMax)
  .regex(z.regexes.domain, 'must be a domain name, like "example.com" (no scheme or path)');

const webUrl = z
  .string()
  .trim()
  .max(urlLengthMax)
  .pipe(z.url({ protocol: /^https?$/, hostname: z.regexes.domain, error: 'must be an http or https URL' }))
  .refine(isStorableText, storableTextMessage);

const email = z.string().trim().max(emailLengthMax).pipe(z.email('must be an email address'));

const phone = z
  .string()
  .trim()
  .max(phoneLengthMax)
  .regex(phonePattern, 'must be a phone number: digits, spaces, ( ) . - and an optional leading +')
  .refine((value) => value.replace(/[^0-9]/g, '').length >= phoneDigitsMin, `must have at least ${phoneDigitsMin} digits`);

const instantFormats = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/** An ISO 8601 date or date-time with its time zone, as milliseconds since the epoch. */
const instant = z
  .string()
  .trim()
  .transform((value, context) => {
    const at = instantFormats.safeParse(value).success ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(at)) {
      context.addIssue({ code: 'custom', message: 'must be an ISO 8601 date or date-time with a time zone, like "2025-03-01T09:30:00Z"' });
      return z.NEVER;
    }
    if (at < instantMin || at > instantMax) {
      context.addIssue({ code: 'custom', message: `must be in the years ${yearMin} to ${yearMax}` });
      return z.NEVER;
    }
    return at;
  });

const cidr = z
  .string()
  .trim()
  .transform((value, context) => {
    const parsed = parseCidr(value);
    if (!parsed.ok) {
      context.addIssue({ code: 'custom', message: `must be a CIDR like "192.0.2.0/24" or "2001:db8::/32": ${parsed.message}` });
      return z.NEVER;
    }
    return parsed.range;
  });

const signal = z.object({
  type: categorySchema,
  title: text(titleLengthMax),
  occurred_at: instant,
});

const financial = z.object({
  year: wholeNumber(yearMin, yearMax),
  revenue_usd: optional(wholeNumber(0, revenueUsdMax)),
  employees: optional(wholeNumber(0, employeesMax)),
});

const newsItem = z.object({
  title: text(titleLengthMax),
  url: optional(webUrl),
  source: optional(text(newsSourceLengthMax)),
  published_at: optional(instant),
  summary: optional(text(summaryLengthMax)),
});

/** A list that may be missing or null (meaning empty). */
function list<Item extends z.ZodType>(item: Item, countMax: number) {
  return z
    .array(item)
    .max(countMax)
    .nullish()
    .transform((items) => items ?? []);
}

export const companyLineSchema = z
  .object({
    id: recordId,
    name: text(companyNameLengthMax),
    domain: optional(domain),
    industry: optional(text(industryLengthMax)),
    employees: optional(wholeNumber(0, employeesMax)),
    revenue_usd: optional(wholeNumber(0, revenueUsdMax)),
    country: optional(countrySchema),
    city: optional(text(cityLengthMax)),
    founded: optional(wholeNumber(foundedYearMin, yearMax)),
    description: optional(text(descriptionLengthMax)),
    technologies: list(text(technologyLengthMax), technologiesCountMax),
    ip_ranges: list(cidr, ipRangesCountMax),
    signals: list(signal, signalsCountMax),
    financials: list(financial, financialsCountMax),
    news: list(newsItem, newsCountMax),
  })
  .superRefine((company, context) => {
    const years = company.financials.map((row) => row.year);
    const repeated = years.findIndex((year, index) => years.indexOf(year) !== index);
    if (repeated !== -1) {
      context.addIssue({ code: 'custom', path: ['financials', repeated, 'year'], message: 'each year may appear only once' });
    }
  })
  .transform((company) => ({
    ...company,
    // The same technology or network twice is one fact: keep the first.
    technologies: [...new Set(company.technologies)],
    ip_ranges: [...new Map(company.ip_ranges.map((range) => [range.cidr, range])).values()],
  }));

export const contactLineSchema = z
  .object({
    id: recordId,
    company_id: recordId,
    first_name: optional(text(personNameLengthMax)),
    last_name: optional(text(personNameLengthMax)),
    title: optional(text(jobTitleLengthMax)),
    seniority: optional(categorySchema),
    department: optional(categorySchema),
    email: optional(email),
    phone: optional(phone),
    linkedin_url: optional(webUrl),
    country: optional(countrySchema),
  })
  .refine((contact) => contact.first_name !== null || contact.last_name !== null, {
    path: ['first_name'],
    message: 'a contact needs a first_name or a last_name',
  });

/** A company line as written to the store. */
export type CompanyLine = z.output<typeof companyLineSchema>;
/** A contact line as written to the store. */
export type ContactLine = z.output<typeof contactLineSchema>;
