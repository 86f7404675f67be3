// Proves search by property: random filter combinations over a generated catalog return exactly
// the ids a plain in-memory filter of the same data returns, page after page, never repeating or
// skipping a record — on every database.
import { afterAll, beforeAll, expect, it } from 'vitest';
import fc from 'fast-check';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { seedCatalog } from '../../src/app/catalog/seed_catalog.ts';
import { generateCompanies, generateContacts, type GeneratedCompany } from '../../src/app/catalog/generate_catalog.ts';
import type { ContactRecord } from '../../src/domain/catalog/records.ts';
import { queryWords, searchWords } from '../../src/domain/search/text.ts';
import { searchCompanies, searchContacts } from '../../src/store/catalog_search.ts';
import { companyFilterOf, companySearchBody } from '../../src/http/routes/v1/companies_search.ts';

const seed = 7;
const companyCount = 300;
const runs = Number(process.env['QUARRY_SEARCH_RUNS'] ?? 40);

const companies: GeneratedCompany[] = [...generateCompanies({ seed, count: companyCount })];
const contacts: ContactRecord[] = companies.flatMap((company) => [...generateContacts(company, { seed })]);

// ------------------------------------------------------------------------------------------
// The reference: a plain filter over the generated records, written from API.md's wording.

interface Range {
  min?: number;
  max?: number;
}

interface SearchBody {
  query?: string;
  industries?: string[];
  countries?: string[];
  employees?: Range;
  revenue_usd?: Range;
  founded?: Range;
  technologies?: string[];
  signals?: { types?: string[]; since?: string };
  news?: { query?: string; since?: string };
}

/** Every query word starts some word of the texts. */
function wordsMatch(query: string, texts: Array<string | null>): boolean {
  const words = texts.flatMap((text) => searchWords(text));
  return searchWords(query).every((queryWord) => words.some((word) => word.startsWith(queryWord)));
}

function inRange(value: number | null, range: Range | undefined): boolean {
  if (!range) return true;
  if (value === null) return false;
  return (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
}

function matchesAdvanced(company: GeneratedCompany, body: SearchBody): boolean {
  if (body.query !== undefined && !wordsMatch(body.query, [company.name, company.description])) return false;
  if (body.industries && !body.industries.includes(company.industry ?? '')) return false;
  if (body.countries && !body.countries.includes(company.country ?? '')) return false;
  if (!inRange(company.employees, body.employees)) return false;
  if (!inRange(company.revenue_usd, body.revenue_usd)) return false;
  if (!inRange(company.founded, body.founded)) return false;
  if (body.technologies && !body.technologies.every((technology) => company.technologies.includes(technology))) return false;
  if (body.signals) {
    const { types, since } = body.signals;
    const found = company.signals.some(
      (signal) => (!types || types.includes(signal.type)) && (!since || Date.parse(signal.occurred_at) >= Date.parse(since)),
    );
    if (!found) return false;
  }
  if (body.news) {
    const { query, since } = body.news;
    const found = company.news.some(
      (item) =>
        (query === undefined || wordsMatch(query, [item.title, item.summary])) &&
        (!since || (item.published_at !== null && Date.parse(item.published_at) >= Date.parse(since))),
    );
    if (!found) return false;
  }
  return true;
}

// ------------------------------------------------------------------------------------------
// Filters drawn from the catalog's own values, so most of them match something.

const vocabulary = {
  industries: [...new Set(companies.map((company) => company.industry!))],
  countries: [...new Set(companies.map((company) => company.country!))],
  technologies: [...new Set(companies.flatMap((company) => company.technologies))],
  signalTypes: [...new Set(companies.flatMap((company) => company.signals.map((signal) => signal.type)))],
  textWords: [...new Set(companies.flatMap((company) => searchWords(`${company.name} ${company.description}`)))],
  newsWords: [...new Set(companies.flatMap((company) => company.news.flatMap((item) => searchWords(`${item.title} ${item.summary}`))))],
};

/** A word or a prefix of it (at least two characters), sometimes in capitals. */
function wordQuery(words: string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...words), fc.integer({ min: 2, max: 12 }), fc.boolean())
    .map(([word, length, upper]) => {
      const prefix = word.slice(0, Math.max(2, length));
      return upper ? prefix.toUpperCase() : prefix;
    });
}

const filterNames = ['query', 'industries', 'countries', 'employees', 'revenue_usd', 'founded', 'technologies', 'signals', 'news'] as const;
type FilterName = (typeof filterNames)[number];

/** A range around `value`, open on one side or none. */
function rangeAround(value: number | null, widthFraction: number, open: 'min' | 'max' | 'none'): Range {
  const center = value ?? 0;
  const width = Math.round(Math.abs(center) * widthFraction) + 1;
  if (open === 'min') return { max: center + width };
  if (open === 'max') return { min: Math.max(0, center - width) };
  return { min: Math.max(0, center - width), max: center + width };
}

