// Proves the synthetic catalog is deterministic (by seed and index, whatever the chunking), has
// realistic distributions, never gives two companies overlapping IP ranges, and that every
// generated line passes the import schema (and maps to the same rows without it).
import { describe, expect, it } from 'vitest';
import { parseCidr, rangesOverlap, type IpRange } from '../../domain/catalog/ip_ranges.ts';
import { contactIsDeliverable, type ContactRecord } from '../../domain/catalog/records.ts';
import { generateCompanies, generateCompany, generateContacts, type GeneratedCompany } from './generate_catalog.ts';
import { companyLineSchema, contactLineSchema } from './import_schemas.ts';
import { companyWriteOf } from './seed_batch.ts';

const sampleSize = 2_000;
const companies: GeneratedCompany[] = [...generateCompanies({ seed: 42, count: sampleSize })];
const contacts: ContactRecord[] = companies.flatMap((company) => [...generateContacts(company, { seed: 42 })]);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('determinism', () => {
  it('gives the same companies for the same seed, and others for another seed', () => {
    const again = [...generateCompanies({ seed: 42, count: 50 })];
    expect(again).toEqual(companies.slice(0, 50));
    const other = [...generateCompanies({ seed: 43, count: 50 })];
    expect(other.map((company) => company.name)).not.toEqual(again.map((company) => company.name));
  });

  it('does not depend on how the catalog is chunked', () => {
    const chunked = [
      ...generateCompanies({ seed: 42, count: 7, offset: 0 }),
      ...generateCompanies({ seed: 42, count: 100, offset: 7 }),
      ...generateCompanies({ seed: 42, count: 93, offset: 107 }),
    ];
    expect(chunked).toEqual(companies.slice(0, 200));
    expect(generateCompany({ seed: 42, number: 1_234 })).toEqual(companies[1_233]);
  });

  it('gives the same contacts for the same company, even interleaved with other generation', () => {
    const company = companies[10];
    if (!company) throw new Error('no sample company');
    const first = [...generateContacts(company, { seed: 42 })];
    const interleaved: ContactRecord[] = [];
    for (const contact of generateContacts(company, { seed: 42 })) {
      generateCompany({ seed: 9, number: 99 });
      interleaved.push(contact);
    }
    expect(interleaved).toEqual(first);
  });

  it('numbers ids from the company index', () => {
    expect(companies[0]?.id).toBe('cmp_0000001');
    expect(companies[1_999]?.id).toBe('cmp_0002000');
    expect(contacts[0]?.id).toBe('cnt_0000001_01');
  });
});

describe('distributions', () => {
  it('has a heavy-tailed headcount: a modest median and a few very large companies', () => {
    const employees = companies.map((company) => company.employees ?? 0);
    expect(median(employees)).toBeGreaterThanOrEqual(10);
    expect(median(employees)).toBeLessThanOrEqual(500);
    expect(employees.filter((count) => count >= 10_000).length).toBeGreaterThan(0);
  });

  it('correlates revenue with headcount', () => {
    const small = companies.filter((company) => (company.employees ?? 0) < 50);
    const large = companies.filter((company) => (company.employees ?? 0) > 1_000);
    expect(median(large.map((company) => company.revenue_usd ?? 0))).toBeGreaterThan(
      10 * median(small.map((company) => company.revenue_usd ?? 0)),
    );
  });

  it('spreads companies over industries and countries, the US first', () => {
    const industries = new Set(companies.map((company) => company.industry));
    expect(industries.size).toBeGreaterThanOrEqual(20);
    const us = companies.filter((company) => company.country === 'US').length;
    expect(us / sampleSize).toBeGreaterThan(0.3);
    expect(us / sampleSize).toBeLessThan(0.5);
  });

  it('founds most companies between 1980 and 2022', () => {
    const inRange = companies.filter((company) => (company.founded ?? 0) >= 1980 && (company.founded ?? 0) <= 2022);
    expect(inRange.length / sampleSize).toBeGreaterThan(0.75);
  });

  it('gives about 5 contacts per company, 1 to 12 each', () => {
    expect(contacts.length / sampleSize).toBeGreaterThan(4.5);
    expect(contacts.length / sampleSize).toBeLessThan(6);
    const perCompany = new Map<string, number>();
    for (const contact of contacts) perCompany.set(contact.company_id, (perCompany.get(contact.company_id) ?? 0) + 1);
    expect(Math.min(...perCompany.values())).toBeGreaterThanOrEqual(1);
    expect(Math.max(...perCompany.values())).toBeLessThanOrEqual(12);
  });

  it('gives most contacts an email on the company domain, and some neither email nor phone', () => {
    const withEmail = contacts.filter((contact) => contact.email !== null);
    expect(withEmail.length / contacts.length).toBeGreaterThan(0.8);
    const domains = new Map(companies.map((company) => [company.id, company.domain]));
    expect(withEmail.every((contact) => contact.email?.endsWith(`@${domains.get(contact.company_id)}`))).toBe(true);
    const undeliverable = contacts.filter((contact) => !contactIsDeliverable(contact)).length / contacts.length;
    expect(undeliverable).toBeGreaterThan(0.04);
    expect(undeliverable).toBeLessThan(0.12);
  });

  it('gives every company a unique domain and news on that domain', () => {
    expect(new Set(companies.map((company) => company.domain)).size).toBe(sampleSize);
    for (const company of companies) {
      for (const item of company.news) expect(new URL(item.url ?? '').hostname).toBe(`www.${company.domain}`);
    }
  });

  it('dates signals and news in the two years before the reference date', () => {
    const reference = Date.UTC(2026, 0, 1);
    const times = companies.flatMap((company) => [
      ...company.signals.map((signal) => Date.parse(signal.occurred_at)),
      ...company.news.map((item) => Date.parse(item.published_at ?? '')),
    ]);
    expect(times.length).toBeGreaterThan(sampleSize);
    expect(times.every((time) => time < reference && time >= reference - 2 * 366 * 86_400_000)).toBe(true);
  });
});

