// The small catalog every browser test runs on: a few companies with signals, financials and
// news, and their contacts, imported through the operator API as a vendor would. One company owns
// an IPv4 range (a documentation network, RFC 5737), so that a visit from inside it identifies it.
export const companies = [
  {
    id: 'cmp_e2e_acme',
    name: 'Acme Robotics',
    domain: 'acme-robotics.example',
    industry: 'Industrial Automation',
    employees: 420,
    revenue_usd: 58_000_000,
    country: 'DE',
    city: 'Munich',
    founded: 2009,
    description: 'Builds collaborative robots for small factories.',
    technologies: ['React', 'PostgreSQL', 'Kubernetes'],
    signals: [
      { type: 'funding_round', title: 'Raised a 20M Series B', occurred_at: '2025-11-02T00:00:00Z' },
      { type: 'hiring', title: 'Hiring 15 engineers', occurred_at: '2025-12-10T00:00:00Z' },
    ],
    financials: [
      { year: 2022, revenue_usd: 31_000_000, employees: 250 },
      { year: 2023, revenue_usd: 42_000_000, employees: 320 },
      { year: 2024, revenue_usd: 58_000_000, employees: 420 },
    ],
    news: [
      {
        title: 'Acme Robotics opens a plant in Leipzig',
        url: 'https://news.example/acme-leipzig',
        source: 'Industry Daily',
        published_at: '2025-10-20T08:00:00Z',
        summary: 'The new plant doubles production of its arm series.',
      },
    ],
  },
  { id: 'cmp_e2e_blue', name: 'Blue Harbor Logistics', domain: 'blueharbor.example', industry: 'Logistics', employees: 1200, revenue_usd: 210_000_000, country: 'NL', city: 'Rotterdam', founded: 1998 },
  {
    id: 'cmp_e2e_cedar',
    name: 'Cedar Analytics',
    domain: 'cedar-analytics.example',
    industry: 'Software',
    employees: 85,
    revenue_usd: 9_000_000,
    country: 'FR',
    city: 'Lyon',
    founded: 2017,
    // Its office network: the website-visitors tests send visits from an address inside it.
    ip_ranges: ['198.51.100.0/24'],
  },
  { id: 'cmp_e2e_delta', name: 'Delta Foods', domain: 'deltafoods.example', industry: 'Food', employees: 640, revenue_usd: 75_000_000, country: 'ES', city: 'Valencia', founded: 1987 },
];

export const contacts = [
  { id: 'cnt_e2e_anna', company_id: 'cmp_e2e_acme', first_name: 'Anna', last_name: 'Keller', title: 'Chief Technology Officer', seniority: 'c_level', department: 'engineering', email: 'anna.keller@acme-robotics.example', phone: '+49 89 1234567', country: 'DE' },
  { id: 'cnt_e2e_jonas', company_id: 'cmp_e2e_acme', first_name: 'Jonas', last_name: 'Weber', title: 'Head of Sales', seniority: 'director', department: 'sales', email: 'jonas.weber@acme-robotics.example', country: 'DE' },
  { id: 'cnt_e2e_mila', company_id: 'cmp_e2e_blue', first_name: 'Mila', last_name: 'de Vries', title: 'Operations Manager', seniority: 'manager', department: 'operations', phone: '+31 10 7654321', country: 'NL' },
];

export function ndjson(records: readonly object[]): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + '\n';
}

/** A company of the catalog with an IP range, and an address inside that range. */
export const visitingCompany = { id: 'cmp_e2e_cedar', name: 'Cedar Analytics', address: '198.51.100.23' } as const;
