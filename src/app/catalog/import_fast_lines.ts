// The import's fast path: the line schemas of import_schemas.ts compiled by hand into plain
// functions, for the common valid line. Checking a generated company line through the zod schema
// costs about 90 µs (its preprocess, pipe and transform layers allocate at every field); these
// functions do the same checks in a few.
//
// The rule that keeps them honest: a fast function returns either exactly what the zod schema
// would return (the same parsed row) or `undefined`, meaning "not sure", and then the line goes
// through the zod schema, which accepts or rejects it and words the errors. A fast function never
// rejects a line on its own, so the lines accepted are exactly the schema's; whenever a case is
// subtle it gives up rather than guess. Each check repeats the schema's, in the schema's order,
// with the same patterns (zod's own, through `z.regexes`) and the same helpers (parseCidr,
// Date.parse, the URL parser). import_fast_lines.test.ts proves the agreement by property.
import { z } from 'zod';
import { parseCidr, type IpRange } from '../../domain/catalog/ip_ranges.ts';
import {
  categoryLengthMax,
  cityLengthMax,
  companyNameLengthMax,
  countryCodes,
  descriptionLengthMax,
  domainLengthMax,
  emailLengthMax,
  employeesMax,
  financialsCountMax,
  foundedYearMin,
  industryLengthMax,
  instantMax,
  instantMin,
  ipRangesCountMax,
  jobTitleLengthMax,
  newsCountMax,
  newsSourceLengthMax,
  personNameLengthMax,
  phoneDigitsMin,
  phoneLengthMax,
  recordIdLengthMax,
  recordIdPattern,
  categoryPattern,
  phonePattern,
  revenueUsdMax,
  signalsCountMax,
  summaryLengthMax,
  technologiesCountMax,
  technologyLengthMax,
  titleLengthMax,
  urlLengthMax,
  yearMax,
  yearMin,
  isStorableText,
  type CompanyLine,
  type ContactLine,
} from './import_schemas.ts';

/** The patterns zod itself tests (z.iso.datetime({offset: true}), z.iso.date(), z.email(), z.url's hostname). */
const datetimePattern = z.regexes.datetime({ offset: true, local: false, precision: null });
const datePattern = z.regexes.date;
const emailPattern = z.regexes.email;
const domainPattern = z.regexes.domain;
/** z.url with an http(s) protocol first requires the scheme's `://` (zod's guard against `http:x`). */
const httpSchemePattern = /^https?:\/\//i;
const httpProtocolPattern = z.regexes.httpProtocol;
const tabOrNewline = /[\t\n\r]/g;
const nonDigits = /[^0-9]/g;

type Fast<Value> = Value | undefined;
type FastParse<Value> = (value: unknown) => Fast<Value>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** optional(): missing, null and blank strings are null; anything else goes to `parse`. */
function optional<Value>(value: unknown, parse: FastParse<Value>): Fast<Value | null> {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.trim() === '') return null;
  return parse(value);
}

function text(value: unknown, lengthMax: number): Fast<string> {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > lengthMax || !isStorableText(trimmed)) return undefined;
  return trimmed;
}

function wholeNumber(value: unknown, min: number, max: number): Fast<number> {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) return undefined;
  return value;
}

function recordId(value: unknown): Fast<string> {
  if (typeof value !== 'string' || value.length > recordIdLengthMax || !recordIdPattern.test(value)) return undefined;
  return value;
}

function category(value: unknown): Fast<string> {
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  if (lower.length > categoryLengthMax || !categoryPattern.test(lower)) return undefined;
  return lower;
}

function country(value: unknown): Fast<string> {
  if (typeof value !== 'string') return undefined;
  const upper = value.trim().toUpperCase();
  return countryCodes.has(upper) ? upper : undefined;
}

function domain(value: unknown): Fast<string> {
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  if (lower.length > domainLengthMax || !domainPattern.test(lower)) return undefined;
  return lower;
}

/** z.url({protocol: /^https?$/, hostname: z.regexes.domain}) on the trimmed text, as zod checks it. */
function webUrl(value: unknown): Fast<string> {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed.length > urlLengthMax || !httpSchemePattern.test(trimmed)) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (!domainPattern.test(url.hostname) || !httpProtocolPattern.test(url.protocol.slice(0, -1))) return undefined;
  const kept = trimmed.replace(tabOrNewline, '');
  return isStorableText(kept) ? kept : undefined;
}

function email(value: unknown): Fast<string> {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed.length > emailLengthMax || !emailPattern.test(trimmed)) return undefined;
  return trimmed;
}

function phone(value: unknown): Fast<string> {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed.length > phoneLengthMax || !phonePattern.test(trimmed)) return undefined;
  if (trimmed.replace(nonDigits, '').length < phoneDigitsMin) return undefined;
  return trimmed;
}

function instant(value: unknown): Fast<number> {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!datetimePattern.test(trimmed) && !datePattern.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at) || at < instantMin || at > instantMax) return undefined;
  return at;
}

function cidr(value: unknown): Fast<IpRange> {
  if (typeof value !== 'string') return undefined;
  const parsed = parseCidr(value.trim());
  return parsed.ok ? parsed.range : undefined;
}

