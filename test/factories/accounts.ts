// Accounts, keys and credit facts for route and scenario tests, read and written only through the
// public HTTP API (the operator API for what a customer cannot see), so tests check the contract.
import { expect } from 'vitest';
import type { Response, TestApp } from '../harness/test_app.ts';

export interface LedgerEntry {
  id: string;
  seq: number;
  at: string;
  kind: 'grant' | 'charge' | 'expire' | 'refund' | 'adjust';
  credits: number;
  balance_after: number;
  grant_id: string | null;
  record: { type: 'company' | 'contact'; id: string } | null;
  subscription_id: string | null;
  channel: 'api' | 'web' | 'visit' | 'operator' | 'system';
  actor: { type: 'api_key' | 'user' | 'operator' | 'system'; id: string | null };
  note: string | null;
}

export interface Subscription {
  id: string;
  record_type: 'company' | 'contact';
  record_id: string;
  source: 'credit' | 'web_visit' | 'grant';
  started_at: string;
  expires_at: string;
  ended_at: string | null;
}

export interface Grant {
  id: string;
  source: 'allowance' | 'top_up' | 'adjustment' | 'refund';
  credits: number;
  remaining: number;
  expires_at: string;
  created_at: string;
  bundle_id: string | null;
  note: string | null;
}

export interface ErrorBody {
  error: { code: string; message: string; request_id: string; field?: string };
}

/** Every entry of an account's ledger, oldest first, paged through the operator API. */
export async function fullLedger(app: TestApp, accountId: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page = await app.admin<{ data: LedgerEntry[]; next_cursor: string | null }>(
      'GET',
      `/admin/v1/accounts/${accountId}/ledger?limit=500${query}`,
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    entries.push(...page.body.data);
    cursor = page.body.next_cursor;
  } while (cursor !== null);
  return entries.reverse();
}

/** The balance as the operator sees it (GET /admin/v1/accounts/{id}). */
export async function balanceOf(app: TestApp, accountId: string): Promise<number> {
  const response = await app.admin<{ credits: { balance: number } }>('GET', `/admin/v1/accounts/${accountId}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.credits.balance;
}

/** Every subscription of an account (active or not), through the customer API. */
export async function allSubscriptions(app: TestApp, key: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  for (const active of [true, false]) {
    // Every page: an account of a bulk test holds more than one page's limit.
    let cursor: string | null = null;
    do {
      const query: string = `/v1/subscriptions?active=${active}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await app.api<{ data: Subscription[]; next_cursor: string | null }>('GET', query, { key });
      expect(page.status).toBe(200);
      all.push(...page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor);
  }
  return all.sort((a, b) => a.id.localeCompare(b.id));
}

export interface CreditState {
  balance: number;
  ledger: LedgerEntry[];
  subscriptions: Subscription[];
}

/** What must not change when a request fails: balance, ledger and subscriptions. */
export async function creditState(app: TestApp, account: { id: string; key: string }): Promise<CreditState> {
  return {
    balance: await balanceOf(app, account.id),
    ledger: await fullLedger(app, account.id),
    subscriptions: await allSubscriptions(app, account.key),
  };
}

/** Issues one more API key for an account (POST /admin/v1/accounts/{id}/api-keys). */
export async function addApiKey(app: TestApp, accountId: string, name = 'second'): Promise<{ id: string; key: string }> {
  const response = await app.admin<{ id: string; key: string }>('POST', `/admin/v1/accounts/${accountId}/api-keys`, { name });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { id: response.body.id, key: response.body.key };
}

/** A signed operator adjustment; fails the test unless it is accepted. */
export async function adjust(app: TestApp, accountId: string, credits: number, reason = 'test adjustment'): Promise<number> {
  const response = await app.admin<{ balance: number }>('POST', `/admin/v1/accounts/${accountId}/adjustments`, { credits, reason });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.balance;
}

/** Moves the test clock through the operator API to an ISO instant. */
export async function setClock(app: TestApp, now: string): Promise<void> {
  const response = await app.admin<{ now: string }>('POST', '/admin/v1/clock', { now });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.now).toBe(new Date(now).toISOString());
}

/** The documented error shape: status, code, and `{error: {code, message, request_id}}`. */
export function expectError(response: Response, status: number, code: string): ErrorBody['error'] {
  const context = `${response.status} ${JSON.stringify(response.body)}`;
  expect(response.status, context).toBe(status);
  const body = response.body as ErrorBody;
  expect(body, context).toEqual({
    error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.stringMatching(/^req_/) }),
  });
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(response.headers['x-request-id']).toBe(body.error.request_id);
  return body.error;
}
