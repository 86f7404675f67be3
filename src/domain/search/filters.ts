// What a search asks for, once validated: plain values the store turns into SQL and the tests
// turn into an in-memory filter. Pure: no I/O.

/** Which fields a company's text query reads: basic search (`q`) or advanced search (`query`). */
export type CompanyTextFields = 'name_domain' | 'name_description';

export interface NumberRange {
  min?: number | undefined;
  max?: number | undefined;
}

export interface CompanyFilter {
  /** Words that must each prefix a word of the fields in `textFields`. */
  text?: { words: string[]; fields: CompanyTextFields } | undefined;
  /** A domain, normalised by `normalizeDomain`. */
  domain?: string | undefined;
  /** ISO 3166 alpha-2 codes, uppercase; any of. */
  countries?: string[] | undefined;
  /** Industry names as the catalog spells them; any of. */
  industries?: string[] | undefined;
  employees?: NumberRange | undefined;
  revenueUsd?: NumberRange | undefined;
  founded?: NumberRange | undefined;
  /** Technology names; the company must use all of them. */
  technologies?: string[] | undefined;
  /** At least one signal of one of `types` (any type when omitted) at or after `since`. */
  signals?: { types?: string[] | undefined; since?: number | undefined } | undefined;
  /** At least one news item whose title or summary matches `words`, published at or after `since`. */
  news?: { words?: string[] | undefined; since?: number | undefined } | undefined;
}

export interface ContactFilter {
  companyId?: string | undefined;
  /** Words that must each prefix a word of the title. */
  titleWords?: string[] | undefined;
  seniority?: string | undefined;
  department?: string | undefined;
}

/** Results come in id order; a page starts after the cursor's id. */
export interface SearchPage {
  afterId?: string | undefined;
  limit: number;
}

/**
 * A domain as the catalog stores it: lowercase, without scheme, `www.`, port, path or trailing
 * dot. `https://www.Acme.com/about` → `acme.com`.
 */
export function normalizeDomain(text: string): string {
  let domain = text.trim().toLowerCase();
  domain = domain.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  domain = domain.replace(/[/?#].*$/, '').replace(/:\d+$/, '').replace(/\.$/, '');
  return domain.replace(/^www\./, '');
}
