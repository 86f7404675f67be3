// Full-text search, defined once so that SQLite (FTS5) and PostgreSQL (tsvector) agree exactly.
// Text is cut into words here, in the application: each engine only ever sees words that are
// already lowercase, free of diacritics, and made of letters and digits, separated by spaces. A
// query matches a document when every query word is a prefix of some word of the document (in
// the fields searched). Pure: no I/O.

/** Distinct words in one query at most: the API refuses more (http/schemas.ts, searchTextSchema). */
export const queryWordsMax = 8;
/** Longer words are cut: no real name or description word is longer, and it bounds the index. */
export const wordCharsMax = 64;

/** The words of a text: NFKD-folded, diacritics removed, lowercase, letters and digits only. */
export function searchWords(text: string | null | undefined): string[] {
  if (!text) return [];
  // Most catalog text is ASCII, where folding changes nothing and the letters and digits are
  // [a-z0-9] once lowercased: the same words for a fraction of the cost (a seed or an import
  // cuts millions of texts). A property test holds the two ways equal on ASCII.
  if (asciiOnly.test(text)) return cutLongWords(text.toLowerCase().match(/[a-z0-9]+/g) ?? []);
  return unicodeSearchWords(text);
}

/** searchWords for any text, the definition the ASCII shortcut must agree with. */
export function unicodeSearchWords(text: string): string[] {
  // Greek final sigma (ς) is σ at a word's end, and lowercasing a capital Σ gives either by its
  // position, so a query typed in capitals ("ΟΔΥΣ") would end in ς and miss "Οδυσσεύς": both
  // are one letter to search, as SQLite's unicode61 tokenizer folds them too.
  const folded = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(finalSigma, 'σ');
  return cutLongWords(folded.match(/[\p{L}\p{N}]+/gu) ?? []);
}

const finalSigma = /ς/g;

const asciiOnly = /^[\0-\x7f]*$/;

function cutLongWords(words: string[]): string[] {
  for (let index = 0; index < words.length; index += 1) {
    if (words[index]!.length > wordCharsMax) words[index] = words[index]!.slice(0, wordCharsMax);
  }
  return words;
}

/** The distinct words of a query, in order, at most `queryWordsMax`. */
export function queryWords(query: string): string[] {
  return [...new Set(searchWords(query))].slice(0, queryWordsMax);
}

/** A document as FTS5 stores it: the words joined by single spaces. */
export function documentText(text: string | null | undefined): string {
  return searchWords(text).join(' ');
}

/** The fields of a company that full-text search reads. */
export interface CompanySearchFields {
  name: string;
  domain: string | null;
  description: string | null;
}

/** PostgreSQL weights standing for the company's fields in one tsvector. */
export const companyFieldWeights = { name: 'A', domain: 'B', description: 'C' } as const;
export type CompanySearchField = keyof typeof companyFieldWeights;

/**
 * A tsvector literal (`'acme':1A 'corp':2A …`) of the given fields' words, each weighted by its
 * field, so one GIN index answers queries restricted to any set of fields. The words contain
 * only letters and digits, so they need no escaping inside the quotes.
 */
export function weightedTsvector(fields: ReadonlyArray<{ words: readonly string[]; weight: string }>): string {
  const lexemes: string[] = [];
  let position = 1;
  for (const field of fields) {
    for (const word of field.words) {
      // tsvector positions stop at 16,383; later words keep the last position (and their weight).
      lexemes.push(`'${word}':${Math.min(position, 16_383)}${field.weight}`);
      position += 1;
    }
  }
  return lexemes.join(' ');
}

export function companyTsvector(company: CompanySearchFields): string {
  return weightedTsvector([
    { words: searchWords(company.name), weight: companyFieldWeights.name },
    { words: searchWords(company.domain), weight: companyFieldWeights.domain },
    { words: searchWords(company.description), weight: companyFieldWeights.description },
  ]);
}

/**
 * The lexeme standing for a word of a company's name document together with the company's
 * country (PostgreSQL): `_gb_lang` is the word `lang` of a company in GB. A name query with a
 * country asks for these, so its GIN lookup reads only that country's matches, where a word
 * and a separate country lexeme made it read the posting list of every company of the country.
 * It starts with an underscore, which no word holds (words are letters and digits), so that no
 * word's prefix query can reach it: `it_…` would match the query `it:*` in every Italian company.
 */
