// The catalog's records as the API returns them: snake_case fields like the NDJSON import format,
// times as ISO 8601 UTC strings, unknown values as null. Pure types and rules, no I/O.

/** A company's core identifiers and firmographics: its deep data, less signals, financials and news. */
export interface CompanyRecord {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  employees: number | null;
  revenue_usd: number | null;
  /** ISO 3166 alpha-2, uppercase. */
  country: string | null;
  city: string | null;
  /** The year the company was founded. */
  founded: number | null;
  description: string | null;
  technologies: string[];
  /** CIDRs in their normalised form (the network address, lowercase, IPv6 compressed). */
  ip_ranges: string[];
}

export interface CompanySignal {
  type: string;
  title: string;
  occurred_at: string;
}

export interface CompanyFinancial {
  year: number;
  revenue_usd: number | null;
  employees: number | null;
}

export interface CompanyNewsItem {
  title: string;
  url: string | null;
  source: string | null;
  published_at: string | null;
  summary: string | null;
}

export interface ContactRecord {
  id: string;
  company_id: string;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  seniority: string | null;
  department: string | null;
  email: string | null;
  phone: string | null;
  linkedin_url: string | null;
  country: string | null;
}

/** The kinds of signal the synthetic catalog produces; imports may bring others. */
export const signalTypes = [
  'funding_round',
  'hiring',
  'leadership_change',
  'expansion',
  'acquisition',
  'product_launch',
  'partnership',
  'layoffs',
] as const;

export const seniorities = ['c_level', 'vp', 'director', 'manager', 'senior', 'entry'] as const;

export const departments = [
  'engineering',
  'sales',
  'marketing',
  'finance',
  'operations',
  'hr',
  'legal',
  'product',
  'executive',
] as const;

export type SignalType = (typeof signalTypes)[number];
export type Seniority = (typeof seniorities)[number];
export type Department = (typeof departments)[number];

/**
 * A contact is worth a credit only if its deep data can reach someone: an email or a phone.
 * One with neither costs nothing and starts no subscription (DESIGN.md rule 6).
 */
export function contactIsDeliverable(contact: Pick<ContactRecord, 'email' | 'phone'>): boolean {
  return hasText(contact.email) || hasText(contact.phone);
}

function hasText(value: string | null): boolean {
  return value !== null && value.trim() !== '';
}
