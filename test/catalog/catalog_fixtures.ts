// Shared by the catalog tests: NDJSON input in chunks, row counts of every catalog table (and of
// the subscriptions, which imports must never touch), and a subscription to a record.
import { sql } from 'kysely';
import type { Store } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import type { CompanyRecord } from '../../src/domain/catalog/records.ts';
import type { GeneratedCompany } from '../../src/app/catalog/generate_catalog.ts';
import { technologyToken } from '../../src/domain/search/text.ts';

export const testNow = Date.UTC(2026, 0, 15);

export function ndjson(records: readonly unknown[]): string {
  return records.map((record) => (typeof record === 'string' ? record : JSON.stringify(record))).join('\n') + '\n';
}

/** The text as a stream of byte chunks of `size`, as a socket or file would deliver it. */
export async function* chunked(text: string, size = 64 * 1024): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

const countedTables = [
  'companies',
  'company_ip_ranges',
  'company_signals',
  'company_financials',
  'company_news',
  'contacts',
  'subscriptions',
] as const satisfies ReadonlyArray<keyof Database>;

/** Row counts by table, and `technologies`: the (company, technology) pairs search holds (technologyPairs). */
export type TableCounts = Record<(typeof countedTables)[number] | 'technologies', number>;

export async function tableCounts(store: Store): Promise<TableCounts> {
  const counts = { technologies: (await technologyPairs(store)).indexed.length } as TableCounts;
  for (const table of countedTables) {
    const row = await store.db
      .selectFrom(table)
      .select((select) => select.fn.countAll<number | string>().as('count'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.count);
  }
  return counts;
}

/** The record part of a generated company, as getCompany returns it. */
export function companyRecordOf(company: GeneratedCompany): CompanyRecord {
  const { signals: _signals, financials: _financials, news: _news, ...record } = company;
  return record;
}

/** An account (on a plan of its own) subscribed to one record, written directly. */
export async function subscribe(store: Store, record: { type: 'company' | 'contact'; id: string }): Promise<void> {
  await store.db
    .insertInto('plans')
    .values({ id: 'catalog_test', name: 'Catalog test', features: '[]', credits_per_period: 0, period: 'month', rate_limit_per_second: null, updated_at: testNow })
    .execute();
  await store.db
    .insertInto('accounts')
    .values({
      id: 'acct_catalog_test',
      name: 'Catalog test',
      plan_id: 'catalog_test',
      created_at: testNow,
      period_anchor: testNow,
      period_epoch: 0,
      period_index: 0,
      balance: 0,
      ledger_seq: 0,
      ledger_at: 0,
      next_event_at: testNow,
    })
    .execute();
  await store.db
    .insertInto('subscriptions')
    .values({
      account_id: 'acct_catalog_test',
      id: 'sub_catalog_test',
      record_type: record.type,
      record_id: record.id,
      generation: 1,
      source: 'grant',
      started_at: testNow,
      expires_at: testNow + 365 * 86_400_000,
      ended_at: null,
      charge_seq: null,
      refund_seq: null,
    })
    .execute();
}

/**
 * Every search document describes a record, and every record has its document: the counts
 * agree and, on SQLite (documents keyed by rowid), each document's rowid is a record's.
 */
export async function searchDocumentsInStep(store: Store): Promise<{ ok: boolean; detail: Record<string, number> }> {
  // Each document table, the table it describes, and (PostgreSQL) how a document finds its row.
  const pairs = [
    ['company_search', 'companies', 'r.id = d.company_id'],
    ['contact_search', 'contacts', 'r.id = d.contact_id'],
    ['news_search', 'company_news', 'r.company_id = d.company_id and r.position = d.position'],
  ] as const;
  const detail: Record<string, number> = {};
  const count = async (text: string): Promise<number> =>
    Number((await sql<{ count: number | string }>`${sql.raw(text)}`.execute(store.db)).rows[0]?.count ?? -1);
  for (const [documents, records, join] of pairs) {
    detail[`${documents} documents`] = await count(`select count(*) as count from ${documents}`);
    detail[`${documents} records`] = await count(`select count(*) as count from ${records}`);
    detail[`${documents} orphans`] =
      store.dialect === 'sqlite'
        ? await count(`select count(*) as count from ${documents} where rowid not in (select rowid from ${records})`)
        : await count(`select count(*) as count from ${documents} d where not exists (select 1 from ${records} r where ${join})`);
  }
  const ok = pairs.every(([documents]) => detail[`${documents} documents`] === detail[`${documents} records`] && detail[`${documents} orphans`] === 0);
  return { ok, detail };
}

/**
 * The (company id, technology) pairs technology search reads, as `id technology` and sorted:
 * PostgreSQL's company_technologies rows; SQLite's technology documents (migration 0007), read
 * back through FTS5's vocabulary of the index (so a document left behind by a re-import shows),
 * with each technology as its token. Beside them, the same pairs from the companies' own JSON
 * lists in the same form: the two must always agree.
 */
export async function technologyPairs(store: Store): Promise<{ indexed: string[]; listed: string[] }> {
  const companies = await store.db.selectFrom('companies').select(['id', 'technologies']).execute();
  const spell = store.dialect === 'sqlite' ? technologyToken : (name: string): string => name;
  const listed = companies.flatMap((company) => (JSON.parse(company.technologies) as string[]).map((name) => `${company.id} ${spell(name)}`)).sort();
  if (store.dialect === 'postgres') {
    const rows = await store.db.selectFrom('company_technologies').select(['company_id', 'technology']).execute();
    return { indexed: rows.map((row) => `${row.company_id} ${row.technology}`).sort(), listed };
  }
  // A temporary table belongs to one connection: both statements run on the same one.
  const rows = await store.db.connection().execute(async (db) => {
    await sql`create virtual table if not exists temp.technology_vocabulary using fts5vocab(main, company_technology_search, instance)`.execute(db);
    return (await sql<{ pair: string }>`select coalesce(c.id, '(no company ' || v.doc || ')') || ' ' || v.term as pair
      from temp.technology_vocabulary v left join companies c on c.rowid = v.doc`.execute(db)).rows;
  });
  return { indexed: rows.map((row) => row.pair).sort(), listed };
}

/** The words a record's search document holds (all columns), sorted. */
export async function documentWords(store: Store, record: { type: 'company' | 'contact'; id: string }): Promise<string[]> {
  const [documents, records, key] = record.type === 'company' ? ['company_search', 'companies', 'company_id'] : ['contact_search', 'contacts', 'contact_id'];
  if (store.dialect === 'sqlite') {
    const columns = record.type === 'company' ? "name || ' ' || domain || ' ' || description" : 'title';
    const rows = await sql<{ text: string }>`${sql.raw(`select ${columns} as text from ${documents} where rowid = (select rowid from ${records} where id = `)}${record.id})`.execute(store.db);
    return (rows.rows[0]?.text ?? '').split(' ').filter(Boolean).sort();
  }
  const rows = await sql<{ word: string }>`${sql.raw(`select word from ${documents}, unnest(tsvector_to_array(document)) as word where ${key} = `)}${record.id}`.execute(store.db);
  return rows.rows.map((row) => row.word).sort();
}
