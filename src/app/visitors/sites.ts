// Sites: create one (at most once per Idempotency-Key; a domain the account already tracks
// answers with its existing site) and list them. Free; the route checks `website_visitors`.
import type { IdempotencyClaim } from '../../store/idempotency.ts';
import { insertSiteOnce, listSites as listSiteRows, type SiteRow } from '../../store/visitors.ts';
import { normalizeDomain } from '../../domain/visitors/sites.ts';
import { afterIdOf, encodeCursor } from '../../lib/cursor.ts';
import { newId } from '../../lib/ids.ts';
import { toIso } from '../../lib/clock.ts';
import { fail, type Result } from '../../lib/result.ts';
import type { AppContext } from '../context.ts';
import { createOnce } from '../idempotency/create_once.ts';

/** A site as stored; the route adds the snippet, which depends on the address the server is reached at. */
export interface SiteView {
  id: string;
  domain: string;
  created_at: string;
}

function siteView(row: SiteRow): SiteView {
  return { id: row.id, domain: row.domain, created_at: toIso(row.created_at) };
}

export async function createSite(
  context: AppContext,
  input: { accountId: string; domain: string; idempotency: IdempotencyClaim | undefined },
): Promise<Result<{ site: SiteView; created: boolean; replayed: boolean }>> {
  const domain = normalizeDomain(input.domain);
  if (!domain) return fail('invalid_request', 'domain: not a host name (example.com) or a URL with one', 'domain');
  return createOnce(context, {
    claim: input.idempotency,
    work: async (tx) => {
      const row: SiteRow = { account_id: input.accountId, id: newId('site'), domain, created_at: context.clock.now() };
      const { site, created } = await insertSiteOnce(tx, row);
      return { ok: true, site: siteView(site), created };
    },
  });
}

export async function listSites(
  context: AppContext,
  query: { accountId: string; cursor?: string | undefined; limit: number },
): Promise<Result<{ data: SiteView[]; next_cursor: string | null }>> {
  const afterId = afterIdOf(query.cursor);
  if (afterId === null) return fail('invalid_request', 'cursor is not valid', 'cursor');
  const rows = await listSiteRows(context.store.db, { accountId: query.accountId, afterId, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    ok: true,
    data: page.map(siteView),
    next_cursor: rows.length > query.limit && last ? encodeCursor({ after: last.id }) : null,
  };
}
