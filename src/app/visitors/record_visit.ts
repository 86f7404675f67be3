// Recording a page view sent by the tracking script (POST /collect): DESIGN.md rule 10.
//
// Setup → compute → execute. Setup: the site, then the company whose most specific range holds
// the client address (read-only, outside any transaction). A bot, an unknown site, an address no
// company owns: nothing is written. Then, under the site's account lock, when the account's plan
// has `website_visitors`: the visit aggregate moves (domain/visitors/visits.ts) and, when the
// account has no active subscription to the company, one starts with source `web_visit` at no
// cost (decideRead → free_start, written by startSubscription). The lock makes two simultaneous
// visits start one subscription. The client address is used for the lookup only: it is never
// stored, returned or logged.
import { companyByAddress } from '../../store/catalog_search.ts';
import { latestSubscription, toSubscriptionState } from '../../store/subscriptions.ts';
import { findSiteById, findSiteVisit, saveSiteVisit, type SiteRow } from '../../store/visitors.ts';
import { networksOf, parseAddress } from '../../domain/catalog/ip_ranges.ts';
import { planHasFeature } from '../../domain/plans/plans.ts';
import { decideRead } from '../../domain/subscriptions/subscriptions.ts';
import { isBotUserAgent } from '../../domain/visitors/bots.ts';
import { addPageView, pageOf, referrerHostOf, type PageView, type VisitAggregate } from '../../domain/visitors/visits.ts';
import type { AppContext } from '../context.ts';
import { inAccountTransaction, type AccountTransaction, type Origin } from '../credits/account_transaction.ts';
import { startSubscription } from '../records/start_subscription.ts';

export interface VisitInput {
  siteId: string;
  url: string;
  referrer?: string | undefined;
  /** The client address (from the connection, or X-Forwarded-For behind a trusted proxy). */
  address: string;
  userAgent: string | undefined;
}

/** Why a visit recorded nothing, or that it did; for tests and counters, never shown to the browser. */
export type VisitOutcome =
  | 'recorded'
  | 'bot'
  | 'bad_url'
  | 'unknown_site'
  | 'unknown_address'
  | 'feature_not_in_plan';

/** A visit moves no credits; its subscriptions are written with this origin (ledger channel `visit`). */
const visitOrigin: Origin = { channel: 'visit', actor: { type: 'system', id: null } };

export async function recordVisit(context: AppContext, input: VisitInput): Promise<VisitOutcome> {
  if (isBotUserAgent(input.userAgent)) return 'bot';
  const page = pageOf(input.url);
  if (!page) return 'bad_url';
  const site = await findSiteById(context.store.readDb, input.siteId);
  if (!site) return 'unknown_site';
  const address = parseAddress(input.address);
  if (!address) return 'unknown_address';
  const company = await companyByAddress(context.store.readDb, address, networksOf(address));
  if (!company) return 'unknown_address';
  const view: PageView = { path: page.path, referrerHost: referrerHostOf(input.referrer, page.host), at: 0 };
  const outcome = await inAccountTransaction(context, site.account_id, async (transaction) => {
    if (!planHasFeature(transaction.plan, 'website_visitors')) return { ok: true, recorded: false };
    await applyVisit(transaction, site, company.id, { ...view, at: transaction.now });
    return { ok: true, recorded: true };
  });
  // Not ok only when the site's account is gone (sites reference accounts, so never today).
  if (!outcome.ok) return 'unknown_site';
  if (!outcome.value.recorded) return 'feature_not_in_plan';
  return 'recorded';
}

async function applyVisit(transaction: AccountTransaction, site: SiteRow, companyId: string, view: PageView): Promise<void> {
  const { tx, now } = transaction;
  const key = { accountId: site.account_id, siteId: site.id, companyId };
  const existing = await findSiteVisit(tx, key);
  const current: VisitAggregate | null = existing
    ? {
        visits: existing.visits,
        firstSeen: existing.first_seen,
        lastSeen: existing.last_seen,
        pages: JSON.parse(existing.pages) as string[],
        referrers: JSON.parse(existing.referrers) as string[],
      }
    : null;
  const next = addPageView(current, view);
  await saveSiteVisit(
    tx,
    {
      account_id: site.account_id,
      site_id: site.id,
      company_id: companyId,
      visits: next.visits,
      first_seen: next.firstSeen,
      last_seen: next.lastSeen,
      pages: JSON.stringify(next.pages),
      referrers: JSON.stringify(next.referrers),
    },
    existing !== undefined,
  );
  const latest = await latestSubscription(tx, site.account_id, 'company', companyId);
  const decision = decideRead({
    latest: latest ? toSubscriptionState(latest) : null,
    grants: transaction.grants,
    deliverable: true,
    source: 'web_visit',
    now,
  });
  if (decision.type !== 'free_start') return;
  await startSubscription(transaction, { accountId: site.account_id, recordType: 'company', recordId: companyId, source: 'web_visit', origin: visitOrigin, decision });
}
