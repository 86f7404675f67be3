// Sites and their aggregated visits (migration 0005).
import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { CompanyIpRangesTable, Database, SitesTable, SiteVisitsTable } from './schema.ts';
import { chunks } from '../lib/chunks.ts';
import { isPostgres } from './search_documents.ts';

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

/** True when any account tracks a site: before that, no page view can be recorded. */
export async function anySiteTracked(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('sites').select('id').limit(1).executeTakeFirst()) !== undefined;
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
  // A row comparison, which both engines answer as a range of the primary key's index. The
  // same condition written with OR is a filter instead: PostgreSQL walked the index from the
  // first range for every page, a quadratic read of the whole table (seconds of a backend's CPU
  // at a million companies, while the server started and answered searches).
  if (after) query = query.where((eb) => eb(eb.refTuple('company_id', 'cidr'), '>', eb.tuple(after.company_id, after.cidr)));
  return query.execute();
}

/** Pairs per statement: two bound parameters each, far below both databases' limits. */
const visitPairsPerStatement = 500;
/** Rows per upsert: eight bound parameters each. */
const visitRowsPerStatement = 200;

/** The account's stored visits of each (site, company) pair that has one, by `visitKey`. */
export async function findSiteVisits(
  db: Kysely<Database>,
  accountId: string,
  pairs: ReadonlyArray<{ siteId: string; companyId: string }>,
): Promise<Map<string, SiteVisitRow>> {
  const found = new Map<string, SiteVisitRow>();
  const postgres = isPostgres(db);
  for (const slice of chunks(pairs, visitPairsPerStatement)) {
    const rows = await db
      .selectFrom('site_visits')
      .selectAll()
      .where('account_id', '=', accountId)
      .where((eb) =>
        postgres
          ? // Two array parameters: one statement text for any number of pairs, prepared once
            // per connection (store/postgres.ts), where a list of tuples is a new text per length.
            sql<SqlBool>`(site_id, company_id) in (select * from unnest(${slice.map((pair) => pair.siteId)}::text[], ${slice.map((pair) => pair.companyId)}::text[]))`
          : eb(eb.refTuple('site_id', 'company_id'), 'in', slice.map((pair) => eb.tuple(pair.siteId, pair.companyId))),
      )
      .execute();
    for (const row of rows) found.set(visitKey(row.site_id, row.company_id), row);
  }
  return found;
}

/** The key of a (site, company) pair in `findSiteVisits`' answer. */
export function visitKey(siteId: string, companyId: string): string {
  return `${siteId} ${companyId}`;
}

/**
 * Writes aggregates computed from the rows `findSiteVisits` read in the same transaction, new
 * or not, a few hundred a statement. Callers hold the account's lock
 * (app/visitors/record_visits.ts), so no other writer moves a row in between.
 */
export async function upsertSiteVisits(db: Kysely<Database>, rows: readonly SiteVisitRow[]): Promise<void> {
  const postgres = isPostgres(db);
  for (const slice of chunks(rows, visitRowsPerStatement)) {
    const insert = db.insertInto('site_visits');
    await (postgres ? insert.columns(siteVisitColumns).expression(unnestSiteVisits(slice)) : insert.values(slice))
      .onConflict((conflict) =>
        conflict.columns(['account_id', 'site_id', 'company_id']).doUpdateSet((eb) => ({
          visits: eb.ref('excluded.visits'),
          first_seen: eb.ref('excluded.first_seen'),
          last_seen: eb.ref('excluded.last_seen'),
          pages: eb.ref('excluded.pages'),
          referrers: eb.ref('excluded.referrers'),
        })),
      )
      .execute();
  }
}

const siteVisitColumns = ['account_id', 'site_id', 'company_id', 'visits', 'first_seen', 'last_seen', 'pages', 'referrers'] as const;

/** PostgreSQL: the rows as one array per column, so the upsert is one statement text for any row count. */
function unnestSiteVisits(rows: readonly SiteVisitRow[]): RawBuilder<SiteVisitRow> {
  const column = <K extends (typeof siteVisitColumns)[number]>(key: K) => rows.map((row) => row[key]);
  return sql<SiteVisitRow>`select * from unnest(${column('account_id')}::text[], ${column('site_id')}::text[],
    ${column('company_id')}::text[], ${column('visits')}::integer[], ${column('first_seen')}::bigint[],
    ${column('last_seen')}::bigint[], ${column('pages')}::text[], ${column('referrers')}::text[])`;
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
