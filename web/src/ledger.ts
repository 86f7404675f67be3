// Reading the ledger in pages: the dashboard's usage chart and the CSV export need every entry of
// a span, which the API gives a page at a time.
import { api, unwrap } from './api.ts';
import type { LedgerEntry } from './types.ts';

/** The API's page bound (lib/cursor.ts pageLimitMax). */
export const ledgerPageLimit = 500;
/** How many pages one chart or export reads at most (10,000 entries), so a huge ledger cannot stall the page. */
export const ledgerPagesMax = 20;

export interface LedgerFilter {
  kind?: LedgerEntry['kind'] | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** Entries matching `filter`, newest first; `complete` is false when the bound cut it short. */
export async function readLedger(filter: LedgerFilter, operatorAccountId?: string): Promise<{ entries: LedgerEntry[]; complete: boolean }> {
  const entries: LedgerEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < ledgerPagesMax; page += 1) {
    const query = { ...filter, limit: ledgerPageLimit, cursor };
    const result = operatorAccountId
      ? await unwrap(api.GET('/admin/v1/accounts/{id}/ledger', { params: { path: { id: operatorAccountId }, query } }))
      : await unwrap(api.GET('/v1/credits/ledger', { params: { query } }));
    entries.push(...result.data);
    if (!result.next_cursor) return { entries, complete: true };
    cursor = result.next_cursor;
  }
  return { entries, complete: false };
}

const csvColumns = ['id', 'at', 'kind', 'credits', 'balance_after', 'channel', 'actor_type', 'actor_id', 'record_type', 'record_id', 'grant_id', 'subscription_id', 'note'] as const;

function csvCell(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  // Quote what needs it, and defuse spreadsheet formulas (a note starting with "=").
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function ledgerCsv(entries: LedgerEntry[]): string {
  const rows = entries.map((entry) =>
    [
      entry.id,
      entry.at,
      entry.kind,
      entry.credits,
      entry.balance_after,
      entry.channel,
      entry.actor.type,
      entry.actor.id,
      entry.record?.type ?? null,
      entry.record?.id ?? null,
      entry.grant_id,
      entry.subscription_id,
      entry.note,
    ]
      .map(csvCell)
      .join(','),
  );
  return [csvColumns.join(','), ...rows].join('\r\n') + '\r\n';
}
