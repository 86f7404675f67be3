// Planner statistics. After a bulk load the query planners know nothing of the new rows: SQLite
// never gathers statistics by itself, and PostgreSQL's autovacuum gets to it only later. Search
// plans at a million companies depend on them (which index, and in which order), so catalog
// loads refresh them at the end.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { isPostgres } from './search_documents.ts';
import { refreshSearchStatistics } from './search_statistics.ts';

/** SQLite samples about this many rows per index: seconds at a million companies, not minutes. */
const sqliteAnalysisRowsPerIndex = 1_000;

/** Refreshes the planner's statistics, then the search statistics (which read the planner's row estimates on PostgreSQL). */
export async function refreshStatistics(db: Kysely<Database>): Promise<void> {
  if (isPostgres(db)) {
    await sql`analyze`.execute(db);
  } else {
    await sql.raw(`pragma analysis_limit = ${sqliteAnalysisRowsPerIndex}`).execute(db);
    await sql`analyze`.execute(db);
  }
  await refreshSearchStatistics(db);
}
