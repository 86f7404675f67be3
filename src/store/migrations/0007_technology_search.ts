// Technologies as full text on SQLite (issue #3: the seed of a million companies). Frozen once
// landed.
//
// The technologies of a company were rows of company_technologies, keyed (company_id,
// technology) and indexed by (technology, company_id): about nine million rows at a million
// companies, whose writing and indexing alone took 36 s of the seed. Here they become one FTS5
// document per company, keyed by the company's rowid, holding a token per technology
// (domain/search/text.ts, technologyToken): written and indexed in 3 s, and answering "which
// companies use X" from one posting list. The table keeps no text (contentless; the company's own
// JSON `technologies` column is the record) and no positions (detail=none: a technology is there
// or not); contentless_delete lets a re-imported company's document be replaced by rowid.
//
// PostgreSQL keeps company_technologies, whose (technology, company_id) index its planner
// already joins as it sees fit.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { technologyDocument } from '../../domain/search/text.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen and must not depend on today's schema types
type AnyDatabase = Kysely<any>;

const backfillRowsPerBatch = 2_000;

export async function up(db: AnyDatabase): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  // One transaction (Kysely's migrator opens none on SQLite): a crash leaves the old table or the
  // new one, never a half-filled one, and a million FTS5 inserts commit once.
  await db.transaction().execute(async (tx) => {
    await sql`create virtual table company_technology_search using fts5(technologies,
      content='', contentless_delete=1, detail=none, tokenize='ascii')`.execute(tx);
    // From the companies' own lists, which hold the same names as company_technologies (the
    // catalog writers write both from one record), in their order.
    let after = 0;
    for (;;) {
      const batch = await sql<{ key: number; technologies: string }>`select rowid as key, technologies from companies
        where rowid > ${after} order by rowid limit ${backfillRowsPerBatch}`.execute(tx);
      if (batch.rows.length === 0) break;
      for (const row of batch.rows) {
        const document = technologyDocument(JSON.parse(row.technologies) as string[]);
        if (document !== '') await sql`insert into company_technology_search (rowid, technologies) values (${row.key}, ${document})`.execute(tx);
      }
      after = batch.rows[batch.rows.length - 1]!.key;
    }
    await sql`drop table company_technologies`.execute(tx);
  });
}

export async function down(): Promise<void> {
  throw new Error('the technology search migration cannot be reverted');
}
