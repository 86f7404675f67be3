// Proves that the search statistics estimate word matches from the catalog's own fields on both
// databases: exactly when every record is sampled, closely when a part is, and that each refresh
// replaces the previous one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, type TestApp } from '../harness/test_app.ts';
import { seedCatalog } from '../../src/app/catalog/seed_catalog.ts';
import { generateCompanies, generateContacts } from '../../src/app/catalog/generate_catalog.ts';
import { sampleWordCounts, scopeStatistics, ScopeEstimator, type SearchScope } from '../../src/domain/search/word_statistics.ts';
import { searchWords } from '../../src/domain/search/text.ts';
import { ensureSearchStatistics, refreshSearchStatistics, scopeEstimator } from '../../src/store/search_statistics.ts';
import { refreshStatistics } from '../../src/store/statistics.ts';
import { searchCompanies, searchContacts } from '../../src/store/catalog_search.ts';

const seed = 11;
const companyCount = 400;
const companies = [...generateCompanies({ seed, count: companyCount })];
const contacts = companies.flatMap((company) => [...generateContacts(company, { seed })]);
const news = companies.flatMap((company) => company.news);

/** Each scope's documents, straight from the generated records. */
const scopeDocuments: Record<SearchScope, Array<Array<string | null>>> = {
  company_name_domain: companies.map((company) => [company.name, company.domain]),
  company_name_description: companies.map((company) => [company.name, company.description]),
  company_all: companies.map((company) => [company.name, company.domain, company.description]),
  company_country: companies.map((company) => [company.country]),
  contact_title: contacts.map((contact) => [contact.title]),
  news_text: news.map((item) => [item.title, item.summary]),
};

/** Documents holding a word starting with `prefix`: the truth the estimates approach. */
function documentsMatching(scope: SearchScope, prefix: string): number {
  return scopeDocuments[scope].filter((texts) => texts.some((text) => searchWords(text).some((word) => word.startsWith(prefix)))).length;
}

/** The words of a scope held by at least a fifth of its documents, and prefixes of them. */
function commonPrefixes(scope: SearchScope): string[] {
  const counts = sampleWordCounts(scopeDocuments[scope]);
  const common = [...counts].filter(([, count]) => count >= scopeDocuments[scope].length / 5).map(([word]) => word);
  return common.flatMap((word) => [word, word.slice(0, 3)]);
}