describe('IP ranges', () => {
  it('never overlap, within a company or between companies', () => {
    const ranges: IpRange[] = companies.flatMap((company) =>
      company.ip_ranges.map((cidr) => {
        const parsed = parseCidr(cidr);
        if (!parsed.ok) throw new Error(`${company.id}: ${cidr}`);
        return parsed.range;
      }),
    );
    const byStart = [...ranges].sort((a, b) =>
      a.family !== b.family ? a.family - b.family : a.first_address < b.first_address ? -1 : 1,
    );
    for (let index = 1; index < byStart.length; index += 1) {
      const [previous, current] = [byStart[index - 1], byStart[index]];
      if (previous && current) expect(rangesOverlap(previous, current)).toBe(false);
    }
  });

  it('gives 1 to 3 IPv4 ranges from /24 to /28, and an IPv6 /48 to about 30% of companies', () => {
    for (const company of companies) {
      const ipv4 = company.ip_ranges.filter((cidr) => !cidr.includes(':'));
      expect(ipv4.length).toBeGreaterThanOrEqual(1);
      expect(ipv4.length).toBeLessThanOrEqual(3);
      for (const cidr of ipv4) expect(Number(cidr.split('/')[1])).toBeGreaterThanOrEqual(24);
    }
    const withIpv6 = companies.filter((company) => company.ip_ranges.some((cidr) => cidr.endsWith('/48'))).length;
    expect(withIpv6 / sampleSize).toBeGreaterThan(0.2);
    expect(withIpv6 / sampleSize).toBeLessThan(0.4);
  });
});

describe('import format', () => {
  it('every generated company and contact passes the import schema unchanged in meaning', () => {
    for (const company of companies) {
      const line = JSON.parse(JSON.stringify(company)) as unknown;
      const parsed = companyLineSchema.safeParse(line);
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(parsed.data?.ip_ranges.map((range) => range.cidr)).toEqual(company.ip_ranges);
    }
    for (const contact of contacts) {
      const parsed = contactLineSchema.safeParse(JSON.parse(JSON.stringify(contact)));
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
  });
});

describe('seed rows', () => {
  it('map each generated company exactly as the import schema would, so the seed may skip the schema', () => {
    for (const company of companies.slice(0, 500)) {
      expect(companyWriteOf(company)).toEqual(companyLineSchema.parse(JSON.parse(JSON.stringify(company))));
    }
    // Contacts are written as generated: parsing must not change them.
    for (const contact of contacts.slice(0, 2_500)) expect(contactLineSchema.parse(JSON.parse(JSON.stringify(contact)))).toEqual(contact);
  });
});
