// The first schema: credits, subscriptions, idempotency and the catalog. Frozen once landed:
// later changes are new migrations. Runs unchanged on SQLite and PostgreSQL.
//
// Every table that belongs to an account leads its key with account_id (DESIGN.md, "Beyond one
// database"), and every invariant the code relies on is a constraint here as well.
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and must not depend on today's schema types
type AnyDatabase = Kysely<any>;

export async function up(db: AnyDatabase): Promise<void> {
  await createCreditTables(db);
  await forbidLedgerEdits(db);
  await createCatalogTables(db);
}

/**
 * The ledger is append-only (STYLE.md rule 3): expiry, refund and correction are new entries.
 * Triggers refuse any UPDATE or DELETE of ledger entries and their allocations.
 */
async function forbidLedgerEdits(db: AnyDatabase): Promise<void> {
  const tables = ['ledger_entries', 'ledger_allocations'];
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create function quarry_refuse_ledger_edit() returns trigger language plpgsql as $$
      begin raise exception 'the ledger is append-only (% on %)', tg_op, tg_table_name; end $$`.execute(db);
    for (const table of tables) {
      await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
        for each row execute function quarry_refuse_ledger_edit()`.execute(db);
    }
    return;
  }
  for (const table of tables) {
    for (const operation of ['update', 'delete'] as const) {
      await sql`create trigger ${sql.id(`${table}_no_${operation}`)} before ${sql.raw(operation)} on ${sql.table(table)}
        begin select raise(abort, 'the ledger is append-only'); end`.execute(db);
    }
  }
}

