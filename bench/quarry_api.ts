// The calls the bench makes to a running Quarry server to prepare and check a run: the catalog
// import, accounts with plenty of credits, first reads, balances, the ledger and reconcile, a
// tracked site and the visitors feed.
import { Readable } from 'node:stream';
import { generateCompanies } from '../src/app/catalog/generate_catalog.ts';

/** One admin call may take this long (the catalog import is the slowest). */
const adminCallTimeoutMs = 300_000;
/** Generated lines sent per chunk of the import body. */
const importLinesPerChunk = 500;
/** The admin ledger's largest page (src/lib/cursor.ts pageLimitMax). */
const ledgerPageLimit = 500;
/** The visitors feed's largest page (src/lib/cursor.ts pageLimitMax). */
const visitorsPageLimit = 500;
/** Pages of the visitors feed read at most by one count (a bench account sees a few thousand companies). */
const visitorsPagesMax = 1_000;
/** Concurrent requests while subscribing the re-read account. */
const subscribeConcurrency = 8;
const subscribeTimeoutMs = 120_000;

export interface Quarry {
  origin: string;
  adminToken: string;
}

export interface BenchAccount {
  id: string;
  apiKey: string;
}

interface CallOptions {
  method?: string;
  body?: unknown;
  token: string;
  expect: number;
}

async function call<T>(quarry: Quarry, path: string, options: CallOptions): Promise<T> {
  const response = await fetch(`${quarry.origin}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      authorization: `Bearer ${options.token}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(adminCallTimeoutMs),
  });
  const text = await response.text();
  if (response.status !== options.expect) {
    throw new Error(`${options.method ?? 'GET'} ${path}: expected ${options.expect}, got ${response.status}: ${text.slice(0, 500)}`);
  }
  return JSON.parse(text) as T;
}

/** A company's IP ranges (CIDR) as the generator made them. */
export interface CompanyRanges {
  companyId: string;
  ipRanges: string[];
}

export interface ImportedCatalog {
  /** Every company's id, in catalog order. */
  ids: string[];
  /** The IP ranges of the first `rangesOfCompanies` companies, in catalog order. */
  ranges: CompanyRanges[];
  bytes: number;
}

/**
 * Imports `count` generated companies (the deterministic synthetic catalog, with signals,
 * financials, news and IP ranges) through the admin API, streamed. Returns their ids in catalog
 * order, and the IP ranges of the first `rangesOfCompanies` of them.
 */
export async function importCompanies(quarry: Quarry, count: number, rangesOfCompanies = 0): Promise<ImportedCatalog> {
  const ids: string[] = [];
  const ranges: CompanyRanges[] = [];
  let bytes = 0;
  async function* lines(): AsyncGenerator<Buffer> {
    let chunk: string[] = [];
    for (const company of generateCompanies({ seed: 7, count })) {
      ids.push(company.id);
      if (ranges.length < rangesOfCompanies) ranges.push({ companyId: company.id, ipRanges: company.ip_ranges });
      chunk.push(JSON.stringify(company));
      if (chunk.length === importLinesPerChunk) {
        const buffer = Buffer.from(`${chunk.join('\n')}\n`);
        bytes += buffer.length;
        yield buffer;
        chunk = [];
      }
    }
    if (chunk.length > 0) {
      const buffer = Buffer.from(`${chunk.join('\n')}\n`);
      bytes += buffer.length;
      yield buffer;
    }
  }
  const response = await fetch(`${quarry.origin}/admin/v1/catalog/companies`, {
    method: 'POST',
    headers: { authorization: `Bearer ${quarry.adminToken}`, 'content-type': 'application/x-ndjson' },
    body: Readable.toWeb(Readable.from(lines())) as ReadableStream<Uint8Array>,
    duplex: 'half',
    signal: AbortSignal.timeout(adminCallTimeoutMs),
  } as RequestInit & { duplex: 'half' });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`catalog import: ${response.status}: ${text.slice(0, 500)}`);
  const result = JSON.parse(text) as { imported: number };
  if (result.imported !== count) throw new Error(`catalog import: imported ${result.imported} of ${count}`);
  return { ids, ranges, bytes };
}

