// The ledger of one account, newest first, with filters and a cursor.
import { listLedgerEntries } from '../../store/credits.ts';
import type { LedgerKind } from '../../store/schema.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { ledgerEntryView, type LedgerEntryView } from '../views.ts';

export interface LedgerQuery {
  accountId: string;
  kind?: LedgerKind | undefined;
  since?: number | undefined;
  until?: number | undefined;
  cursor?: string | undefined;
  limit: number;
}

export async function listLedger(
  context: AppContext,
  query: LedgerQuery,
): Promise<Result<{ data: LedgerEntryView[]; next_cursor: string | null }>> {
  let beforeSeq: number | undefined;
  if (query.cursor !== undefined) {
    const decoded = decodeCursor(query.cursor);
    const before = decoded?.['before'];
    if (typeof before !== 'number' || !Number.isSafeInteger(before) || before < 1) {
      return fail('invalid_request', 'cursor is not valid', 'cursor');
    }
    beforeSeq = before;
  }
  const rows = await listLedgerEntries(context.store.db, { ...query, beforeSeq, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    ok: true,
    data: page.map(ledgerEntryView),
    next_cursor: rows.length > query.limit && last ? encodeCursor({ before: last.seq }) : null,
  };
}
