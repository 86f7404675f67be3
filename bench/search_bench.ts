// Search latency on a large catalog: the basic searches and ten realistic advanced filter mixes,
// each sent one request at a time (latency, not throughput) with varied values, beside the
// latency of GET /health on the same server (the framework's floor in the same run). Also the
// server's resident memory after the searches.
//
// The catalog is the synthetic one (src/app/catalog/generate_catalog.ts, reference time
// 2026-01-01), so the mixes use its vocabulary: its industries, countries, technologies, signal
// types and words of its names, descriptions and news.
import { residentBytes } from './child_process.ts';

/**
 * Requests per mix; each varies its values so no answer is cached by the engine alone. Enough
 * that the p95 is not the second-slowest of a handful (with 40 it was: two stray requests on a
 * busy 2-core machine moved it by tens of milliseconds).
 */
const requestsPerMix = 200;
const warmupRequestsPerMix = 10;
const requestTimeoutMs = 30_000;

export interface SearchTarget {
  origin: string;
  apiKey: string;
  serverPid: number | undefined;
  /** Companies in the catalog (cmp_0000001 …), to draw ids for contact searches. */
  companies: number;
}

export interface MixFigures {
  name: string;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Average results on the first page. */
  resultsMean: number;
}

export interface SearchFigures {
  floor: MixFigures;
  basic: MixFigures[];
  advanced: MixFigures[];
  /** The worst p95 of the basic and of the advanced mixes. */
  basicP95Ms: number;
  advancedP95Ms: number;
  rssBytes: number | undefined;
  /**
   * The same worst p95s in the first pass over every mix, right after the server started (its
   * database connections, caches and the engine's pages still cold), which warms it up for the
   * measured pass. Printed, not judged.
   */
  firstPass: { basicP95Ms: number; advancedP95Ms: number };
}

interface Mix {
  name: string;
  /** The request for variation `index`: a GET path, or a POST body for /v1/companies/search. */
  request: (index: number) => { path: string } | { body: Record<string, unknown> };
}

const since = (months: number): string => new Date(Date.UTC(2026, 0, 1) - months * 30 * 86_400_000).toISOString();
const pick = <T>(values: readonly T[], index: number): T => values[index % values.length]!;

const nameWords = ['acme', 'group', 'tech', 'solutions', 'and', 'sons', 'llc', 'inc', 'schmidt', 'miller', 'johnson', 'lang', 'kim'];
const countries = ['US', 'GB', 'DE', 'FR', 'CA', 'IN', 'AU', 'NL', 'JP', 'BR'];
const industries = ['Software', 'IT Services', 'Financial Services', 'Healthcare', 'Manufacturing', 'Retail', 'Consulting'];
const technologies = ['Kubernetes', 'PostgreSQL', 'React', 'AWS', 'Salesforce', 'Snowflake', 'Stripe', 'Datadog', 'Python', 'Go'];
const textWords = ['cloud', 'secure', 'platform', 'data', 'analytics', 'network', 'global', 'mobile', 'digital', 'integrated'];
const newsWords = ['platforms', 'synergies', 'markets', 'metrics', 'solutions', 'partnerships', 'channels', 'communities'];

export const basicMixes = (companies: number): Mix[] => [
  { name: 'companies: q (one name word prefix)', request: (index) => ({ path: `/v1/companies?q=${pick(nameWords, index).slice(0, 3 + (index % 3))}` }) },
  { name: 'companies: q + country', request: (index) => ({ path: `/v1/companies?q=${pick(nameWords, index)}&country=${pick(countries, index)}` }) },
  {
    name: 'companies: domain',
    request: (index) => ({ path: `/v1/companies?domain=${encodeURIComponent(`www.example-${index}.com`)}` }),
  },
  { name: 'companies: country', request: (index) => ({ path: `/v1/companies?country=${pick(countries, index)}&limit=50` }) },
  {
    name: 'contacts: company_id',
    request: (index) => ({ path: `/v1/contacts?company_id=cmp_${String(1 + ((index * 7_919) % companies)).padStart(7, '0')}` }),
  },
  { name: 'contacts: title + seniority', request: (index) => ({ path: `/v1/contacts?title=${pick(['engineer', 'sales', 'marketing', 'finance'], index)}&seniority=${pick(['vp', 'director', 'manager'], index)}` }) },
];

