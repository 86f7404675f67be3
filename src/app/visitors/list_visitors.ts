// GET /v1/visitors: the companies that visited the account's sites, newest first (by last
// visit), with filters by site and by time of the last visit, and a keyset cursor, and each
// company's active subscription now. Free.
import { listVisitors as listVisitorRows, type VisitorRow } from '../../store/visitors.ts';
import { latestSubscriptions, toSubscriptionState, type SubscriptionRow } from '../../store/subscriptions.ts';
import { isActive } from '../../domain/subscriptions/subscriptions.ts';
import { subscriptionView, type SubscriptionView } from '../views.ts';
import { cursorIdPattern, decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { toIso } from '../../lib/clock.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';

export interface VisitorView {
  company: { id: string; name: string | null; domain: string | null };
  site_id: string;
  visits: number;
  first_seen: string;
  last_seen: string;
  pages: string[];
  referrers: string[];
  /** The account's active subscription to the company now (from this visit or otherwise), or null. */
  subscription: SubscriptionView | null;
}

export interface VisitorQuery {
  accountId: string;
  siteId?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
  cursor?: string | undefined;
  limit: number;
}

function visitorView(row: VisitorRow, active: SubscriptionRow | undefined): VisitorView {
  return {
    company: { id: row.company_id, name: row.company_name, domain: row.company_domain },
    site_id: row.site_id,
    visits: row.visits,
    first_seen: toIso(row.first_seen),
    last_seen: toIso(row.last_seen),
    pages: JSON.parse(row.pages) as string[],
    referrers: JSON.parse(row.referrers) as string[],
    subscription: active ? subscriptionView(active) : null,
  };
}

/** The position a cursor of ours points after; null for anything else. */
function afterOf(cursor: string): { lastSeen: number; siteId: string; companyId: string } | null {
  const value = decodeCursor(cursor);
  const lastSeen = value?.['t'];
  const siteId = value?.['s'];
  const companyId = value?.['c'];
  if (typeof lastSeen !== 'number' || !Number.isSafeInteger(lastSeen)) return null;
  if (typeof siteId !== 'string' || !cursorIdPattern.test(siteId)) return null;
  if (typeof companyId !== 'string' || !cursorIdPattern.test(companyId)) return null;
  return { lastSeen, siteId, companyId };
}

export async function listVisitors(context: AppContext, query: VisitorQuery): Promise<Result<{ data: VisitorView[]; next_cursor: string | null }>> {
  const after = query.cursor === undefined ? undefined : afterOf(query.cursor);
  if (after === null) return fail('invalid_request', 'cursor is not valid', 'cursor');
  const rows = await listVisitorRows(context.store.db, {
    accountId: query.accountId,
    siteId: query.siteId,
    since: query.since,
    until: query.until,
    after,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const next = rows.length > query.limit && last ? encodeCursor({ t: last.last_seen, s: last.site_id, c: last.company_id }) : null;
  // One read for the page's companies, so a client needs no request per row to show access.
  const latest = await latestSubscriptions(context.store.db, query.accountId, 'company', [...new Set(page.map((row) => row.company_id))]);
  const now = context.clock.now();
  const activeOf = (companyId: string) => {
    const row = latest.get(companyId);
    return row && isActive(toSubscriptionState(row), now) ? row : undefined;
  };
  return { ok: true, data: page.map((row) => visitorView(row, activeOf(row.company_id))), next_cursor: next };
}
