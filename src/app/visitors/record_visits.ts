// Writing the page views the visit collector gathered (POST /collect): DESIGN.md rule 10.
//
// Setup → compute → execute, for a batch. Setup: each view's company from the in-memory
// IP-to-company index (the most specific range holding the client address), then the views'
// sites in one query. Views of no company or of an unknown site are dropped. Then, per account,
// under the account's lock, when its plan has `website_visitors`: each (site, company) aggregate
// moves by all its views at once (domain/visitors/visits.ts; one read and one upsert for all the
// account's pairs) and, for each company the account has no active subscription to (one read for
// all of them), one starts with source `web_visit` at no cost (decideRead → free_start, written
// by startSubscription with the transaction's other rows). The lock makes two flushes (two processes) start
// one subscription. The client address is used for the lookup only: it is never stored,
// returned or logged.
import { latestSubscriptions, toSubscriptionState } from '../../store/subscriptions.ts';
import { findSitesByIds, findSiteVisits, upsertSiteVisits, visitKey, type SiteRow, type SiteVisitRow } from '../../store/visitors.ts';
import type { IpCompanyIndex } from '../../domain/catalog/ip_index.ts';
import { planHasFeature } from '../../domain/plans/plans.ts';
import { decideRead } from '../../domain/subscriptions/subscriptions.ts';
import { addPageView, type PageView, type VisitAggregate } from '../../domain/visitors/visits.ts';
import type { AppContext } from '../context.ts';
import { inAccountTransaction, type AccountTransaction, type Origin } from '../credits/account_transaction.ts';
import { startSubscription } from '../records/start_subscription.ts';

/** A page view as the collector queued it: checked, not yet attributed to a company. */
export interface QueuedView extends PageView {
  siteId: string;
  /** The client address (from the connection, or X-Forwarded-For behind a trusted proxy); memory only. */
  address: string;
}

/** What a batch came to, for tests and logs (counts only: no address, site or company). */
export interface VisitCounts {
  recorded: number;
  unknownAddress: number;
  unknownSite: number;
  featureNotInPlan: number;
  /** Views of accounts whose transaction failed (logged). */
  failed: number;
}

/** A visit moves no credits; its subscriptions are written with this origin (ledger channel `visit`). */
const visitOrigin: Origin = { channel: 'visit', actor: { type: 'system', id: null } };

/** One company's views of one site. */
interface VisitGroup {
  site: SiteRow;
  companyId: string;
  views: PageView[];
}

export async function recordVisits(context: AppContext, index: IpCompanyIndex, queued: readonly QueuedView[]): Promise<VisitCounts> {
  const counts: VisitCounts = { recorded: 0, unknownAddress: 0, unknownSite: 0, featureNotInPlan: 0, failed: 0 };
  const attributed: Array<{ view: QueuedView; companyId: string }> = [];
  for (const view of queued) {
    const companyId = index.lookup(view.address);
    if (companyId === null) counts.unknownAddress += 1;
    else attributed.push({ view, companyId });
  }
  const sites = new Map((await findSitesByIds(context.store.readDb, [...new Set(attributed.map((item) => item.view.siteId))])).map((site) => [site.id, site]));
  // account → "site company" → group, in the order the views came.
  const byAccount = new Map<string, Map<string, VisitGroup>>();
  for (const { view, companyId } of attributed) {
    const site = sites.get(view.siteId);
    if (!site) {
      counts.unknownSite += 1;
      continue;
    }
    let groups = byAccount.get(site.account_id);
    if (!groups) byAccount.set(site.account_id, (groups = new Map()));
    const key = visitKey(site.id, companyId);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { site, companyId, views: [] }));
    group.views.push({ path: view.path, referrerHost: view.referrerHost, at: view.at });
  }
  for (const [accountId, groups] of byAccount) {
    const views = [...groups.values()].reduce((sum, group) => sum + group.views.length, 0);
    try {
      const outcome = await inAccountTransaction(context, accountId, async (transaction) => {
        if (!planHasFeature(transaction.plan, 'website_visitors')) return { ok: true, recorded: false };
        await applyVisits(transaction, accountId, [...groups.values()]);
        // Once per company, though it visited several sites: a subscription started in this
        // transaction is written when it ends, so a second look would start another.
        await subscribeOnVisits(transaction, accountId, [...new Set([...groups.values()].map((group) => group.companyId))]);
        return { ok: true, recorded: true };
      });
      // Not ok only when the site's account is gone (sites reference accounts, so never today).
      if (!outcome.ok) counts.unknownSite += views;
      else if (!outcome.value.recorded) counts.featureNotInPlan += views;
      else counts.recorded += views;
    } catch (error) {
      counts.failed += views;
      // Logged without the views: they hold nothing the operator needs, and the addresses must not leak.
      context.logger.error({ err: error, accountId, views }, 'recording visits failed');
    }
  }
  return counts;
}

/**
 * Moves each (site, company) aggregate of the account by its group's views: one read of the
 * stored rows and one upsert for the whole batch, whatever its size (a few statements of a few
 * hundred rows), so a busy minute costs the database a handful of statements, not three per pair.
 */
async function applyVisits(transaction: AccountTransaction, accountId: string, groups: readonly VisitGroup[]): Promise<void> {
  const { tx } = transaction;
  const stored = await findSiteVisits(
    tx,
    accountId,
    groups.map((group) => ({ siteId: group.site.id, companyId: group.companyId })),
  );
  const rows: SiteVisitRow[] = [];
  for (const { site, companyId, views } of groups) {
    const existing = stored.get(visitKey(site.id, companyId));
    let aggregate: VisitAggregate | null = existing
      ? {
          visits: existing.visits,
          firstSeen: existing.first_seen,
          lastSeen: existing.last_seen,
          pages: JSON.parse(existing.pages) as string[],
          referrers: JSON.parse(existing.referrers) as string[],
        }
      : null;
    for (const view of views) aggregate = addPageView(aggregate, view);
    if (!aggregate) continue;
    rows.push({
      account_id: accountId,
      site_id: site.id,
      company_id: companyId,
      visits: aggregate.visits,
      first_seen: aggregate.firstSeen,
      last_seen: aggregate.lastSeen,
      pages: JSON.stringify(aggregate.pages),
      referrers: JSON.stringify(aggregate.referrers),
    });
  }
  await upsertSiteVisits(tx, rows);
}

/** Starts a free `web_visit` subscription to each company the account has no active one to. */
async function subscribeOnVisits(transaction: AccountTransaction, accountId: string, companyIds: readonly string[]): Promise<void> {
  const { tx, now } = transaction;
  const latest = await latestSubscriptions(tx, accountId, 'company', companyIds);
  for (const companyId of companyIds) {
    const row = latest.get(companyId);
    const decision = decideRead({
      latest: row ? toSubscriptionState(row) : null,
      grants: transaction.grants,
      deliverable: true,
      source: 'web_visit',
      now,
    });
    if (decision.type !== 'free_start') continue;
    await startSubscription(transaction, { accountId, recordType: 'company', recordId: companyId, source: 'web_visit', origin: visitOrigin, decision });
  }
}
