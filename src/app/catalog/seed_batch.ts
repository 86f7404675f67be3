// One batch of the synthetic seed, from generation to the engine's rows: the part of seeding
// that needs no database, so it can run on worker threads (seed_worker.ts) while the writing
// thread writes the batch before.
//
// The generator is trusted: every line it makes passes the import schema (its test proves it),
// so its records map straight to the store's rows here, without the schema's parsing. A test
// proves the mapping gives exactly what the import schema would.
import { parseCidr } from '../../domain/catalog/ip_ranges.ts';
import type { ContactRecord } from '../../domain/catalog/records.ts';
import { encodeCatalogBatch, type CatalogEngine, type CatalogRows, type CompanyWrite } from '../../store/catalog_writes.ts';
import { assert } from '../../lib/assert.ts';
import { generateCompanies, generateContacts, type GeneratedCompany } from './generate_catalog.ts';

export interface SeedBatchRequest {
  engine: CatalogEngine;
  seed: number;
  /** Companies before the batch's first (which is company number offset + 1). */
  offset: number;
  count: number;
  referenceTime?: number;
  /** The records' update time. */
  now: number;
}

export interface SeedBatch {
  offset: number;
  companies: number;
  contacts: number;
  rows: CatalogRows;
}

export function generateSeedBatch(request: SeedBatchRequest): SeedBatch {
  const companies: CompanyWrite[] = [];
  const contacts: ContactRecord[] = [];
  const generation = { seed: request.seed, offset: request.offset, count: request.count, referenceTime: request.referenceTime };
  for (const company of generateCompanies(generation)) {
    companies.push(companyWriteOf(company));
    for (const contact of generateContacts(company, { seed: request.seed })) contacts.push(contact);
  }
  return {
    offset: request.offset,
    companies: companies.length,
    contacts: contacts.length,
    rows: encodeCatalogBatch(request.engine, { companies, contacts }, request.now),
  };
}

/** A generated company as the import schema would normalise it: CIDRs parsed, times in ms. */
export function companyWriteOf(company: GeneratedCompany): CompanyWrite {
  return {
    id: company.id,
    name: company.name,
    domain: company.domain,
    industry: company.industry,
    employees: company.employees,
    revenue_usd: company.revenue_usd,
    country: company.country,
    city: company.city,
    founded: company.founded,
    description: company.description,
    technologies: company.technologies,
    ip_ranges: company.ip_ranges.map((cidr) => {
      const parsed = parseCidr(cidr);
      assert(parsed.ok, `${company.id}: the generator made an invalid CIDR ${cidr}`);
      return parsed.range;
    }),
    signals: company.signals.map((signal) => ({ type: signal.type, title: signal.title, occurred_at: instant(signal.occurred_at) })),
    financials: company.financials,
    news: company.news.map((item) => ({
      title: item.title,
      url: item.url,
      source: item.source,
      published_at: item.published_at === null ? null : instant(item.published_at),
      summary: item.summary,
    })),
  };
}

function instant(iso: string): number {
  const at = Date.parse(iso);
  assert(!Number.isNaN(at), `the generator made an invalid time ${iso}`);
  return at;
}