/** list(): missing or null is empty; otherwise an array of at most `countMax` items, each parsed. */
function list<Item>(value: unknown, countMax: number, parse: FastParse<Item>): Fast<Item[]> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > countMax) return undefined;
  const items = new Array<Item>(value.length);
  for (let index = 0; index < value.length; index += 1) {
    const item = parse(value[index]);
    if (item === undefined) return undefined;
    items[index] = item;
  }
  return items;
}

const technology = (value: unknown): Fast<string> => text(value, technologyLengthMax);
const newsSource = (value: unknown): Fast<string> => text(value, newsSourceLengthMax);
const summary = (value: unknown): Fast<string> => text(value, summaryLengthMax);
const personName = (value: unknown): Fast<string> => text(value, personNameLengthMax);
const revenueUsd = (value: unknown): Fast<number> => wholeNumber(value, 0, revenueUsdMax);
const employees = (value: unknown): Fast<number> => wholeNumber(value, 0, employeesMax);

type Signal = CompanyLine['signals'][number];
type Financial = CompanyLine['financials'][number];
type NewsItem = CompanyLine['news'][number];

function signal(value: unknown): Fast<Signal> {
  if (!isRecord(value)) return undefined;
  const type = category(value.type);
  const title = text(value.title, titleLengthMax);
  const occurredAt = instant(value.occurred_at);
  if (type === undefined || title === undefined || occurredAt === undefined) return undefined;
  return { type, title, occurred_at: occurredAt };
}

function financial(value: unknown): Fast<Financial> {
  if (!isRecord(value)) return undefined;
  const year = wholeNumber(value.year, yearMin, yearMax);
  const revenue = optional(value.revenue_usd, revenueUsd);
  const people = optional(value.employees, employees);
  if (year === undefined || revenue === undefined || people === undefined) return undefined;
  return { year, revenue_usd: revenue, employees: people };
}

function newsItem(value: unknown): Fast<NewsItem> {
  if (!isRecord(value)) return undefined;
  const title = text(value.title, titleLengthMax);
  const url = optional(value.url, webUrl);
  const source = optional(value.source, newsSource);
  const publishedAt = optional(value.published_at, instant);
  const summaryText = optional(value.summary, summary);
  if (title === undefined || url === undefined || source === undefined || publishedAt === undefined || summaryText === undefined) {
    return undefined;
  }
  return { title, url, source, published_at: publishedAt, summary: summaryText };
}

/** companyLineSchema's result for `value`, or undefined when the schema must decide. */
export function fastCompanyLine(value: unknown): Fast<CompanyLine> {
  if (!isRecord(value)) return undefined;
  const company = {
    id: recordId(value.id),
    name: text(value.name, companyNameLengthMax),
    domain: optional(value.domain, domain),
    industry: optional(value.industry, (item) => text(item, industryLengthMax)),
    employees: optional(value.employees, employees),
    revenue_usd: optional(value.revenue_usd, revenueUsd),
    country: optional(value.country, country),
    city: optional(value.city, (item) => text(item, cityLengthMax)),
    founded: optional(value.founded, (item) => wholeNumber(item, foundedYearMin, yearMax)),
    description: optional(value.description, (item) => text(item, descriptionLengthMax)),
    technologies: list(value.technologies, technologiesCountMax, technology),
    ip_ranges: list(value.ip_ranges, ipRangesCountMax, cidr),
    signals: list(value.signals, signalsCountMax, signal),
    financials: list(value.financials, financialsCountMax, financial),
    news: list(value.news, newsCountMax, newsItem),
  };
  if (!allDefined(company)) return undefined;
  if (hasRepeatedYear(company.financials)) return undefined;
  return {
    ...company,
    technologies: [...new Set(company.technologies)],
    ip_ranges: [...new Map(company.ip_ranges.map((range) => [range.cidr, range])).values()],
  };
}

/** contactLineSchema's result for `value`, or undefined when the schema must decide. */
export function fastContactLine(value: unknown): Fast<ContactLine> {
  if (!isRecord(value)) return undefined;
  const contact = {
    id: recordId(value.id),
    company_id: recordId(value.company_id),
    first_name: optional(value.first_name, personName),
    last_name: optional(value.last_name, personName),
    title: optional(value.title, (item) => text(item, jobTitleLengthMax)),
    seniority: optional(value.seniority, category),
    department: optional(value.department, category),
    email: optional(value.email, email),
    phone: optional(value.phone, phone),
    linkedin_url: optional(value.linkedin_url, webUrl),
    country: optional(value.country, country),
  };
  if (!allDefined(contact)) return undefined;
  if (contact.first_name === null && contact.last_name === null) return undefined;
  return contact;
}

type Defined<Fields> = { [Key in keyof Fields]: Exclude<Fields[Key], undefined> };

function allDefined<Fields extends object>(fields: Fields): fields is Defined<Fields> {
  for (const key in fields) {
    if (fields[key] === undefined) return false;
  }
  return true;
}

function hasRepeatedYear(financials: readonly Financial[]): boolean {
  for (let index = 1; index < financials.length; index += 1) {
    for (let before = 0; before < index; before += 1) {
      if (financials[before]!.year === financials[index]!.year) return true;
    }
  }
  return false;
}
