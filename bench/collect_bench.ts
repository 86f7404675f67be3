// POST /collect under load on the real server (the third load of quarry_bench.ts): page views of
// one tracked site from the networks of a few thousand catalog companies, as a browser's
// tracking script sends them (text/plain JSON, a browser User-Agent), each request from another
// company address by X-Forwarded-For (the server trusts the proxy header in the bench). Then the
// check: once the collector has written its batches, the visits in the account's feed must add up
// to the 204 responses (no more: that would be views invented; fewer: views dropped, which the
// report counts), and the account's balance must not have moved (a visit is free).
//
// When everything is written is known exactly, not guessed from a feed that stopped moving (one
// batch can take seconds on PostgreSQL): after the load, one more view comes from a company kept
// out of the load, the marker. The collector writes its batches in the order they were queued, so
// once the marker's company is in the feed, every view queued before it is written or was dropped.
import { hexToAddress, parseCidr } from '../src/domain/catalog/ip_ranges.ts';
import { sleep } from './child_process.ts';
import type { CpuUse } from './cpu.ts';
import { loadFigures, runLoad, type LoadFigures, type LoadResult, type NextRequest } from './load.ts';
import {
  balanceOf,
  createAccount,
  createSite,
  reconcile,
  visitsByCompany,
  type BenchAccount,
  type CompanyRanges,
  type Quarry,
} from './quarry_api.ts';

/** Requests of the warm-up's first part (the server's code warms up, the IP index is built); its rate sizes the second part. */
const collectWarmupRequests = 10_000;
/** Credits of the visitors account: a visit must move none of them. */
const accountCredits = 1_000;
/** The tracked site; the pages viewed are on it. */
const siteDomain = 'bench-shop.example';
const pagePaths = [
  '/', '/pricing', '/product', '/product/search', '/product/enrichment', '/product/visitors', '/customers',
  '/customers/acme', '/blog', '/blog/b2b-data-quality', '/blog/intent-signals', '/docs', '/docs/api',
  '/docs/api/companies', '/docs/tracking', '/about', '/careers', '/contact', '/security', '/changelog',
];
/** Where visitors come from: none (typed the address), search, a social network, the site itself. */
const referrers = [null, 'https://www.google.com/', 'https://www.linkedin.com/feed/', `https://${siteDomain}/blog`];
/** What Chrome on Windows sends: not a bot by `isBotUserAgent`. */
const browserUserAgent =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
/** How often the feed is read while waiting for the marker. */
const flushPollMs = 500;
/** The marker is sent again this often until it shows: the queue may have been full when it came. */
const markerResendMs = 2_000;
/** The longest wait for the collector to write everything queued before the marker. */
const flushWaitMsMax = 30_000;

export interface VisitCheck {
  /** Requests sent to POST /collect, warm-up and measured (each answered: both runs are count-bounded). */
  viewsSent: number;
  /** 204 responses among them: each is a view the server accepted. */
  responses204: number;
  /** The sum of `visits` over the account's visitors feed once the collector has written everything. */
  viewsRecorded: number;
  /** Views answered 204 but never recorded (the collector's queue was full, or a batch failed). */
  viewsDropped: number;
  /** Companies whose addresses were sent, and companies in the feed. */
  companiesSent: number;
  companiesInFeed: number;
  /** The account's balance after the load minus before: must be 0. */
  balanceChange: number;
  reconcileOk: boolean;
  /** How long after the load the marker showed in the feed, and whether it did (false: the wait ran out). */
  flushWaitSeconds: number;
  caughtUp: boolean;
  /**
   * No view recorded beyond those sent, no company beyond those sent, every answer a 204, the
   * balance unchanged and reconcile ok. False is a correctness bug.
   */
  ok: boolean;
  /** Every 204 recorded, and every company sent in the feed (false: views were dropped, or not yet written). */
  allRecorded: boolean;
}