describeEachDatabase('search statistics', (kind) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(kind);
    await seedCatalog(app.store, { companies: companyCount, seed, now: app.clock.now() });
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  it('estimates exactly when the whole catalog is sampled (the seed refreshes them)', async () => {
    for (const [scope, documents] of Object.entries(scopeDocuments) as Array<[SearchScope, Array<Array<string | null>>]>) {
      const expected = new ScopeEstimator(
        scopeStatistics({ scope, documents: documents.length, sampled: documents.length, counts: sampleWordCounts(documents) }),
      );
      const estimator = await scopeEstimator(app.store.readDb, scope);
      expect(estimator, scope).toBeDefined();
      const words = [...sampleWordCounts(documents).keys()];
      expect(words.length).toBeGreaterThan(5);
      for (const word of words) {
        for (const prefix of [word, word.slice(0, 2)]) {
          expect(estimator!.prefixMatches(prefix), `${scope} ${prefix}`).toBe(expected.prefixMatches(prefix));
        }
      }
    }
  });

  it('estimates common words within a third of the truth from a sample of a quarter', async () => {
    await app.store.writeTransaction(async (tx) => {
      await refreshStatistics(tx);
      await refreshSearchStatistics(tx, { sampledRecords: companyCount / 4 });
    });
    const rows = await app.store.db.selectFrom('search_statistics').select(['scope', 'sampled', 'generation']).execute();
    expect(rows).toHaveLength(Object.keys(scopeDocuments).length);
    // The seed refreshed them once and refreshStatistics once more: this is the third.
    for (const row of rows) expect(row.generation).toBe(3);
    const companyRow = rows.find((row) => row.scope === 'company_name_domain')!;
    expect(companyRow.sampled).toBeGreaterThan(companyCount / 10);
    expect(companyRow.sampled).toBeLessThan(companyCount);

    for (const scope of ['company_name_domain', 'company_all', 'contact_title'] as const) {
      const statistics = await app.store.db.selectFrom('search_statistics').select(['documents', 'sampled']).where('scope', '=', scope).executeTakeFirstOrThrow();
      const words = await app.store.db.selectFrom('search_word_statistics').select(['word', 'sampled_documents']).where('scope', '=', scope).execute();
      const estimator = new ScopeEstimator({
        scope,
        documents: Number(statistics.documents),
        sampled: statistics.sampled,
        words: words.map((row) => ({ word: row.word, sampledDocuments: row.sampled_documents })),
      });
      expect(Number(statistics.documents)).toBeGreaterThan(scopeDocuments[scope].length * 0.8);
      expect(Number(statistics.documents)).toBeLessThan(scopeDocuments[scope].length * 1.2);
      const prefixes = commonPrefixes(scope);
      expect(prefixes.length).toBeGreaterThan(0);
      for (const prefix of prefixes) {
        const truth = documentsMatching(scope, prefix);
        expect(estimator.prefixMatches(prefix), `${scope} ${prefix} (truly ${truth})`).toBeGreaterThan(truth * 0.67);
        expect(estimator.prefixMatches(prefix), `${scope} ${prefix} (truly ${truth})`).toBeLessThan(truth * 1.5);
      }
    }
  });

  it("refreshes only the scopes of the tables a load wrote: contacts leave the companies' statistics as they were", async () => {
    const before = await app.store.db.selectFrom('search_statistics').select(['scope', 'generation']).orderBy('scope').execute();
    const companyWords = await app.store.db.selectFrom('search_word_statistics').select(['word', 'sampled_documents']).where('scope', '=', 'company_all').orderBy('word').execute();
    await app.store.writeTransaction((tx) => refreshStatistics(tx, ['contacts', 'contact_search']));
    const after = new Map((await app.store.db.selectFrom('search_statistics').select(['scope', 'generation']).execute()).map((row) => [row.scope, row.generation]));
    const newest = Math.max(...before.map((row) => row.generation)) + 1;
    for (const row of before) expect(after.get(row.scope), row.scope).toBe(row.scope === 'contact_title' ? newest : row.generation);
    expect(await app.store.db.selectFrom('search_word_statistics').select(['word', 'sampled_documents']).where('scope', '=', 'company_all').orderBy('word').execute()).toEqual(companyWords);
    // Searches see the refresh: the newest generation of any scope is the statistics' version.
    expect(await app.store.db.selectFrom('search_word_statistics').select('word').where('scope', '=', 'contact_title').limit(1).execute()).toHaveLength(1);
  });

  it('samples a catalog without statistics at start (a database upgraded to migration 0004)', async () => {
    await app.store.db.deleteFrom('search_statistics').execute();
    expect(await app.store.db.selectFrom('search_word_statistics').select('word').execute()).toHaveLength(0);
    // Without statistics, searches count their matches instead (on a handle whose cache never
    // held any), and find what a forced strategy finds.
    const word = companies[0]!.name.split(' ')[0]!.toLowerCase().slice(0, 3);
    const companyFilter = { text: { words: [word], fields: 'name_domain' as const } };
    const counted = await searchCompanies(app.store.db, companyFilter, { limit: companyCount });
    expect(counted.hits.length).toBeGreaterThan(0);
    expect(counted.hits).toEqual((await searchCompanies(app.store.db, companyFilter, { limit: companyCount }, { strategy: 'probed' })).hits);
    const title = searchWords(contacts[0]!.title)[0]!;
    const countedContacts = await searchContacts(app.store.db, { titleWords: [title] }, { limit: contacts.length });
    expect(countedContacts.hits.length).toBeGreaterThan(0);
    expect(countedContacts.hits).toEqual((await searchContacts(app.store.db, { titleWords: [title] }, { limit: contacts.length }, { strategy: 'probed' })).hits);
    await ensureSearchStatistics(app.store);
    const scopes = await app.store.db.selectFrom('search_statistics').select('scope').execute();
    expect(scopes).toHaveLength(Object.keys(scopeDocuments).length);
  });
});
