// Fills the catalog with the synthetic companies and contacts of generate_catalog.ts, for demos
// and benchmarks. Seeding the same seed again writes the same ids with the same values, so it
// updates rather than duplicates; a larger count adds the companies beyond the previous ones.
//
// Each batch is its own transaction, so a long seed never holds the write lock for long (other
// writers, such as credit charges, interleave) and an interrupted seed can simply be re-run.
import type { Store } from '../../store/database.ts';
import { writeCompanies, writeContacts } from '../../store/catalog_writes.ts';
import { assert } from '../../lib/assert.ts';
import { generateCompanies, generateContacts, generatedCompaniesMax } from './generate_catalog.ts';
import { companyLineSchema, contactLineSchema } from './import_schemas.ts';

export interface SeedOptions {
  /** How many companies (numbered from 1); each comes with 1–12 contacts. */
  companies: number;
  seed?: number;
  /** Stored as the records' update time. */
  now: number;
  /** The instant the synthetic history counts back from (default: the generator's fixed date). */
  referenceTime?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  companies: number;
  contacts: number;
}

export const seedSeedDefault = 42;
export const seedCompaniesMax = generatedCompaniesMax;
/** Companies per transaction: large enough for multi-row statements, small enough to share the lock. */
export const seedBatchCompanies = 1_000;

export async function seedCatalog(store: Store, options: SeedOptions): Promise<SeedResult> {
  const seed = options.seed ?? seedSeedDefault;
  assert(
    Number.isSafeInteger(options.companies) && options.companies >= 0 && options.companies <= seedCompaniesMax,
    `companies must be an integer from 0 to ${seedCompaniesMax}`,
  );
  let contacts = 0;
  for (let offset = 0; offset < options.companies; offset += seedBatchCompanies) {
    const count = Math.min(seedBatchCompanies, options.companies - offset);
    contacts += await seedBatch(store, { ...options, seed, offset, count });
    options.onProgress?.(offset + count, options.companies);
  }
  return { companies: options.companies, contacts };
}

/** Writes one batch of companies with their contacts; returns how many contacts. */
async function seedBatch(
  store: Store,
  batch: { seed: number; offset: number; count: number; now: number; referenceTime?: number },
): Promise<number> {
  const generated = [...generateCompanies(batch)];
  // Through the import schema, so seeded rows are normalised exactly as imported ones are.
  const companies = generated.map((company) => companyLineSchema.parse(company));
  const contacts = generated.flatMap((company) =>
    [...generateContacts(company, { seed: batch.seed })].map((contact) => contactLineSchema.parse(contact)),
  );
  await store.writeTransaction(async (tx) => {
    await writeCompanies(tx, companies, batch.now);
    await writeContacts(tx, contacts, batch.now);
  });
  return contacts.length;
}