export interface CollectFigures extends LoadFigures {
  /** Distinct client addresses the load rotates over, and the companies they belong to. */
  addresses: number;
  companies: number;
  check: VisitCheck;
  cutShort: boolean;
}

export interface CollectOptions {
  quarry: Quarry;
  /** The IP ranges of the companies whose networks visit the site; the last one is the marker. */
  companies: readonly CompanyRanges[];
  connections: number;
  /** The measured load, about this long; the warm-up's second part, about `warmupSeconds`. */
  seconds: number;
  warmupSeconds: number;
  measure: () => () => CpuUse;
  log: (line: string) => void;
}

export async function measureCollect(options: CollectOptions): Promise<CollectFigures> {
  const { quarry, connections, seconds, warmupSeconds, log } = options;
  const account = await createAccount(quarry, 'bench visitors', accountCredits, 'platform');
  const siteId = await createSite(quarry, account, siteDomain);
  const loadCompanies = options.companies.slice(0, -1);
  const marker = options.companies.at(-1);
  if (!marker || loadCompanies.length === 0) throw new Error('the page views need at least two companies');
  const visitors = visitorAddresses(loadCompanies);
  const views = pageViews(siteId, visitors);
  const markerView = pageViews(siteId, visitorAddresses([marker]).slice(0, 1)).next;
  const balanceBefore = await balanceOf(quarry, account.id);

  // Counts rather than durations, like the charged reads, so that every view sent is answered
  // and the check is exact. The first part's rate is low (cold code, the first batches): the
  // second part's sizes the measured load.
  const load = (requestsTotal: number): Promise<LoadResult> =>
    runLoad({ origin: quarry.origin, connections, requestsTotal, deadlineSeconds: Math.max(seconds, warmupSeconds) * 4, next: views.next });
  log(`POST /collect: warm-up ${collectWarmupRequests} requests from ${visitors.length} addresses of ${loadCompanies.length} companies`);
  const warmups = [await load(collectWarmupRequests)];
  const secondWarmupRequests = Math.max(connections * 10, Math.round(warmups[0]!.requestsPerSecond * warmupSeconds));
  log(`POST /collect: warm-up ${secondWarmupRequests} requests more (about ${warmupSeconds} s)`);
  warmups.push(await load(secondWarmupRequests));
  const requestsTotal = Math.max(connections * 10, Math.round(warmups[1]!.requestsPerSecond * seconds));
  log(`POST /collect: ${requestsTotal} requests (about ${seconds} s at the warm-up's rate)`);
  const cpu = options.measure();
  const result = await load(requestsTotal);
  const figures = loadFigures(result, cpu());

  log('waiting for the collector to write everything (the marker view), then checking the visits against the 204 responses');
  const runs = [...warmups, result];
  const waitStarted = performance.now();
  const responses204 = runs.reduce((sum, run) => sum + (run.statuses['204'] ?? 0), 0);
  const written = await waitForMarker(quarry, account, marker.companyId, markerView);
  const flushWaitSeconds = (performance.now() - waitStarted) / 1000;
  written.visits.delete(marker.companyId);
  const totals = { companies: written.visits.size, visits: [...written.visits.values()].reduce((sum, visits) => sum + visits, 0) };
  const balanceChange = (await balanceOf(quarry, account.id)) - balanceBefore;
  const reconciled = await reconcile(quarry);
  const viewsSent = runs.reduce((sum, run) => sum + run.sent, 0);
  const responses = runs.reduce((sum, run) => sum + run.responses, 0);
  const companiesSent = views.companiesSent();
  const check: VisitCheck = {
    viewsSent,
    responses204,
    viewsRecorded: totals.visits,
    viewsDropped: Math.max(0, responses204 - totals.visits),
    companiesSent,
    companiesInFeed: totals.companies,
    balanceChange,
    reconcileOk: reconciled.ok,
    flushWaitSeconds,
    caughtUp: written.caughtUp,
    ok:
      totals.visits <= viewsSent &&
      totals.companies <= companiesSent &&
      responses204 === responses &&
      balanceChange === 0 &&
      reconciled.ok,
    allRecorded: totals.visits >= responses204 && totals.companies === companiesSent,
  };
  return {
    ...figures,
    addresses: visitors.length,
    companies: loadCompanies.length,
    check,
    cutShort: runs.some((run) => run.cutShort),
  };
}

