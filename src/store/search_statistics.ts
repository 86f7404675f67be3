// Search statistics (migration 0004): a sample of the catalog's words per searched scope, from
// which a search estimates how many records its words match (domain/search/word_statistics.ts)
// instead of counting them, which for a common prefix costs tens of milliseconds at a million
// records. Refreshed at the end of every catalog load (store/statistics.ts); read by searches
// through a per-process cache that checks for a newer refresh every few seconds.
//
// The sample is read from the records' own columns and cut into words by the same function as
// the search documents, so both engines see the same words. Estimates only decide how a search
// joins its words in, never which records it returns.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Store } from './database.ts';
import { isPostgres } from './search_documents.ts';
import {
  sampleWordCounts,
  scopeStatistics,
  ScopeEstimator,
  type ScopeStatistics,
  type SearchScope,
} from '../domain/search/word_statistics.ts';
import { wallNow } from '../lib/clock.ts';
import { chunks } from '../lib/chunks.ts';

/** Records sampled per table: a word held by 0.1% of a million companies shows in about 20. */
export const sampledRecordsMax = 20_000;
/** A process re-reads the statistics at most this often (and only when a refresh happened). */
const statisticsCheckIntervalMs = 5_000;
/** Rows inserted by one statement. */
const wordRowsPerInsert = 500;
/** Sampled rowids read by one statement (SQLite). */
const sampledRowidsPerSelect = 5_000;

export type SampledTable = 'companies' | 'contacts' | 'company_news';
const allSampledTables: readonly SampledTable[] = ['companies', 'contacts', 'company_news'];

/** What each scope samples: the table and the text columns that make its documents. */
const scopeSources: Record<SearchScope, { table: SampledTable; columns: readonly string[] }> = {
  company_name_domain: { table: 'companies', columns: ['name', 'domain'] },
  company_name_description: { table: 'companies', columns: ['name', 'description'] },
  company_all: { table: 'companies', columns: ['name', 'domain', 'description'] },
  company_country: { table: 'companies', columns: ['country'] },
  contact_title: { table: 'contacts', columns: ['title'] },
  news_text: { table: 'company_news', columns: ['title', 'summary'] },
};

const sampledColumns: Record<SampledTable, readonly string[]> = {
  companies: ['name', 'domain', 'description', 'country'],
  contacts: ['title'],
  company_news: ['title', 'summary'],
};

interface TableSample {
  /** Rows in the whole table. */
  rows: number;
  /** The sampled rows' text columns, by column name. */
  sampled: Array<Record<string, string | null>>;
}

/**
 * Samples the catalog and replaces the statistics of the scopes drawn from `tables` (all of them
 * by default: an import of contacts leaves the companies' scopes as they are), inside the
 * caller's transaction `tx`. Tests sample fewer records with `sampledRecords`.
 */
export async function refreshSearchStatistics(
  tx: Kysely<Database>,
  options: { sampledRecords?: number; tables?: readonly SampledTable[] } = {},
): Promise<void> {
  const tables = options.tables ?? allSampledTables;
  const samples = new Map<SampledTable, TableSample>();
  for (const table of tables) samples.set(table, await sampleTable(tx, table, options.sampledRecords ?? sampledRecordsMax));
  const refreshed = (Object.entries(scopeSources) as Array<[SearchScope, (typeof scopeSources)[SearchScope]]>).filter(([, source]) => samples.has(source.table));
  if (refreshed.length === 0) return;
  const scopes = refreshed.map(([scope]) => scope);
  // Readers take the largest generation of any scope as the statistics' version (readStatistics).
  const previous = await tx.selectFrom('search_statistics').select((eb) => eb.fn.max('generation').as('generation')).executeTakeFirst();
  const generation = Number(previous?.generation ?? 0) + 1;
  await tx.deleteFrom('search_word_statistics').where('scope', 'in', scopes).execute();
  await tx.deleteFrom('search_statistics').where('scope', 'in', scopes).execute();
  for (const [scope, source] of refreshed) {
    const sample = samples.get(source.table)!;
    const counts = sampleWordCounts(sample.sampled.map((row) => source.columns.map((column) => row[column] ?? null)));
    const statistics = scopeStatistics({ scope, documents: sample.rows, sampled: sample.sampled.length, counts });
    await writeScope(tx, statistics, generation);
  }
}

async function writeScope(tx: Kysely<Database>, statistics: ScopeStatistics, generation: number): Promise<void> {
  await tx
    .insertInto('search_statistics')
    .values({ scope: statistics.scope, documents: statistics.documents, sampled: statistics.sampled, generation })
    .execute();
  for (const rows of chunks(statistics.words, wordRowsPerInsert)) {
    await tx
      .insertInto('search_word_statistics')
      .values(rows.map((row) => ({ scope: statistics.scope, word: row.word, sampled_documents: row.sampledDocuments })))
      .execute();
  }
}

/**
 * About `sampledRecords` rows spread over the whole table (all of them when the table is no
 * larger). SQLite: rowids at even steps (a few thousand point reads); PostgreSQL: TABLESAMPLE
 * SYSTEM, random pages, with a fixed seed.
 */
