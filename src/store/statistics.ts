// Planner statistics. After a bulk load the query planners know nothing of the new rows: SQLite
// never gathers statistics by itself, and PostgreSQL's autovacuum gets to it only later. Search
// plans at a million companies depend on them (which index, and in which order), so catalog
// loads refresh them at the end.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { isPostgres } from './search_documents.ts';
import { refreshSearchStatistics, type SampledTable } from './search_statistics.ts';
import { companyTables, contactTables, eachOnSessions, existingCatalogTables, type CatalogTable } from './catalog_bulk_load.ts';
import type { Store } from './database.ts';

/**
 * PostgreSQL: ANALYZE of the catalog's tables, a table a transaction, `sessions` at once (after
 * a seed of a million companies, 6 s on one session); then refreshStatistics(…, {analyzed: true}).
 */
export async function analyzeOnSessions(store: Store, sessions: number): Promise<void> {
  if (store.dialect !== 'postgres') return;
  const existing = await existingCatalogTables(store.db, catalogTables);
  await eachOnSessions(existing, sessions, async (table) => {
    await sql`analyze ${sql.table(table)}`.execute(store.db);
  });
}

/** SQLite samples about this many rows per index: seconds at a million companies, not minutes. */
const sqliteAnalysisRowsPerIndex = 1_000;

const catalogTables: readonly CatalogTable[] = [...companyTables, ...contactTables];

/**
 * Refreshes the planner's statistics of `tables` (the catalog's tables by default; an import
 * names those it wrote), then the search statistics drawn from them (which read the planner's
 * row estimates on PostgreSQL). A table the database does not have (yet) is skipped.
 */
export async function refreshStatistics(
  db: Kysely<Database>,
  tables: readonly CatalogTable[] = catalogTables,
  options: { analyzed?: boolean } = {},
): Promise<void> {
  const existing = await existingCatalogTables(db, tables);
  if (isPostgres(db)) {
    if (!options.analyzed) await sql`analyze ${sql.join(existing.map((table) => sql.table(table)))}`.execute(db);
  } else {
    await sql.raw(`pragma analysis_limit = ${sqliteAnalysisRowsPerIndex}`).execute(db);
    for (const table of existing) await sql`analyze ${sql.table(table)}`.execute(db);
  }
  const sampled = (['companies', 'contacts', 'company_news'] as const).filter((table) => existing.includes(table));
  await refreshSearchStatistics(db, { tables: sampled satisfies readonly SampledTable[] });
}

