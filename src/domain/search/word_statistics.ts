// How many documents a full-text query matches, estimated from a sample of the catalog, so that
// a search can choose how to join its words in (store/catalog_search.ts: list the matches, or walk
// the records in id order and check each) without first counting them. Counting is what the
// engines cannot do cheaply for a prefix: FTS5 and a GIN index both gather every document of
// every word that starts with it before they can say how many there are (tens of milliseconds
// for a common prefix at a million records), where this estimate costs a binary search.
//
// An estimate only ever decides speed, never results: both ways of joining give the same ids.
// Pure: no I/O.
import { searchWords } from './text.ts';

/** The sets of fields searched together, each estimated on its own. */
export const searchScopes = [
  /** Basic search's `q`. */
  'company_name_domain',
  /** Advanced search's `query`. */
  'company_name_description',
  /**
   * Every field of the companies' full-text table: what listing its matches costs, since the
   * engines gather a prefix's matches in every field before keeping those of the fields asked.
   */
  'company_all',
  /** Companies' countries (their codes as words): how much a country filter narrows. */
  'company_country',
  'contact_title',
  /** A news item's title and summary. */
  'news_text',
] as const;
export type SearchScope = (typeof searchScopes)[number];

/** Words seen in fewer sampled documents than this are left out: they are rare, estimated as 0. */
export const sampledDocumentsMin = 2;

export interface ScopeStatistics {
  scope: SearchScope;
  /** Documents in the whole catalog (estimated from the sample when the engine cannot count cheaply). */
  documents: number;
  /** Documents sampled. */
  sampled: number;
  /** Each word seen in at least `sampledDocumentsMin` sampled documents, with how many held it. */
  words: ReadonlyArray<{ word: string; sampledDocuments: number }>;
}

/** Counts, for each word, the sampled documents (each a list of texts) that hold it. */
export function sampleWordCounts(documents: ReadonlyArray<ReadonlyArray<string | null>>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const texts of documents) {
    const words = new Set<string>();
    for (const text of texts) for (const word of searchWords(text)) words.add(word);
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/** The statistics of one scope, from its sample's word counts. */
export function scopeStatistics(options: {
  scope: SearchScope;
  documents: number;
  sampled: number;
  counts: ReadonlyMap<string, number>;
}): ScopeStatistics {
  const words = [...options.counts]
    .filter(([, count]) => count >= sampledDocumentsMin)
    .map(([word, sampledDocuments]) => ({ word, sampledDocuments }));
  return { scope: options.scope, documents: options.documents, sampled: options.sampled, words };
}

/** A scope's statistics ready for estimates: words sorted, counts summed along them. */
export class ScopeEstimator {
  readonly #words: string[];
  /** `#cumulative[i]` is the sum of the sampled documents of the words before `#words[i]`. */
  readonly #cumulative: Float64Array;
  readonly #documentsPerSample: number;
  readonly #documents: number;

  constructor(statistics: ScopeStatistics) {
    const sorted = [...statistics.words].sort((a, b) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
    this.#words = sorted.map((entry) => entry.word);
    this.#cumulative = new Float64Array(sorted.length + 1);
    sorted.forEach((entry, index) => {
      this.#cumulative[index + 1] = this.#cumulative[index]! + entry.sampledDocuments;
    });
    this.#documentsPerSample = statistics.sampled > 0 ? statistics.documents / statistics.sampled : 0;
    this.#documents = statistics.documents;
  }

  /**
   * Documents holding a word that starts with `prefix`. Words sharing the prefix are summed, so a
   * document holding two of them counts twice: an estimate errs high, towards walking the records.
   */
  prefixMatches(prefix: string): number {
    // The words starting with the prefix are contiguous in sorted order, and all come before the
    // prefix followed by U+FFFF, which no word holds (it is not a letter or a digit).
    const start = lowerBound(this.#words, prefix);
    const end = lowerBound(this.#words, `${prefix}\uffff`);
    return Math.round((this.#cumulative[end]! - this.#cumulative[start]!) * this.#documentsPerSample);
  }

  /** The share of documents holding any of `words` exactly (each document holds at most one). */
  anyShare(words: readonly string[]): number {
    if (this.#documents === 0) return 0;
    const documents = words.reduce((total, word) => total + this.#exactMatches(word), 0);
    return Math.min(1, documents / this.#documents);
  }

  #exactMatches(word: string): number {
    const index = lowerBound(this.#words, word);
    if (this.#words[index] !== word) return 0;
    return (this.#cumulative[index + 1]! - this.#cumulative[index]!) * this.#documentsPerSample;
  }

  /**
   * The documents an engine reads to list a query's matches: every word's, since each word's
   * documents are gathered before they are intersected.
   */
  queryReads(words: readonly string[]): number {
    return words.reduce((total, word) => total + this.prefixMatches(word), 0);
  }

  /**
   * Documents holding every word as a prefix, taking the words as independent: a query of two
   * words each in 1% of the documents matches 0.01% of them. Words that go together (a name's
   * two halves) match more; listing those costs more lookups, but never a walk over everything.
   */
  queryMatches(words: readonly string[]): number {
    if (words.length === 0 || this.#documents === 0) return 0;
    const share = words.reduce((product, word) => product * Math.min(1, this.prefixMatches(word) / this.#documents), 1);
    return Math.round(share * this.#documents);
  }
}

function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
