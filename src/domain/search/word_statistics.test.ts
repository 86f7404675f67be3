// Proves that word estimates scale the sample to the catalog, sum the words sharing a prefix,
// take the rarest word of a query, and leave out words seen only once.
import { describe, expect, it } from 'vitest';
import { sampleWordCounts, scopeStatistics, ScopeEstimator } from './word_statistics.ts';

describe('word statistics', () => {
  const documents = [
    ['Acme Group', 'acme.com'],
    ['Acme Holdings', null],
    ['Grove Partners', 'grove.io'],
    ['Grove Street', null],
    ['Groupon', 'groupon.com'],
    ['Zeta Group', 'zeta.com'],
    ['Ünïcode Labs', 'unicode.dev'],
    ['Unicode Group', null],
  ];
  const counts = sampleWordCounts(documents);
  // Eight sampled documents standing for 800 in the catalog: each sampled one counts for 100.
  const estimator = new ScopeEstimator(scopeStatistics({ scope: 'company_name_domain', documents: 800, sampled: 8, counts }));

  it('counts each word once per document, folded like the search documents', () => {
    expect(counts.get('acme')).toBe(2);
    expect(counts.get('com')).toBe(3);
    expect(counts.get('unicode')).toBe(2);
  });

  it('estimates a word and a prefix from the sample, scaled to the catalog', () => {
    expect(estimator.prefixMatches('acme')).toBe(200);
    expect(estimator.prefixMatches('group')).toBe(300);
    // group (3) + grove (2; its name and domain count once), groupon seen once: left out.
    expect(estimator.prefixMatches('gro')).toBe(500);
    expect(estimator.prefixMatches('z')).toBe(0);
    expect(estimator.prefixMatches('nothing')).toBe(0);
  });

  it('estimates a query of several words as if they were independent', () => {
    // acme in 2 of 8 documents, group in 3 of 8: 800 × 2/8 × 3/8 = 75.
    expect(estimator.queryMatches(['acme', 'group'])).toBe(75);
    expect(estimator.queryMatches(['acme'])).toBe(200);
    expect(estimator.queryMatches(['group', 'zeta'])).toBe(0);
    expect(estimator.queryMatches([])).toBe(0);
    // Listing reads every word's documents: acme's 200 and group's 300.
    expect(estimator.queryReads(['acme', 'group'])).toBe(500);
  });

  it('leaves out words seen in a single sampled document', () => {
    const statistics = scopeStatistics({ scope: 'company_name_domain', documents: 800, sampled: 8, counts });
    expect(statistics.words.map((entry) => entry.word)).not.toContain('zeta');
    expect(statistics.words.map((entry) => entry.word)).toContain('acme');
  });

  it('gives the share of documents holding any of some exact words (a country filter)', () => {
    const countries = sampleWordCounts([['US'], ['US'], ['DE'], ['DE'], ['FR'], ['US'], [null], ['GB']]);
    const country = new ScopeEstimator(scopeStatistics({ scope: 'company_country', documents: 8_000, sampled: 8, counts: countries }));
    expect(country.anyShare(['us'])).toBe(3 / 8);
    expect(country.anyShare(['us', 'de'])).toBe(5 / 8);
    // A prefix is not a country: 'u' holds no exact word.
    expect(country.anyShare(['u'])).toBe(0);
    // FR and GB were seen once: too rare to keep.
    expect(country.anyShare(['fr', 'gb'])).toBe(0);
  });
});
