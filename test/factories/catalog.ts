// Catalog records for tests: small, explicit rows written straight to the store, so credit tests
// do not depend on the synthetic generator. Defaults plus overrides.
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.ts';

let sequence = 0;

export interface CompanyOverrides {
  id?: string;
  name?: string;
  domain?: string;
  country?: string;
}

export async function insertCompany(db: Kysely<Database>, overrides: CompanyOverrides = {}): Promise<string> {
  sequence += 1;
  const id = overrides.id ?? `cmp_test_${sequence}`;
  await db
    .insertInto('companies')
    .values({
      id,
      name: overrides.name ?? `Test Company ${sequence}`,
      domain: overrides.domain ?? `test-${sequence}.example.com`,
      industry: 'Software',
      employees: 120,
      revenue_usd: 12_000_000,
      country: overrides.country ?? 'GB',
      city: 'London',
      founded: 2011,
      description: 'A company made by a test.',
      technologies: JSON.stringify(['postgresql', 'react']),
      ip_ranges: JSON.stringify([]),
      updated_at: 0,
    })
    .execute();
  await db
    .insertInto('company_signals')
    .values({ company_id: id, position: 0, type: 'hiring', title: 'Hiring engineers', occurred_at: Date.parse('2025-11-01T00:00:00Z') })
    .execute();
  await db.insertInto('company_financials').values({ company_id: id, year: 2025, revenue_usd: 12_000_000, employees: 120 }).execute();
  await db
    .insertInto('company_news')
    .values({ company_id: id, position: 0, title: 'Test Company opens an office', url: null, source: 'Test Wire', published_at: null, summary: null })
    .execute();
  return id;
}

export async function insertCompanies(db: Kysely<Database>, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) ids.push(await insertCompany(db));
  return ids;
}

export interface ContactOverrides {
  id?: string;
  email?: string | null;
  phone?: string | null;
}

export async function insertContact(db: Kysely<Database>, companyId: string, overrides: ContactOverrides = {}): Promise<string> {
  sequence += 1;
  const id = overrides.id ?? `cnt_test_${sequence}`;
  await db
    .insertInto('contacts')
    .values({
      id,
      company_id: companyId,
      first_name: 'Ada',
      last_name: `Tester ${sequence}`,
      title: 'Head of Engineering',
      seniority: 'director',
      department: 'engineering',
      email: overrides.email === undefined ? `ada${sequence}@example.com` : overrides.email,
      phone: overrides.phone === undefined ? '+44 20 7946 0000' : overrides.phone,
      linkedin_url: null,
      country: 'GB',
      updated_at: 0,
    })
    .execute();
  return id;
}
