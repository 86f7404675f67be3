// The calls the bench makes to a running Quarry server to prepare and check a run: the catalog
// import, accounts with plenty of credits, first reads, balances, the ledger and reconcile.
import { Readable } from 'node:stream';
import { generateCompanies } from '../src/app/catalog/generate_catalog.ts';

/** One admin call may take this long (the catalog import is the slowest). */
const adminCallTimeoutMs = 300_000;
/** Generated lines sent per chunk of the import body. */
const importLinesPerChunk = 500;
/** The admin ledger's largest page (src/lib/cursor.ts pageLimitMax). */
const ledgerPageLimit = 500;
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

/**
 * Imports `count` generated companies (the deterministic synthetic catalog, with signals,
 * financials and news) through the admin API, streamed. Returns their ids in catalog order.
 */
export async function importCompanies(quarry: Quarry, count: number): Promise<{ ids: string[]; bytes: number }> {
  const ids: string[] = [];
  let bytes = 0;
  async function* lines(): AsyncGenerator<Buffer> {
    let chunk: string[] = [];
    for (const company of generateCompanies({ seed: 7, count })) {
      ids.push(company.id);
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
  return { ids, bytes };
}

/** An account on the API plan, topped up with `credits` so that no load runs out. */
export async function createAccount(quarry: Quarry, name: string, credits: number): Promise<BenchAccount> {
  const created = await call<{ account: { id: string }; api_key: string }>(quarry, '/admin/v1/accounts', {
    method: 'POST',
    body: { name, plan_id: 'api_standalone' },
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
