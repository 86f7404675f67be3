// Takes a test database back to the schema before a migration, with its catalog still there, so
// that a test can run the migration again over existing rows (Kysely runs migrations only after
// the last one run: later ones are undone first).
import { sql } from 'kysely';
import type { Store } from '../../src/store/database.ts';

/**
 * Undoes migration 0007: on SQLite, company_technology_search goes and company_technologies comes
 * back as migration 0001 made it, holding the rows the catalog writers wrote before 0007 (each
 * company's technologies, from its own list). PostgreSQL's schema is as 0007 found it.
 */
export async function undoTechnologySearch(store: Store): Promise<void> {
  if (store.dialect === 'sqlite') {
    await sql`drop table company_technology_search`.execute(store.db);
    await sql`create table company_technologies (
      company_id text not null references companies (id) on delete cascade,
      technology text not null,
      constraint company_technologies_pk primary key (company_id, technology))`.execute(store.db);
    await sql`create index company_technologies_by_technology on company_technologies (technology, company_id)`.execute(store.db);
    await sql`insert into company_technologies (company_id, technology)
      select c.id, t.value from companies c, json_each(c.technologies) t`.execute(store.db);
  }
  await sql`delete from kysely_migration where name = '0007_technology_search'`.execute(store.db);
}