/** An account on `planId` (the API plan unless told), topped up with `credits` so that no load runs out. */
export async function createAccount(quarry: Quarry, name: string, credits: number, planId = 'api_standalone'): Promise<BenchAccount> {
  const created = await call<{ account: { id: string }; api_key: string }>(quarry, '/admin/v1/accounts', {
    method: 'POST',
    body: { name, plan_id: planId },
    token: quarry.adminToken,
    expect: 201,
  });
  await call(quarry, `/admin/v1/accounts/${created.account.id}/top-ups`, {
    method: 'POST',
    body: { credits },
    token: quarry.adminToken,
    expect: 201,
  });
  return { id: created.account.id, apiKey: created.api_key };
}

export async function balanceOf(quarry: Quarry, accountId: string): Promise<number> {
  const account = await call<{ credits: { balance: number } }>(quarry, `/admin/v1/accounts/${accountId}`, {
    token: quarry.adminToken,
    expect: 200,
  });
  return account.credits.balance;
}

/** The number of `charge` entries in an account's ledger, page by page. */
export async function countCharges(quarry: Quarry, accountId: string, expectedMax: number): Promise<number> {
  const pagesMax = Math.ceil(expectedMax / ledgerPageLimit) + 2;
  let count = 0;
  let cursor: string | null = null;
  for (let page = 0; page < pagesMax; page += 1) {
    const query: string = `kind=charge&limit=${ledgerPageLimit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const result: { data: unknown[]; next_cursor: string | null } = await call(quarry, `/admin/v1/accounts/${accountId}/ledger?${query}`, {
      token: quarry.adminToken,
      expect: 200,
    });
    count += result.data.length;
    cursor = result.next_cursor;
    if (!cursor) return count;
  }
  throw new Error(`account ${accountId} has more than ${pagesMax} pages of charges`);
}

export async function reconcile(quarry: Quarry): Promise<{ ok: boolean; accounts_checked: number; differences: unknown[] }> {
  return call(quarry, '/admin/v1/reconcile', { token: quarry.adminToken, expect: 200 });
}

/** Reads each company once as `account` (each read starts a subscription), a few at a time. */
export async function subscribe(quarry: Quarry, account: BenchAccount, companyIds: readonly string[]): Promise<void> {
  const deadline = Date.now() + subscribeTimeoutMs;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < companyIds.length) {
      if (Date.now() > deadline) throw new Error(`subscribing took more than ${subscribeTimeoutMs} ms`);
      const id = companyIds[next++]!;
      const response = await fetch(`${quarry.origin}/v1/companies/${id}`, {
        headers: { authorization: `Bearer ${account.apiKey}` },
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`first read of ${id}: ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: subscribeConcurrency }, worker));
}

/** A site to track for `account` (its plan needs `website_visitors`); returns the site's id. */
export async function createSite(quarry: Quarry, account: BenchAccount, domain: string): Promise<string> {
  const site = await call<{ id: string }>(quarry, '/v1/sites', {
    method: 'POST',
    body: { domain },
    token: account.apiKey,
    expect: 201,
  });
  return site.id;
}

/** The account's whole visitors feed (one site), page by page: the visits of each company in it. */
export async function visitsByCompany(quarry: Quarry, account: BenchAccount): Promise<Map<string, number>> {
  const visits = new Map<string, number>();
  let cursor: string | null = null;
  for (let page = 0; page < visitorsPagesMax; page += 1) {
    const query: string = `limit=${visitorsPageLimit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const result: { data: Array<{ company: { id: string }; visits: number }>; next_cursor: string | null } = await call(
      quarry,
      `/v1/visitors?${query}`,
      { token: account.apiKey, expect: 200 },
    );
    for (const item of result.data) visits.set(item.company.id, (visits.get(item.company.id) ?? 0) + item.visits);
    cursor = result.next_cursor;
    if (!cursor) return visits;
  }
  throw new Error(`the visitors feed has more than ${visitorsPagesMax} pages`);
}