export function countryWordLexeme(country: string, word: string): string {
  return `_${country.toLowerCase()}_${word}`;
}

/**
 * The tsvector literal of a company's name document: its name and domain words, each once and
 * without positions, and, when its country is known, each word again as countryWordLexeme.
 * Basic search asks this document for words in any field, so neither weights nor positions
 * would ever be read; without them PostgreSQL parses each document faster and stores it smaller.
 */
export function companyNamesTsvector(company: { name: string; domain: string | null; country: string | null }): string {
  const words = [...new Set([...searchWords(company.name), ...searchWords(company.domain)])];
  const lexemes = company.country ? [...words, ...words.map((word) => countryWordLexeme(company.country!, word))] : words;
  return wordsTsvector(lexemes);
}

/** A tsquery literal of a name document: every word as a prefix, in any of `countries`. */
export function countryWordsTsquery(words: readonly string[], countries: readonly string[]): string {
  return words.map((word) => `(${countries.map((country) => `'${countryWordLexeme(country, word)}':*`).join(' | ')})`).join(' & ');
}

/**
 * A tsvector literal of one text, unweighted (weight D), with positions. What migration 0002
 * wrote; later writes use textTsvector.
 */
export function plainTsvector(text: string | null | undefined): string {
  return weightedTsvector([{ words: searchWords(text), weight: 'D' }]);
}

/**
 * A tsvector literal of one text's distinct words, without positions or weights: for the
 * documents that searches ask for words in any order and any field (news, contact titles).
 * It matches every query plainTsvector's document matches.
 */
export function textTsvector(text: string | null | undefined): string {
  return wordsTsvector(searchWords(text));
}

/** `'a' 'b'`: each distinct word once (the words need no escaping: letters and digits only). */
function wordsTsvector(words: readonly string[]): string {
  const distinct = new Set(words);
  let literal = '';
  for (const word of distinct) literal += literal === '' ? `'${word}'` : ` '${word}'`;
  return literal;
}

/** A tsquery literal: every word as a prefix, in the given weights (all weights when omitted). */
export function prefixTsquery(words: readonly string[], weights = ''): string {
  return words.map((word) => `'${word}':*${weights}`).join(' & ');
}

/** An FTS5 query: every word as a prefix, in the given columns (all columns when omitted). */
export function prefixFtsQuery(words: readonly string[], columns: readonly string[] = []): string {
  const scope = columns.length > 0 ? `{${columns.join(' ')}} : ` : '';
  return words.map((word) => `${scope}"${word}"*`).join(' AND ');
}

/**
 * SQLite: the one FTS5 token standing for a technology in a company's technology document
 * (migration 0007): its exact name, case included, spelled in the letters and digits FTS5 keeps
 * as they are. `a`–`w`, `y`, `z` and the digits stand for themselves; any other character
 * (capitals, `x` itself, punctuation, spaces, anything beyond ASCII) becomes `x` and its code
 * point in six hex digits. Every name has its own token and no two share one, so a technology
 * matches exactly as PostgreSQL's `company_technologies` rows do (`React` is not `react`), and
 * the leading `t` keeps even an empty name a token.
 */
export function technologyToken(name: string): string {
  let token = technologyTokens.get(name);
  if (token !== undefined) return token;
  token = 't';
  for (const char of name) {
    token += plainTokenChar.test(char) ? char : `x${char.codePointAt(0)!.toString(16).padStart(6, '0')}`;
  }
  // A catalog has a few hundred technologies at most; a bound keeps an odd import from growing the cache without end.
  if (technologyTokens.size >= technologyTokensCached) technologyTokens.clear();
  technologyTokens.set(name, token);
  return token;
}

const plainTokenChar = /^[a-wyz0-9]$/;
const technologyTokens = new Map<string, string>();
const technologyTokensCached = 10_000;

/** SQLite: a company's technology document, a token per technology ('' for none). */
export function technologyDocument(technologies: readonly string[]): string {
  return technologies.map(technologyToken).join(' ');
}

/** SQLite: the FTS5 query of the technology documents holding `technology`. */
export function technologyFtsQuery(technology: string): string {
  return `"${technologyToken(technology)}"`;
}