async function sampleTable(tx: Kysely<Database>, table: SampledTable, sampledRecords: number): Promise<TableSample> {
  const columns = sql.join(sampledColumns[table].map((column) => sql.ref(column)));
  if (isPostgres(tx)) {
    // The estimate of the last ANALYZE (store/statistics.ts runs it first): counting millions of
    // rows exactly would cost more than the whole sample.
    const estimate = await sql<{ rows: number }>`select greatest(reltuples, 0)::float8 as rows from pg_class where oid = ${table}::regclass`.execute(tx);
    const estimatedRows = Number(estimate.rows[0]?.rows ?? 0);
    if (estimatedRows <= sampledRecords) {
      const all = await sql<Record<string, string | null>>`select ${columns} from ${sql.table(table)}`.execute(tx);
      return { rows: all.rows.length, sampled: all.rows };
    }
    const percent = (100 * sampledRecords) / estimatedRows;
    const sampled = await sql<Record<string, string | null>>`select ${columns} from ${sql.table(table)}
      tablesample system (${sql.lit(percent)}) repeatable (7)`.execute(tx);
    return { rows: Math.round(estimatedRows), sampled: sampled.rows };
  }
  // Catalog rows are rarely deleted, so rowids are nearly dense: the share of sampled rowids that
  // exist, times the last rowid, is the row count, without counting millions of rows.
  const bounds = await sql<{ last: number | null }>`select max(rowid) as last from ${sql.table(table)}`.execute(tx);
  const last = Number(bounds.rows[0]?.last ?? 0);
  if (last <= sampledRecords) {
    const all = await sql<Record<string, string | null>>`select ${columns} from ${sql.table(table)}`.execute(tx);
    return { rows: all.rows.length, sampled: all.rows };
  }
  const rowids = Array.from({ length: sampledRecords }, (_, index) => 1 + Math.floor((index * last) / sampledRecords));
  const sampled: Array<Record<string, string | null>> = [];
  for (let start = 0; start < rowids.length; start += sampledRowidsPerSelect) {
    const chunk = rowids.slice(start, start + sampledRowidsPerSelect);
    const result = await sql<Record<string, string | null>>`select ${columns} from ${sql.table(table)} where rowid in (${sql.join(chunk)})`.execute(tx);
    sampled.push(...result.rows);
  }
  return { rows: Math.round((last * sampled.length) / sampledRecords), sampled };
}

/**
 * Samples the catalog when it has records but no statistics yet: a database that gained migration
 * 0004 without a catalog load since. Cheap when they exist (one indexed read).
 */
export async function ensureSearchStatistics(store: Store): Promise<void> {
  const existing = await store.db.selectFrom('search_statistics').select('scope').limit(1).executeTakeFirst();
  if (existing) return;
  const company = await store.db.selectFrom('companies').select('id').limit(1).executeTakeFirst();
  if (!company) return;
  await store.writeTransaction((tx) => refreshSearchStatistics(tx));
}

interface CachedEstimators {
  generation: number;
  checkedAt: number;
  estimators: Map<SearchScope, ScopeEstimator>;
}

const cache = new WeakMap<Kysely<Database>, Promise<CachedEstimators>>();

/**
 * The estimator of `scope` on `db`, or undefined before the first refresh. Cached per database
 * handle; every `statisticsCheckIntervalMs` one cheap query asks whether a refresh happened since.
 */
export async function scopeEstimator(db: Kysely<Database>, scope: SearchScope): Promise<ScopeEstimator | undefined> {
  try {
    let cached = cache.get(db);
    if (cached === undefined) {
      cached = loadEstimators(db, undefined);
      cache.set(db, cached);
    }
    let current = await cached;
    if (wallNow() - current.checkedAt > statisticsCheckIntervalMs) {
      const checking = loadEstimators(db, current);
      cache.set(db, checking);
      current = await checking;
    }
    return current.estimators.get(scope);
  } catch {
    // A failed read must not fail searches: without an estimator they count their matches
    // instead. The next call reads again.
    cache.delete(db);
    return undefined;
  }
}

/** Reads the statistics, unless their generation is still `previous`'s. */
async function loadEstimators(db: Kysely<Database>, previous: CachedEstimators | undefined): Promise<CachedEstimators> {
  const scopes = await db.selectFrom('search_statistics').select(['scope', 'documents', 'sampled', 'generation']).execute();
  const generation = Math.max(0, ...scopes.map((row) => row.generation));
  if (previous && previous.generation === generation) return { ...previous, checkedAt: wallNow() };
  const words = await db.selectFrom('search_word_statistics').select(['scope', 'word', 'sampled_documents']).execute();
  const estimators = new Map<SearchScope, ScopeEstimator>();
  for (const row of scopes) {
    const scope = row.scope as SearchScope;
    const scopeWords = words.filter((word) => word.scope === scope).map((word) => ({ word: word.word, sampledDocuments: word.sampled_documents }));
    estimators.set(scope, new ScopeEstimator({ scope, documents: Number(row.documents), sampled: row.sampled, words: scopeWords }));
  }
  return { generation, checkedAt: wallNow(), estimators };
}
