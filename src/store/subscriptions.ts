// Record subscriptions.
import { sql, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { Database, RecordType, SubscriptionsTable } from './schema.ts';
import type { SubscriptionState } from '../domain/subscriptions/subscriptions.ts';
import { chunks } from '../lib/chunks.ts';
import { isPostgres } from './search_documents.ts';

export type SubscriptionRow = Selectable<SubscriptionsTable>;

/** The latest subscription of an account to a record (the highest generation), if any. */
export async function latestSubscription(
  db: Kysely<Database>,
  accountId: string,
  recordType: RecordType,
  recordId: string,
): Promise<SubscriptionRow | undefined> {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('record_type', '=', recordType)
    .where('record_id', '=', recordId)
    .orderBy('generation', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Record ids per statement: a flush of visits may ask for thousands of companies. */
const recordIdsPerStatement = 1_000;

/** The latest subscription of an account to each of `recordIds` that has one. */
export async function latestSubscriptions(
  db: Kysely<Database>,
  accountId: string,
  recordType: RecordType,
  recordIds: readonly string[],
): Promise<Map<string, SubscriptionRow>> {
  const latest = new Map<string, SubscriptionRow>();
  if (recordIds.length === 0) return latest;
  const postgres = isPostgres(db);
  for (const ids of chunks(recordIds, recordIdsPerStatement)) {
    const rows = await db
      .selectFrom('subscriptions')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('record_type', '=', recordType)
      // PostgreSQL: one array parameter, so one statement text (prepared once per connection,
      // store/postgres.ts) for any number of ids; a list would be a new text per length.
      .where((eb) => (postgres ? sql<SqlBool>`record_id = any(${ids}::text[])` : eb('record_id', 'in', ids)))
      .execute();
    for (const row of rows) {
      const current = latest.get(row.record_id);
      if (!current || row.generation > current.generation) latest.set(row.record_id, row);
    }
  }
  return latest;
}

export function toSubscriptionState(row: SubscriptionRow): SubscriptionState {
  return {
    id: row.id,
    recordType: row.record_type,
    recordId: row.record_id,
    generation: row.generation,
    source: row.source,
    startedAt: row.started_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
  };
}

export async function findSubscription(
  db: Kysely<Database>,
  accountId: string,
  subscriptionId: string,
): Promise<SubscriptionRow | undefined> {
  return db
    .selectFrom('subscriptions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', subscriptionId)
    .executeTakeFirst();
}

export interface SubscriptionFilter {
  accountId: string;
  recordType?: RecordType | undefined;
  /** true: active at `now`; false: not active at `now`; undefined: all. */
  active?: boolean | undefined;
  expiringBefore?: number | undefined;
  now: number;
  /** Cursor: subscriptions whose id sorts after this one. */
  afterId?: string | undefined;
  limit: number;
}

export async function listSubscriptions(db: Kysely<Database>, filter: SubscriptionFilter): Promise<SubscriptionRow[]> {
  let query = db
    .selectFrom('subscriptions')
    .selectAll()
    .where('account_id', '=', filter.accountId)
    .orderBy('id')
    .limit(filter.limit);
  if (filter.recordType) query = query.where('record_type', '=', filter.recordType);
  if (filter.afterId) query = query.where('id', '>', filter.afterId);
  if (filter.expiringBefore !== undefined) query = query.where('expires_at', '<', filter.expiringBefore);
  const now = filter.now;
  if (filter.active === true) {
    query = query.where('ended_at', 'is', null).where('expires_at', '>', now);
  } else if (filter.active === false) {
    query = query.where((eb) =>
      eb.or([eb('ended_at', 'is not', null), eb('expires_at', '<=', now)]),
    );
  }
  return query.execute();
}

/** Ends a subscription early (a refund). Returns false if it was already ended. */
export async function endSubscription(
  db: Kysely<Database>,
  accountId: string,
  subscriptionId: string,
  endedAt: number,
  refundSeq: number,
): Promise<boolean> {
  const result = await db
    .updateTable('subscriptions')
    .set({ ended_at: endedAt, refund_seq: refundSeq })
    .where('account_id', '=', accountId)
    .where('id', '=', subscriptionId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
