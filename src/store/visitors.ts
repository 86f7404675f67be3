// Sites and their aggregated visits (migration 0005).
import type { Kysely, Selectable } from 'kysely';
import type { CompanyIpRangesTable, Database, SitesTable, SiteVisitsTable } from './schema.ts';

export type SiteRow = Selectable<SitesTable>;
export type SiteVisitRow = Selectable<SiteVisitsTable>;

/** Inserts the site unless the account already tracks its domain; returns the stored site either way. */
export async function insertSiteOnce(db: Kysely<Database>, site: SiteRow): Promise<{ site: SiteRow; created: boolean }> {
  const inserted = await db
    .insertInto('sites')
    .values(site)
    .onConflict((conflict) => conflict.columns(['account_id', 'domain']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { site: inserted, created: true };
  const existing = await db
    .selectFrom('sites')
    .selectAll()
    .where('account_id', '=', site.account_id)
    .where('domain', '=', site.domain)
    .executeTakeFirstOrThrow();
  return { site: existing, created: false };
}

export async function listSites(db: Kysely<Database>, filter: { accountId: string; afterId?: string | undefined; limit: number }): Promise<SiteRow[]> {
  let query = db.selectFrom('sites').selectAll().where('account_id', '=', filter.accountId).orderBy('id').limit(filter.limit);
  if (filter.afterId) query = query.where('id', '>', filter.afterId);
  return query.execute();
}

/** Sites by their ids alone: POST /collect knows nothing else. Unknown ids are left out. */
export async function findSitesByIds(db: Kysely<Database>, siteIds: readonly string[]): Promise<SiteRow[]> {
  if (siteIds.length === 0) return [];
  return db.selectFrom('sites').selectAll().where('id', 'in', [...siteIds]).execute();
}

/** Where a page of IP ranges ends: the key of its last range. */
export interface IpRangeKey {
  company_id: string;
  cidr: string;
}

/**
 * One page of the catalog's IP ranges in key order, after `after`: the IP-to-company index
 * (app/visitors/company_address_index.ts) reads them all page by page, so neither database
 * holds a million rows in one answer.
 */
export async function readIpRangePage(
  db: Kysely<Database>,
  page: { after: IpRangeKey | null; limit: number },
): Promise<Array<Selectable<CompanyIpRangesTable>>> {
  let query = db
    .selectFrom('company_ip_ranges')
    .select(['company_id', 'cidr', 'family', 'first_address', 'last_address'])
    .orderBy('company_id')
    .orderBy('cidr')
    .limit(page.limit);
  const after = page.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('company_id', '>', after.company_id), eb.and([eb('company_id', '=', after.company_id), eb('cidr', '>', after.cidr)])]),
    );
  }
  return query.execute();
}

export async function findSiteVisit(db: Kysely<Database>, key: { accountId: string; siteId: string; companyId: string }): Promise<SiteVisitRow | undefined> {
  return db
    .selectFrom('site_visits')
    .selectAll()
    .where('account_id', '=', key.accountId)
    .where('site_id', '=', key.siteId)
    .where('company_id', '=', key.companyId)
    .executeTakeFirst();
}

/**
 * Writes the aggregate computed from the row read in the same transaction. Callers hold the
 * account's lock (app/visitors/record_visits.ts), so no other writer moves the row in between.
 */
export async function saveSiteVisit(db: Kysely<Database>, row: SiteVisitRow, exists: boolean): Promise<void> {
  if (!exists) {
    await db.insertInto('site_visits').values(row).execute();
    return;
  }
  await db
    .updateTable('site_visits')
    .set({ visits: row.visits, first_seen: row.first_seen, last_seen: row.last_seen, pages: row.pages, referrers: row.referrers })
    .where('account_id', '=', row.account_id)
    .where('site_id', '=', row.site_id)
    .where('company_id', '=', row.company_id)
    .execute();
}

export interface VisitorFilter {
  accountId: string;
  siteId?: string | undefined;
  /** last_seen at or after. */
  since?: number | undefined;
  /** last_seen before. */
  until?: number | undefined;
  /** Keyset cursor: rows after this one in (last_seen desc, site_id, company_id) order. */
  after?: { lastSeen: number; siteId: string; companyId: string } | undefined;
  limit: number;
}

export type VisitorRow = SiteVisitRow & { company_name: string | null; company_domain: string | null };

/** An account's visiting companies, newest first, with each company's name and domain when the catalog still has it. */
export async function listVisitors(db: Kysely<Database>, filter: VisitorFilter): Promise<VisitorRow[]> {
  let query = db
    .selectFrom('site_visits')
    .leftJoin('companies', 'companies.id', 'site_visits.company_id')
    .selectAll('site_visits')
    .select(['companies.name as company_name', 'companies.domain as company_domain'])
    .where('site_visits.account_id', '=', filter.accountId)
    .orderBy('site_visits.last_seen', 'desc')
    .orderBy('site_visits.site_id')
    .orderBy('site_visits.company_id')
    .limit(filter.limit);
  if (filter.siteId) query = query.where('site_visits.site_id', '=', filter.siteId);
  if (filter.since !== undefined) query = query.where('site_visits.last_seen', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('site_visits.last_seen', '<', filter.until);
  const after = filter.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('site_visits.last_seen', '<', after.lastSeen),
        eb.and([
          eb('site_visits.last_seen', '=', after.lastSeen),
          eb.or([
            eb('site_visits.site_id', '>', after.siteId),
            eb.and([eb('site_visits.site_id', '=', after.siteId), eb('site_visits.company_id', '>', after.companyId)]),
          ]),
        ]),
      ]),
    );
  }
  return query.execute();
}