async function createCreditTables(db: AnyDatabase): Promise<void> {
  await db.schema
    .createTable('plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('features', 'text', (c) => c.notNull())
    .addColumn('credits_per_period', 'integer', (c) => c.notNull().check(sql`credits_per_period >= 0`))
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period in ('month', 'year')`))
    .addColumn('rate_limit_per_second', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'text', (c) => c.notNull().references('plans.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('period_anchor', 'bigint', (c) => c.notNull())
    .addColumn('period_epoch', 'integer', (c) => c.notNull().check(sql`period_epoch >= 0`))
    .addColumn('period_index', 'integer', (c) => c.notNull().check(sql`period_index >= 0`))
    .addColumn('balance', 'bigint', (c) => c.notNull().check(sql`balance >= 0`))
    .addColumn('ledger_seq', 'integer', (c) => c.notNull().check(sql`ledger_seq >= 0`))
    .addColumn('next_event_at', 'bigint', (c) => c.notNull())
    // The time of the latest ledger entry: entries are never dated before it, even when this
    // process's clock lags the one that wrote it.
    .addColumn('ledger_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_prefix', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addPrimaryKeyConstraint('api_keys_pk', ['account_id', 'id'])
    .execute();

  await db.schema
    .createTable('credit_grants')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) =>
      c.notNull().check(sql`source in ('allowance', 'top_up', 'adjustment', 'refund')`),
    )
    .addColumn('credits', 'integer', (c) => c.notNull().check(sql`credits > 0`))
    .addColumn('remaining', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_seq', 'integer', (c) => c.notNull())
    .addColumn('period_epoch', 'integer')
    .addColumn('period_index', 'integer')
    .addColumn('bundle_id', 'text')
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('credit_grants_pk', ['account_id', 'id'])
    .addCheckConstraint('credit_grants_remaining_bounds', sql`remaining >= 0 and remaining <= credits`)
    .addCheckConstraint('credit_grants_expiry_after_creation', sql`expires_at > created_at`)
    .addCheckConstraint(
      'credit_grants_allowance_has_period',
      sql`(source = 'allowance') = (period_index is not null and period_epoch is not null)`,
    )
    // One allowance per billing period: a period can never be granted twice.
    .addUniqueConstraint('credit_grants_one_allowance_per_period', ['account_id', 'period_epoch', 'period_index'])
    .addUniqueConstraint('credit_grants_one_per_entry', ['account_id', 'created_seq'])
    .execute();

  await db.schema
    .createIndex('credit_grants_burn_down')
    .on('credit_grants')
    .columns(['account_id', 'expires_at'])
    .where(sql.ref('remaining'), '>', 0)
    .execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('seq', 'integer', (c) => c.notNull().check(sql`seq > 0`))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('credits', 'integer', (c) => c.notNull())
    .addColumn('balance_after', 'bigint', (c) => c.notNull().check(sql`balance_after >= 0`))
    .addColumn('grant_id', 'text')
    .addColumn('record_type', 'text', (c) => c.check(sql`record_type in ('company', 'contact')`))
    .addColumn('record_id', 'text')
    .addColumn('subscription_id', 'text')
    .addColumn('channel', 'text', (c) =>
      c.notNull().check(sql`channel in ('api', 'web', 'visit', 'operator', 'system')`),
    )
    .addColumn('actor_type', 'text', (c) =>
      c.notNull().check(sql`actor_type in ('api_key', 'user', 'operator', 'system')`),
    )
    .addColumn('actor_id', 'text')
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('ledger_entries_pk', ['account_id', 'seq'])
    // The sign of each kind: grants and refunds add, charges and expiries take, adjustments either.
    .addCheckConstraint(
      'ledger_entries_kind_sign',
      sql`(kind = 'grant' and credits > 0) or (kind = 'refund' and credits > 0)
        or (kind = 'charge' and credits < 0) or (kind = 'expire' and credits < 0)
        or (kind = 'adjust' and credits <> 0)`,
    )
    .execute();

  await db.schema
    .createIndex('ledger_entries_by_time')
    .on('ledger_entries')
    .columns(['account_id', 'at'])
    .execute();

  await db.schema
    .createTable('ledger_allocations')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('entry_seq', 'integer', (c) => c.notNull())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('credits', 'integer', (c) => c.notNull().check(sql`credits <> 0`))
    .addPrimaryKeyConstraint('ledger_allocations_pk', ['account_id', 'entry_seq', 'grant_id'])
    .addForeignKeyConstraint('ledger_allocations_entry', ['account_id', 'entry_seq'], 'ledger_entries', [
      'account_id',
      'seq',
    ])
    .addForeignKeyConstraint('ledger_allocations_grant', ['account_id', 'grant_id'], 'credit_grants', [
      'account_id',
      'id',
    ])
    .execute();

  await db.schema
    .createIndex('ledger_allocations_by_grant')
    .on('ledger_allocations')
    .columns(['account_id', 'grant_id'])
    .execute();

  await db.schema
    .createTable('subscriptions')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('record_type', 'text', (c) => c.notNull().check(sql`record_type in ('company', 'contact')`))
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull().check(sql`generation > 0`))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('credit', 'web_visit', 'grant')`))
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addColumn('charge_seq', 'integer')
    .addColumn('refund_seq', 'integer')
    .addPrimaryKeyConstraint('subscriptions_pk', ['account_id', 'id'])
    // Two writers that both saw "no active subscription" would pick the same generation:
    // this key lets only one of them in, so a record is never subscribed (or charged) twice.
    .addUniqueConstraint('subscriptions_one_per_generation', ['account_id', 'record_type', 'record_id', 'generation'])
    .addUniqueConstraint('subscriptions_one_per_charge', ['account_id', 'charge_seq'])
    .addUniqueConstraint('subscriptions_one_per_refund', ['account_id', 'refund_seq'])
    .addCheckConstraint('subscriptions_expiry_after_start', sql`expires_at > started_at`)
    .addCheckConstraint('subscriptions_paid_iff_credit', sql`(source = 'credit') = (charge_seq is not null)`)
    .addCheckConstraint('subscriptions_refund_ends', sql`(refund_seq is null) or (ended_at is not null)`)
    .execute();

  await db.schema
    .createIndex('subscriptions_by_expiry')
    .on('subscriptions')
    .columns(['account_id', 'expires_at'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('response_body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'scope', 'key'])
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

async function createCatalogTables(db: AnyDatabase): Promise<void> {
  await db.schema
    .createTable('companies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('domain', 'text')
    .addColumn('industry', 'text')
    .addColumn('employees', 'integer', (c) => c.check(sql`employees >= 0`))
    .addColumn('revenue_usd', 'bigint', (c) => c.check(sql`revenue_usd >= 0`))
    .addColumn('country', 'text')
    .addColumn('city', 'text')
    .addColumn('founded', 'integer')
    .addColumn('description', 'text')
    .addColumn('technologies', 'text', (c) => c.notNull())
    .addColumn('ip_ranges', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createIndex('companies_by_domain').on('companies').column('domain').execute();
  await db.schema.createIndex('companies_by_country').on('companies').column('country').execute();

  await db.schema
    .createTable('company_technologies')
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('technology', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('company_technologies_pk', ['company_id', 'technology'])
    .execute();
  await db.schema
    .createIndex('company_technologies_by_technology')
    .on('company_technologies')
    .columns(['technology', 'company_id'])
    .execute();

  await db.schema
    .createTable('company_ip_ranges')
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('cidr', 'text', (c) => c.notNull())
    .addColumn('family', 'integer', (c) => c.notNull().check(sql`family in (4, 6)`))
    .addColumn('first_address', 'text', (c) => c.notNull())
    .addColumn('last_address', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('company_ip_ranges_pk', ['company_id', 'cidr'])
    .addCheckConstraint('company_ip_ranges_ordered', sql`first_address <= last_address`)
    .execute();
  await db.schema
    .createIndex('company_ip_ranges_by_start')
    .on('company_ip_ranges')
    .columns(['family', 'first_address'])
    .execute();

  await db.schema
    .createTable('company_signals')
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('company_signals_pk', ['company_id', 'position'])
    .execute();

  await db.schema
    .createTable('company_financials')
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('revenue_usd', 'bigint')
    .addColumn('employees', 'integer')
    .addPrimaryKeyConstraint('company_financials_pk', ['company_id', 'year'])
    .execute();

  await db.schema
    .createTable('company_news')
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('source', 'text')
    .addColumn('published_at', 'bigint')
    .addColumn('summary', 'text')
    .addPrimaryKeyConstraint('company_news_pk', ['company_id', 'position'])
    .execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('title', 'text')
    .addColumn('seniority', 'text')
    .addColumn('department', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('linkedin_url', 'text')
    .addColumn('country', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contacts_by_company').on('contacts').column('company_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('the initial migration cannot be reverted');
}
