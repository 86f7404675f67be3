// The catalog's version: a number in `settings` that every catalog load (seed, import) moves in
// its own transaction. Whatever is derived from the catalog in memory (the IP-to-company index of
// website visitors) compares it with the version it was built from and rebuilds when they
// differ, whichever process made the change.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

const catalogVersionKey = 'catalog_version';

/** The current version; 0 for a catalog that was never loaded. */
export async function readCatalogVersion(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', catalogVersionKey).executeTakeFirst();
  return row ? Number(row.value) : 0;
}

/** Moves the version on, in one statement (two loads at once both count); call inside the transaction that changes the catalog. */
export async function bumpCatalogVersion(tx: Kysely<Database>): Promise<void> {
  await tx
    .insertInto('settings')
    .values({ key: catalogVersionKey, value: '1' })
    .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: sql<string>`cast(cast(settings.value as integer) + 1 as text)` }))
    .execute();
}
