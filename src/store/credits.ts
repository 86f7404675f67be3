// Grants, ledger entries and their allocations.
import type { Kysely, Selectable } from 'kysely';
import type { CreditGrantsTable, Database, LedgerEntriesTable, LedgerKind } from './schema.ts';
import type { GrantState } from '../domain/credits/grants.ts';

export type GrantRow = Selectable<CreditGrantsTable>;
export type LedgerEntryRow = Selectable<LedgerEntriesTable>;

/** Grants that still hold credits (expired or not: expiry is written by the rollover). */
export async function openGrants(db: Kysely<Database>, accountId: string): Promise<GrantRow[]> {
  return db
    .selectFrom('credit_grants')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('remaining', '>', 0)
    .execute();
}

export function toGrantState(row: GrantRow): GrantState {
  return {
    id: row.id,
    source: row.source,
    remaining: row.remaining,
    expiresAt: row.expires_at,
    createdSeq: row.created_seq,
  };
}

export async function findGrant(db: Kysely<Database>, accountId: string, grantId: string): Promise<GrantRow | undefined> {
  return db
    .selectFrom('credit_grants')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', grantId)
    .executeTakeFirst();
}

export interface LedgerFilter {
  accountId: string;
  kind?: LedgerKind | undefined;
  since?: number | undefined;
  until?: number | undefined;
  /** Entries with a sequence number below this one (the cursor: newest first). */
  beforeSeq?: number | undefined;
  limit: number;
}

export async function listLedgerEntries(db: Kysely<Database>, filter: LedgerFilter): Promise<LedgerEntryRow[]> {
  let query = db
    .selectFrom('ledger_entries')
    .selectAll()
    .where('account_id', '=', filter.accountId)
    .orderBy('seq', 'desc')
    .limit(filter.limit);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('at', '<', filter.until);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
  return query.execute();
}