/** The ten documented advanced mixes (bench/README.md lists them). */
export const advancedMixes: Mix[] = [
  { name: '1 industry + country + employees', request: (index) => ({ body: { industries: [pick(industries, index)], countries: [pick(countries, index)], employees: { min: 50, max: 500 } } }) },
  { name: '2 free text, one word', request: (index) => ({ body: { query: pick(textWords, index) } }) },
  { name: '3 two technologies + three countries', request: (index) => ({ body: { technologies: [pick(technologies, index), pick(technologies, index + 3)], countries: [pick(countries, index), pick(countries, index + 1), pick(countries, index + 2)] } }) },
  { name: '4 funding rounds in 6 months', request: (index) => ({ body: { signals: { types: ['funding_round'], since: since(6 + (index % 3)) } } }) },
  { name: '5 revenue > $100M in finance', request: (index) => ({ body: { revenue_usd: { min: 100_000_000 + index * 1_000_000 }, industries: ['Financial Services', 'Banking', 'Insurance'] } }) },
  { name: '6 young small companies in a country', request: (index) => ({ body: { founded: { min: 2015 }, employees: { max: 50 }, countries: [pick(countries, index)] } }) },
  { name: '7 news text in the last year', request: (index) => ({ body: { news: { query: pick(newsWords, index), since: since(12) } } }) },
  { name: '8 free text + industries', request: (index) => ({ body: { query: `${pick(textWords, index)} ${pick(textWords, index + 1).slice(0, 4)}`, industries: ['Software', 'IT Services'] } }) },
  { name: '9 technology + hiring + employees', request: (index) => ({ body: { technologies: [pick(technologies, index)], signals: { types: ['hiring'], since: since(3) }, employees: { min: 200 } } }) },
  { name: '10 country + revenue + founded + technology', request: (index) => ({ body: { countries: [pick(countries, index)], revenue_usd: { min: 1_000_000, max: 10_000_000 }, founded: { min: 2000, max: 2010 }, technologies: [pick(technologies, index)] } }) },
];

export async function benchSearch(target: SearchTarget): Promise<SearchFigures> {
  const first = await measurePass(target);
  const measured = await measurePass(target);
  return {
    ...measured,
    rssBytes: target.serverPid === undefined ? undefined : residentBytes(target.serverPid),
    firstPass: { basicP95Ms: first.basicP95Ms, advancedP95Ms: first.advancedP95Ms },
  };
}

/** Every mix once, the floor first. */
async function measurePass(target: SearchTarget): Promise<Omit<SearchFigures, 'rssBytes' | 'firstPass'>> {
  const floor = await measureMix(target, { name: 'GET /health (floor)', request: () => ({ path: '/health' }) });
  const basic: MixFigures[] = [];
  for (const mix of basicMixes(target.companies)) basic.push(await measureMix(target, mix));
  const advanced: MixFigures[] = [];
  for (const mix of advancedMixes) advanced.push(await measureMix(target, mix));
  return {
    floor,
    basic,
    advanced,
    basicP95Ms: Math.max(...basic.map((mix) => mix.p95Ms)),
    advancedP95Ms: Math.max(...advanced.map((mix) => mix.p95Ms)),
  };
}

async function measureMix(target: SearchTarget, mix: Mix): Promise<MixFigures> {
  const latencies: number[] = [];
  let results = 0;
  for (let index = 0; index < warmupRequestsPerMix + requestsPerMix; index += 1) {
    const request = mix.request(index);
    const started = performance.now();
    const response =
      'path' in request
        ? await fetch(`${target.origin}${request.path}`, { headers: { authorization: `Bearer ${target.apiKey}` }, signal: AbortSignal.timeout(requestTimeoutMs) })
        : await fetch(`${target.origin}/v1/companies/search`, {
            method: 'POST',
            headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify(request.body),
            signal: AbortSignal.timeout(requestTimeoutMs),
          });
    const text = await response.text();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`${mix.name}: ${response.status} ${text.slice(0, 300)}`);
    if (index < warmupRequestsPerMix) continue;
    latencies.push(elapsed);
    const body = JSON.parse(text) as { data?: unknown[] };
    results += body.data?.length ?? 0;
  }
  latencies.sort((a, b) => a - b);
  const at = (share: number): number => latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))]!;
  return { name: mix.name, requests: latencies.length, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: latencies.at(-1)!, resultsMean: results / latencies.length };
}

/** A printable table of the figures. */
export function renderSearch(figures: SearchFigures): string {
  const row = (mix: MixFigures): string =>
    `  ${mix.name.padEnd(44)} p50 ${mix.p50Ms.toFixed(2).padStart(7)} ms   p95 ${mix.p95Ms.toFixed(2).padStart(7)} ms   max ${mix.maxMs.toFixed(1).padStart(7)} ms   ${mix.resultsMean.toFixed(0).padStart(3)} results`;
  return [
    row(figures.floor),
    'basic search:',
    ...figures.basic.map(row),
    'advanced search:',
    ...figures.advanced.map(row),
    `worst p95: basic ${figures.basicP95Ms.toFixed(2)} ms (target <= 10), advanced ${figures.advancedP95Ms.toFixed(2)} ms (target <= 50);` +
      ` server RSS ${figures.rssBytes === undefined ? 'unknown' : `${(figures.rssBytes / 2 ** 20).toFixed(0)} MB`} (target <= 500)`,
    `first pass after the server's start (warms it up; not judged): worst p95 basic ${figures.firstPass.basicP95Ms.toFixed(2)} ms, advanced ${figures.firstPass.advancedP95Ms.toFixed(2)} ms`,
  ].join('\n');
}
