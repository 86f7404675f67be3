// Proves the seed writes exactly the generator's catalog, and that seeding again updates the
// same ids in place (no duplicates) while a larger count adds the companies after them.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDatabase, openTestStore, type TestStore } from '../harness/databases.ts';
import { seedCatalog } from '../../src/app/catalog/seed_catalog.ts';
import { generateCompanies, generateContacts } from '../../src/app/catalog/generate_catalog.ts';
import { countCompanies, countContacts, getCompany, getCompanySignals, getContact } from '../../src/store/catalog.ts';
import { companyRecordOf, subscribe, tableCounts, testNow } from './catalog_fixtures.ts';

const seed = 3;
const companyCount = 1_250;
const generated = [...generateCompanies({ seed, count: companyCount })];
const contactCount = generated.reduce((sum, company) => sum + [...generateContacts(company, { seed })].length, 0);

describeEachDatabase('seedCatalog', (kind) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore(kind);
  });

  afterAll(async () => {
    await store.dropDatabase();
  });

  test("writes the generator's companies and contacts, reporting progress in batches", async () => {
    const progress: Array<[number, number]> = [];
    const result = await seedCatalog(store, { companies: companyCount, seed, now: testNow, onProgress: (done, total) => progress.push([done, total]) });
    expect(result).toEqual({ companies: companyCount, contacts: contactCount });
    expect(progress).toEqual([
      [1_000, companyCount],
      [companyCount, companyCount],
    ]);
    expect(await countCompanies(store.db)).toBe(companyCount);
    expect(await countContacts(store.db)).toBe(contactCount);
    const last = generated.at(-1)!;
    expect(await getCompany(store.db, last.id)).toEqual(companyRecordOf(last));
    expect(await getCompanySignals(store.db, last.id)).toHaveLength(last.signals.length);
    const firstContact = [...generateContacts(last, { seed })][0];
    expect(await getContact(store.db, firstContact?.id ?? '')).toEqual(firstContact);
  });

  test('seeding again updates the same ids in place and keeps subscriptions', async () => {
    await subscribe(store, { type: 'company', id: 'cmp_0000001' });
    const before = await tableCounts(store);
    await seedCatalog(store, { companies: companyCount, seed, now: testNow + 1 });
    expect(await tableCounts(store)).toEqual(before);
    const row = await store.db.selectFrom('companies').select('updated_at').where('id', '=', 'cmp_0000001').executeTakeFirst();
    expect(row?.updated_at).toBe(testNow + 1);
  });

  test('a larger count adds the companies after the existing ones', async () => {
    await seedCatalog(store, { companies: companyCount + 10, seed, now: testNow });
    expect(await countCompanies(store.db)).toBe(companyCount + 10);
    expect(await getCompany(store.db, 'cmp_0001260')).not.toBeNull();
  });
});