/** An instant a few days before (or after) `iso`, so a since filter keeps or drops it. */
function sinceNear(iso: string | null, shiftDays: number): string {
  const at = iso === null ? Date.UTC(2025, 0, 1) : Date.parse(iso);
  return new Date(at + shiftDays * 86_400_000).toISOString();
}

/**
 * One to three filters, each taken from one anchor company (so most searches find it and
 * others like it), with ranges widened or narrowed and dates shifted either way.
 */
const searchBodyArbitrary: fc.Arbitrary<SearchBody> = fc
  .record({
    anchor: fc.integer({ min: 0, max: companies.length - 1 }),
    names: fc.uniqueArray(fc.constantFrom(...filterNames), { minLength: 1, maxLength: 3 }),
    pick: fc.nat(),
    width: fc.double({ min: 0, max: 2, noNaN: true }),
    open: fc.constantFrom('min' as const, 'max' as const, 'none' as const),
    shiftDays: fc.integer({ min: -400, max: 30 }),
    prefixLength: fc.integer({ min: 2, max: 10 }),
    extra: fc.subarray(vocabulary.industries.concat(vocabulary.countries), { maxLength: 3 }),
  })
  .map(({ anchor, names, pick, width, open, shiftDays, prefixLength, extra }) => {
    const company = companies[anchor]!;
    const choose = <T>(values: readonly T[]): T | undefined => values[pick % Math.max(1, values.length)];
    const prefix = (word: string | undefined): string => (word ?? 'zzz').slice(0, prefixLength);
    const body: SearchBody = {};
    const add: Record<FilterName, () => void> = {
      query: () => (body.query = prefix(choose(searchWords(`${company.name} ${company.description}`)))),
      industries: () => (body.industries = [company.industry!, ...extra.filter((value) => vocabulary.industries.includes(value))]),
      countries: () => (body.countries = [company.country!, ...extra.filter((value) => vocabulary.countries.includes(value))]),
      employees: () => (body.employees = rangeAround(company.employees, width, open)),
      revenue_usd: () => (body.revenue_usd = rangeAround(company.revenue_usd, width, open)),
      founded: () => (body.founded = rangeAround(company.founded, width / 200, open)),
      technologies: () => (body.technologies = company.technologies.slice(pick % 3, (pick % 3) + 1 + (pick % 2))),
      signals: () => {
        const signal = choose(company.signals);
        body.signals = { types: [signal?.type ?? 'hiring'], ...(pick % 2 === 0 ? { since: sinceNear(signal?.occurred_at ?? null, shiftDays) } : {}) };
      },
      news: () => {
        const item = choose(company.news);
        body.news = {
          ...(pick % 3 !== 2 ? { query: prefix(choose(searchWords(`${item?.title ?? ''} ${item?.summary ?? ''}`))) } : {}),
          ...(pick % 3 !== 0 ? { since: sinceNear(item?.published_at ?? null, shiftDays) } : {}),
        };
      },
    };
    for (const name of names) add[name]();
    return body;
  });

/** Every id of every page, following next_cursor to the end. */
async function allPages(app: TestApp, fetchPage: (cursor: string | undefined) => Promise<{ status: number; body: unknown }>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page += 1) {
    const response = await fetchPage(cursor);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const body = response.body as { data: Array<{ id: string; subscribed: boolean }>; next_cursor: string | null };
    ids.push(...body.data.map((item) => item.id));
    if (body.next_cursor === null) return ids;
    cursor = body.next_cursor;
  }
  throw new Error(`more than 1,000 pages on ${app.kind}`);
}

