// Proves the import line schemas: the minimum records, normalisation (blanks, case, CIDRs, times,
// repeats) and the refusal of out-of-bound or malformed fields, each named by its path.
import { describe, expect, it } from 'vitest';
import {
  companyLineSchema,
  contactLineSchema,
  recordIdLengthMax,
  technologiesCountMax,
} from './import_schemas.ts';

function companyIssues(line: unknown): string[] {
  const parsed = companyLineSchema.safeParse(line);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
}

function contactIssues(line: unknown): string[] {
  const parsed = contactLineSchema.safeParse(line);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
}

describe('company lines', () => {
  it('needs only an id and a name, and fills the rest with null or empty lists', () => {
    expect(companyLineSchema.parse({ id: 'acme', name: 'Acme' })).toEqual({
      id: 'acme',
      name: 'Acme',
      domain: null,
      industry: null,
      employees: null,
      revenue_usd: null,
      country: null,
      city: null,
      founded: null,
      description: null,
      technologies: [],
      ip_ranges: [],
      signals: [],
      financials: [],
      news: [],
    });
    expect(companyIssues({ name: 'Acme' })).toEqual(['id']);
    expect(companyIssues({ id: 'acme' })).toEqual(['name']);
    expect(companyIssues([1, 2])).toEqual(['']);
  });

  it('normalises text, case, blanks, times, CIDRs and repeats', () => {
    const company = companyLineSchema.parse({
      id: 'acme',
      name: '  Acme  ',
      domain: 'Acme.EXAMPLE.com',
      country: 'gb',
      city: '',
      technologies: ['React', 'React', 'Go'],
      ip_ranges: ['192.0.2.77/24', '192.0.2.0/24', '2001:DB8::/32'],
      signals: [{ type: 'Funding_Round', title: 'Raised', occurred_at: '2025-03-01T10:00:00+01:00' }],
      news: [{ title: 'News', published_at: '2025-03-01', url: '' }],
      extra_column: 'ignored',
    });
    expect(company.name).toBe('Acme');
    expect(company.domain).toBe('acme.example.com');
    expect(company.country).toBe('GB');
    expect(company.city).toBeNull();
    expect(company.technologies).toEqual(['React', 'Go']);
    expect(company.ip_ranges.map((range) => range.cidr)).toEqual(['192.0.2.0/24', '2001:db8::/32']);
    expect(company.ip_ranges[0]).toMatchObject({ family: 4, first_address: 'c0000200', last_address: 'c00002ff' });
    expect(company.signals[0]).toEqual({ type: 'funding_round', title: 'Raised', occurred_at: Date.UTC(2025, 2, 1, 9) });
    expect(company.news[0]).toMatchObject({ published_at: Date.UTC(2025, 2, 1), url: null });
    expect('extra_column' in company).toBe(false);
  });

  it.each([
    ['id', { id: 'has space', name: 'A' }],
    ['id', { id: 'x'.repeat(recordIdLengthMax + 1), name: 'A' }],
    ['name', { id: 'a', name: '   ' }],
    ['domain', { id: 'a', name: 'A', domain: 'https://acme.com/' }],
    ['country', { id: 'a', name: 'A', country: 'UK' }],
    ['country', { id: 'a', name: 'A', country: 'USA' }],
    ['employees', { id: 'a', name: 'A', employees: -1 }],
    ['employees', { id: 'a', name: 'A', employees: 10.5 }],
    ['revenue_usd', { id: 'a', name: 'A', revenue_usd: '1000' }],
    ['founded', { id: 'a', name: 'A', founded: 3000 }],
    ['technologies', { id: 'a', name: 'A', technologies: Array.from({ length: technologiesCountMax + 1 }, (_, index) => `t${index}`) }],
    ['ip_ranges.1', { id: 'a', name: 'A', ip_ranges: ['10.0.0.0/8', '300.0.0.0/8'] }],
    ['signals.0.occurred_at', { id: 'a', name: 'A', signals: [{ type: 'hiring', title: 'T', occurred_at: '2025-03-01T10:00:00' }] }],
    ['signals.0.occurred_at', { id: 'a', name: 'A', signals: [{ type: 'hiring', title: 'T', occurred_at: '2025-02-30' }] }],
    ['signals.0.type', { id: 'a', name: 'A', signals: [{ type: 'Funding Round', title: 'T', occurred_at: '2025-03-01' }] }],
    ['financials.1.year', { id: 'a', name: 'A', financials: [{ year: 2024 }, { year: 2024 }] }],
    ['news.0.url', { id: 'a', name: 'A', news: [{ title: 'T', url: 'javascript:alert(1)' }] }],
  ])('refuses a bad %s', (field, line) => {
    expect(companyIssues(line)).toContain(field);
  });
});

describe('contact lines', () => {
  it('needs an id, a company id and a first or a last name', () => {
    expect(contactIssues({ id: 'c1', company_id: 'acme', last_name: 'Lovelace' })).toEqual([]);
    expect(contactIssues({ id: 'c1', company_id: 'acme', first_name: 'Ada' })).toEqual([]);
    expect(contactIssues({ id: 'c1', company_id: 'acme' })).toEqual(['first_name']);
    expect(contactIssues({ id: 'c1', first_name: 'Ada' })).toEqual(['company_id']);
  });

  it.each([
    ['email', { email: 'not an email' }],
    ['phone', { phone: 'call me' }],
    ['phone', { phone: '+1' }],
    ['linkedin_url', { linkedin_url: 'linkedin.com/in/ada' }],
    ['seniority', { seniority: 'Very Senior!' }],
    ['country', { country: 'XX' }],
  ])('refuses a bad %s', (field, fields) => {
    expect(contactIssues({ id: 'c1', company_id: 'acme', first_name: 'Ada', ...fields })).toContain(field);
  });

  it('keeps a valid contact as written, blanks as null', () => {
    expect(
      contactLineSchema.parse({
        id: 'c1',
        company_id: 'acme',
        first_name: 'Ada',
        last_name: 'Lovelace',
        title: 'CTO',
        seniority: 'C_Level',
        department: 'engineering',
        email: 'ada@acme.example',
        phone: '+44 (20) 7946-0000',
        linkedin_url: 'https://www.linkedin.com/in/ada',
        country: 'gb',
      }),
    ).toEqual({
      id: 'c1',
      company_id: 'acme',
      first_name: 'Ada',
      last_name: 'Lovelace',
      title: 'CTO',
      seniority: 'c_level',
      department: 'engineering',
      email: 'ada@acme.example',
      phone: '+44 (20) 7946-0000',
      linkedin_url: 'https://www.linkedin.com/in/ada',
      country: 'GB',
    });
  });
});
