// Website visitors (issue #5): the sites an account tracks, and visits aggregated per company
// and site. Frozen once landed.
//
// No raw IP address is stored anywhere: a visit keeps only the company it was attributed to.
// A visit row is an aggregate, one per (account, site, company): a count, the first and last
// time seen, and two bounded JSON lists of text (domain/visitors/visits.ts bounds them): the
// distinct page paths (no query string or fragment, which can hold personal data) and the
// distinct referring hosts. There is no foreign key to `companies`: a catalog import may replace
// companies, and a visit stays meaningful for the company id it named (as subscriptions do).
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and must not depend on today's schema types
type AnyDatabase = Kysely<any>;

export async function up(db: AnyDatabase): Promise<void> {
  await db.schema
    .createTable('sites')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sites_pk', ['account_id', 'id'])
    // POST /collect knows only the site id: it finds the site (and its account) by id alone.
    .addUniqueConstraint('sites_one_per_id', ['id'])
    .addUniqueConstraint('sites_one_per_domain', ['account_id', 'domain'])
    .addCheckConstraint('sites_id_prefixed', sql`substr(id, 1, 5) = 'site_' and length(id) <= 64`)
    // Stored as domain/visitors/sites.ts normalizes it: a lowercase host name, bounded.
    .addCheckConstraint('sites_domain_normalized', sql`domain = lower(trim(domain)) and length(domain) between 1 and 253`)
    .execute();

  await db.schema
    .createTable('site_visits')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('visits', 'integer', (c) => c.notNull().check(sql`visits >= 1`))
    .addColumn('first_seen', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addColumn('pages', 'text', (c) => c.notNull())
    .addColumn('referrers', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('site_visits_pk', ['account_id', 'site_id', 'company_id'])
    .addForeignKeyConstraint('site_visits_site', ['account_id', 'site_id'], 'sites', ['account_id', 'id'], (c) => c.onDelete('cascade'))
    .addCheckConstraint('site_visits_seen_in_order', sql`last_seen >= first_seen`)
    .addCheckConstraint('site_visits_pages_list', sql`pages like '[%]' and length(pages) <= 16384`)
    .addCheckConstraint('site_visits_referrers_list', sql`referrers like '[%]' and length(referrers) <= 8192`)
    .execute();
  // GET /v1/visitors: an account's visits, newest first.
  await db.schema.createIndex('site_visits_by_last_seen').on('site_visits').columns(['account_id', 'last_seen', 'site_id', 'company_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('the visitors migration cannot be reverted');
}
