// Search (issue #3): full-text documents for companies (name, domain, description), contacts
// (title) and news (title and summary), and the indexes advanced search filters by. Frozen once
// landed.
//
// The words are cut in the application (domain/search/text.ts), so both engines index the same
// words: on SQLite, FTS5 tables whose rowid is the rowid of the row they describe; on PostgreSQL,
// tsvector columns with GIN indexes. Existing catalog rows are indexed here, in batches.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { companyTsvector, documentText, plainTsvector } from '../../domain/search/text.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and must not depend on today's schema types
type AnyDatabase = Kysely<any>;

const backfillRowsPerBatch = 2_000;

export async function up(db: AnyDatabase): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await createPostgresSearch(db);
  else await createSqliteSearch(db);
  await createFilterIndexes(db);
}

export async function down(): Promise<void> {
  throw new Error('the search migration cannot be reverted');
}

async function createSqliteSearch(db: AnyDatabase): Promise<void> {
  // The tables keep their text: a search whose words are common reads a row's words by rowid
  // (cheap) instead of listing every match (see store/catalog_search.ts).
  const options = sql.raw(`tokenize='unicode61 remove_diacritics 0'`);
  for (const [table, columns] of [['company_search', 'name, domain, description'], ['contact_search', 'title'], ['news_search', 'text']] as const) {
    await sql`create virtual table ${sql.id(table)} using fts5(${sql.raw(columns)}, ${options})`.execute(db);
  }
  await backfill(db, sql`select rowid as key, name, domain, description from companies`, async (rows) => {
    for (const row of rows) {
      await sql`insert into company_search (rowid, name, domain, description) values (${row.key}, ${documentText(row.name as string)},
        ${documentText(row.domain as string | null)}, ${documentText(row.description as string | null)})`.execute(db);
    }
  });
  await backfill(db, sql`select rowid as key, title from contacts`, async (rows) => {
    for (const row of rows) {
      await sql`insert into contact_search (rowid, title) values (${row.key}, ${documentText(row.title as string | null)})`.execute(db);
    }
  });
  await backfill(db, sql`select rowid as key, title, summary from company_news`, async (rows) => {
    for (const row of rows) {
      const text = documentText(`${row.title as string} ${(row.summary as string | null) ?? ''}`);
      await sql`insert into news_search (rowid, text) values (${row.key}, ${text})`.execute(db);
    }
  });
}

async function createPostgresSearch(db: AnyDatabase): Promise<void> {
  // Separate tables keep the wide tsvector out of the record rows read on every API request.
  await sql`create table company_search (
    company_id text primary key references companies (id) on delete cascade,
    document tsvector not null)`.execute(db);
  await sql`create index company_search_document on company_search using gin (document)`.execute(db);
  await sql`create table contact_search (
    contact_id text primary key references contacts (id) on delete cascade,
    document tsvector not null)`.execute(db);
  await sql`create index contact_search_document on contact_search using gin (document)`.execute(db);
  await sql`create table news_search (
    company_id text not null,
    position integer not null,
    document tsvector not null,
    primary key (company_id, position),
    foreign key (company_id, position) references company_news (company_id, position) on delete cascade)`.execute(db);
  await sql`create index news_search_document on news_search using gin (document)`.execute(db);
  await backfill(db, sql`select id as key, name, domain, description from companies`, async (rows) => {
    for (const row of rows) {
      const document = companyTsvector({
        name: row.name as string,
        domain: row.domain as string | null,
        description: row.description as string | null,
      });
      await sql`insert into company_search (company_id, document) values (${row.key}, ${document}::tsvector)`.execute(db);
    }
  });
  await backfill(db, sql`select id as key, title from contacts`, async (rows) => {
    for (const row of rows) {
      const document = plainTsvector(row.title as string | null);
      await sql`insert into contact_search (contact_id, document) values (${row.key}, ${document}::tsvector)`.execute(db);
    }
  });
  await backfill(db, sql`select company_id || ':' || position as key, company_id, position, title, summary from company_news`, async (rows) => {
    for (const row of rows) {
      const document = plainTsvector(`${row.title as string} ${(row.summary as string | null) ?? ''}`);
      await sql`insert into news_search (company_id, position, document)
        values (${row.company_id}, ${row.position}, ${document}::tsvector)`.execute(db);
    }
  });
}

/**
 * Indexes for search filters, chosen by measurement on large catalogs (see bench/README.md):
 * country and industry in id order, and signals by type and time.
 */
async function createFilterIndexes(db: AnyDatabase): Promise<void> {
  // Results come in id order: with the id after the filtered column, one country's or one
  // industry's companies come out of the index already in order, and a page stops early.
  await db.schema.dropIndex('companies_by_country').execute();
  await db.schema.createIndex('companies_by_country').on('companies').columns(['country', 'id']).execute();
  await db.schema.createIndex('companies_by_industry').on('companies').columns(['industry', 'id']).execute();
  await db.schema.createIndex('company_signals_by_type_time').on('company_signals').columns(['type', 'occurred_at', 'company_id']).execute();
}

/** Runs `write` over every row of `query`, in batches ordered by key, so memory stays bounded. */
async function backfill(
  db: AnyDatabase,
  query: ReturnType<typeof sql>,
  write: (rows: Array<Record<string, unknown>>) => Promise<void>,
): Promise<void> {
  let after: unknown = null;
  for (;;) {
    const condition = after === null ? sql`` : sql`where key > ${after}`;
    const result = await sql<Record<string, unknown>>`select * from (${query}) as source ${condition}
      order by key limit ${backfillRowsPerBatch}`.execute(db);
    if (result.rows.length === 0) return;
    await write(result.rows);
    after = result.rows[result.rows.length - 1]!.key;
  }
}