describeEachDatabase('company and contact search', (kind) => {
  let app: TestApp;
  let key: string;

  beforeAll(async () => {
    app = await startTestApp(kind);
    await seedCatalog(app.store, { companies: companyCount, seed, now: app.clock.now() });
    ({ key } = await app.createAccount('platform'));
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  it('advanced search returns exactly the in-memory filter, in id order, across pages', async () => {
    await fc.assert(
      fc.asyncProperty(searchBodyArbitrary, fc.integer({ min: 1, max: 60 }), async (body, limit) => {
        const expected = companies.filter((company) => matchesAdvanced(company, body)).map((company) => company.id).sort();
        const ids = await allPages(app, (cursor) =>
          app.api('POST', '/v1/companies/search', { key, body: { ...body, limit, ...(cursor ? { cursor } : {}) } }),
        );
        expect(ids).toEqual(expected);
      }),
      { numRuns: runs },
    );
  });

  it('basic company search by name or domain words, domain and country matches the in-memory filter', async () => {
    const basicArbitrary = fc.record(
      {
        // Name and domain words, or a country code: PostgreSQL's name documents also hold each
        // word joined to the company's country, which no word's prefix may reach.
        q: fc
          .array(
            fc.oneof(
              { arbitrary: wordQuery([...new Set(companies.flatMap((company) => searchWords(`${company.name} ${company.domain}`)))]), weight: 4 },
              { arbitrary: fc.constantFrom(...vocabulary.countries).map((code) => code.toLowerCase()), weight: 1 },
            ),
            { minLength: 1, maxLength: 2 },
          )
          .map((words) => words.join(' ')),
        // A domain as people paste it: scheme, www., capitals and a path are ignored.
        domain: fc.constantFrom(...companies.map((company) => company.domain!)).map((domain) => `https://www.${domain.toUpperCase()}/about`),
        country: fc.constantFrom(...vocabulary.countries).map((code) => code.toLowerCase()),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(basicArbitrary, fc.integer({ min: 1, max: 100 }), async (query, limit) => {
        const expected = companies
          .filter(
            (company) =>
              (query.q === undefined || wordsMatch(query.q, [company.name, company.domain])) &&
              (query.domain === undefined || query.domain.toLowerCase().includes(`//www.${company.domain}/`)) &&
              (query.country === undefined || company.country === query.country.toUpperCase()),
          )
          .map((company) => company.id)
          .sort();
        const ids = await allPages(app, (cursor) => {
          const params = new URLSearchParams({ limit: String(limit) });
          for (const [name, value] of Object.entries(query)) params.set(name, value);
          if (cursor) params.set('cursor', cursor);
          return app.api('GET', `/v1/companies?${params}`, { key });
        });
        expect(ids).toEqual(expected);
      }),
      { numRuns: runs },
    );
  });

  it('refuses search text without a word, or with more than eight, rather than widening the search; a limit that is not a number; a misspelt filter', async () => {
    const nineWords = 'a b c d e f g h zzzqqq';
    const refusals: Array<[string, () => Promise<{ status: number; body: unknown }>, string]> = [
      ['q', () => app.api('GET', `/v1/companies?q=${encodeURIComponent('***')}`, { key }), 'querystring.q'],
      ['q %', () => app.api('GET', '/v1/companies?q=%25', { key }), 'querystring.q'],
      ['q zero-width', () => app.api('GET', `/v1/companies?q=${encodeURIComponent('\u200b')}`, { key }), 'querystring.q'],
      ['q nine words', () => app.api('GET', `/v1/companies?q=${encodeURIComponent(nineWords)}`, { key }), 'querystring.q'],
      ['title', () => app.api('GET', '/v1/contacts?title=---', { key }), 'querystring.title'],
      ['title nine words', () => app.api('GET', `/v1/contacts?title=${encodeURIComponent(nineWords)}`, { key }), 'querystring.title'],
      ['query', () => app.api('POST', '/v1/companies/search', { key, body: { query: '!!!' } }), 'body.query'],
      ['query nine words', () => app.api('POST', '/v1/companies/search', { key, body: { query: nineWords } }), 'body.query'],
      ['news query', () => app.api('POST', '/v1/companies/search', { key, body: { news: { query: '***' } } }), 'body.news.query'],
      ['limit true', () => app.api('POST', '/v1/companies/search', { key, body: { limit: true } }), 'body.limit'],
      ['limit text', () => app.api('POST', '/v1/companies/search', { key, body: { limit: '5' } }), 'body.limit'],
      ['limit list', () => app.api('POST', '/v1/companies/search', { key, body: { limit: [3] } }), 'body.limit'],
      ['misspelt filter', () => app.api('GET', '/v1/companies?contry=DE', { key }), 'querystring'],
      ['domain without a name', () => app.api('GET', `/v1/companies?domain=${encodeURIComponent('https://')}`, { key }), 'querystring.domain'],
      ['misspelt contact filter', () => app.api('GET', '/v1/contacts?companyId=cmp_0000001', { key }), 'querystring'],
    ];
    for (const [name, send, field] of refusals) {
      const response = await send();
      expect(response.status, name).toBe(400);
      expect(response.body, name).toMatchObject({ error: { code: 'invalid_request', field } });
    }
    // Eight distinct words are fine, repeats of a word count once.
    const eight = await app.api('GET', `/v1/companies?q=${encodeURIComponent('a a a a a a a a a a b')}`, { key });
    expect(eight.status).toBe(200);
  });

  it('a query word that is a country code finds the companies with a word it starts, not the country', async () => {
    for (const country of vocabulary.countries) {
      const word = country.toLowerCase();
      const expected = companies.filter((company) => wordsMatch(word, [company.name, company.domain])).map((company) => company.id).sort();
      const ids = await allPages(app, (cursor) => app.api('GET', `/v1/companies?q=${word}&limit=100${cursor ? `&cursor=${cursor}` : ''}`, { key }));
      expect(ids, word).toEqual(expected);
    }
  });

  it('basic contact search by company, title words, seniority and department matches the in-memory filter', async () => {
    const titleWords = [...new Set(contacts.flatMap((contact) => searchWords(contact.title)))];
    const contactArbitrary = fc.record(
      {
        company_id: fc.constantFrom(...companies.map((company) => company.id)),
        title: wordQuery(titleWords),
        seniority: fc.constantFrom(...new Set(contacts.map((contact) => contact.seniority!))),
        department: fc.constantFrom(...new Set(contacts.map((contact) => contact.department!))),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(contactArbitrary, fc.integer({ min: 5, max: 200 }), async (query, limit) => {
        const expected = contacts
          .filter(
            (contact) =>
              (query.company_id === undefined || contact.company_id === query.company_id) &&
              (query.title === undefined || wordsMatch(query.title, [contact.title])) &&
              (query.seniority === undefined || contact.seniority === query.seniority) &&
              (query.department === undefined || contact.department === query.department),
          )
          .map((contact) => contact.id)
          .sort();
        const ids = await allPages(app, (cursor) => {
          const params = new URLSearchParams({ limit: String(limit) });
          for (const [name, value] of Object.entries(query)) params.set(name, value);
          if (cursor) params.set('cursor', cursor);
          return app.api('GET', `/v1/contacts?${params}`, { key });
        });
        expect(ids).toEqual(expected);
      }),
      { numRuns: runs },
    );
  });

  it('words alone, or with a country, give the same pages whichever way they join (PostgreSQL walks the documents when probing)', async () => {
    const nameWords = [...new Set(companies.flatMap((company) => searchWords(`${company.name} ${company.domain}`)))];
    const textFilter = fc.oneof(
      fc.record({ words: fc.array(wordQuery(nameWords), { minLength: 1, maxLength: 2 }), fields: fc.constant('name_domain' as const) }),
      fc.record({ words: fc.array(wordQuery(vocabulary.textWords), { minLength: 1, maxLength: 2 }), fields: fc.constant('name_description' as const) }),
    );
    const countries = fc.option(fc.uniqueArray(fc.constantFrom(...vocabulary.countries), { minLength: 1, maxLength: 2 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(textFilter, countries, fc.integer({ min: 1, max: 40 }), async (text, countryList, limit) => {
        const words = queryWords(text.words.join(' '));
        const expected = companies
          .filter(
            (company) =>
              wordsMatch(words.join(' '), text.fields === 'name_domain' ? [company.name, company.domain] : [company.name, company.description]) &&
              (countryList === undefined || countryList.includes(company.country!)),
          )
          .map((company) => company.id)
          .sort();
        const filter = { text: { words, fields: text.fields }, countries: countryList };
        for (const strategy of ['listed', 'probed'] as const) {
          const ids: string[] = [];
          let afterId: string | undefined;
          for (;;) {
            const page = await searchCompanies(app.store.readDb, filter, { limit, afterId }, { strategy });
            expect(page.hits.length).toBeLessThanOrEqual(limit);
            ids.push(...page.hits.map((hit) => hit.id));
            if (!page.more) break;
            afterId = page.hits.at(-1)!.id;
          }
          expect(ids, strategy).toEqual(expected);
        }
      }),
      { numRuns: runs },
    );
  });

  it('both ways of joining a filter (listing matches, probing row by row) give the same results', async () => {
    await fc.assert(
      fc.asyncProperty(searchBodyArbitrary, async (body) => {
        const expected = companies.filter((company) => matchesAdvanced(company, body)).map((company) => company.id).sort();
        const filter = companyFilterOf(companySearchBody.parse(body));
        for (const strategy of ['listed', 'collected', 'probed'] as const) {
          const page = await searchCompanies(app.store.readDb, filter, { limit: companyCount }, { strategy });
          expect(page.hits.map((hit) => hit.id)).toEqual(expected);
        }
      }),
      { numRuns: runs },
    );
    const titleWords = [...new Set(contacts.flatMap((contact) => searchWords(contact.title)))];
    for (const word of titleWords) {
      const expected = contacts.filter((contact) => wordsMatch(word, [contact.title])).map((contact) => contact.id).sort();
      for (const strategy of ['listed', 'collected', 'probed'] as const) {
        const page = await searchContacts(app.store.readDb, { titleWords: queryWords(word) }, { limit: contacts.length }, { strategy });
        expect(page.hits.map((hit) => hit.id)).toEqual(expected);
      }
    }
  });
});