interface VisitorAddress {
  companyId: string;
  address: string;
}

/** The first address + 1 of every range of the companies: each inside its company's range, IPv4 and IPv6. */
function visitorAddresses(companies: readonly CompanyRanges[]): VisitorAddress[] {
  const addresses: VisitorAddress[] = [];
  for (const company of companies) {
    for (const cidr of company.ipRanges) {
      const parsed = parseCidr(cidr);
      if (!parsed.ok) throw new Error(`company ${company.companyId}: "${cidr}": ${parsed.message}`);
      const { family, first_address: first } = parsed.range;
      const next = (BigInt(`0x${first}`) + 1n).toString(16).padStart(first.length, '0');
      addresses.push({ companyId: company.companyId, address: hexToAddress(family, next) });
    }
  }
  if (addresses.length === 0) throw new Error('no company address to send page views from');
  return addresses;
}

/**
 * Request k comes from address k mod addresses and views page k mod pages with referrer k mod
 * referrers; the bodies and headers are built once, so the load generator only picks them.
 */
function pageViews(siteId: string, visitors: readonly VisitorAddress[]): { next: () => NextRequest; companiesSent: () => number } {
  const bodies: Buffer[] = [];
  for (const path of pagePaths) {
    for (const referrer of referrers) {
      bodies.push(Buffer.from(JSON.stringify({ site_id: siteId, url: `https://${siteDomain}${path}`, referrer })));
    }
  }
  const headers = visitors.map((visitor) => ({
    // What navigator.sendBeacon sends with a string body: no preflight, any origin.
    'content-type': 'text/plain;charset=UTF-8',
    'user-agent': browserUserAgent,
    origin: `https://${siteDomain}`,
    'x-forwarded-for': visitor.address,
  }));
  let sequence = 0;
  return {
    next: () => {
      const request: NextRequest = {
        method: 'POST',
        path: '/collect',
        headers: headers[sequence % headers.length]!,
        body: bodies[sequence % bodies.length]!,
      };
      sequence += 1;
      return request;
    },
    companiesSent: () => new Set(visitors.slice(0, Math.min(sequence, visitors.length)).map((visitor) => visitor.companyId)).size,
  };
}

/**
 * Sends the marker view (again every `markerResendMs`, in case the collector's queue was full)
 * until its company shows in the feed: then every view queued before it has been written or
 * dropped. Returns the feed's visits by company at that moment.
 */
async function waitForMarker(
  quarry: Quarry,
  account: BenchAccount,
  markerCompanyId: string,
  markerView: () => NextRequest,
): Promise<{ visits: Map<string, number>; caughtUp: boolean }> {
  const started = performance.now();
  let sentAt = -Infinity;
  for (;;) {
    if (performance.now() - sentAt >= markerResendMs) {
      await sendView(quarry, markerView());
      sentAt = performance.now();
    }
    await sleep(flushPollMs);
    const visits = await visitsByCompany(quarry, account);
    if (visits.has(markerCompanyId)) return { visits, caughtUp: true };
    if (performance.now() - started >= flushWaitMsMax) return { visits, caughtUp: false };
  }
}

async function sendView(quarry: Quarry, view: NextRequest): Promise<void> {
  const response = await fetch(`${quarry.origin}${view.path}`, {
    method: view.method,
    headers: view.headers,
    body: view.body,
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  if (response.status !== 204) throw new Error(`POST /collect (the marker view): expected 204, got ${response.status}`);
}
