// Proves that the IP-to-company index's reader (store/visitors.ts readIpRangePage) pages through
// every range of the catalog exactly once, in key order, on both databases: pages far smaller
// than the catalog, so every page boundary (inside one company's ranges and between companies)
// comes up.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDatabase, openTestStore, type TestStore } from '../harness/databases.ts';
import { importCatalog } from '../../src/app/catalog/import_catalog.ts';
import { generateCompanies } from '../../src/app/catalog/generate_catalog.ts';
import { readIpRangePage, type IpRangeKey } from '../../src/store/visitors.ts';
import { chunked, ndjson, testNow } from '../catalog/catalog_fixtures.ts';

describeEachDatabase('IP range pages', (kind) => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore(kind);
    const companies = [...generateCompanies({ seed: 11, count: 60 })];
    expect(await importCatalog(store, { type: 'companies', input: chunked(ndjson(companies)), now: testNow })).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    await store.dropDatabase();
  });

  test('pages of any size list every range once, in (company_id, cidr) order', async () => {
    // The database's own order (its collation), which the pages must follow.
    const all = await store.db.selectFrom('company_ip_ranges').select(['company_id', 'cidr']).orderBy('company_id').orderBy('cidr').execute();
    const expected = all.map((row) => `${row.company_id} ${row.cidr}`);
    expect(new Set(expected).size).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(60);
    for (const limit of [1, 2, 7, 50, expected.length + 1]) {
      const seen: string[] = [];
      let after: IpRangeKey | null = null;
      for (;;) {
        const page = await readIpRangePage(store.db, { after, limit });
        expect(page.length).toBeLessThanOrEqual(limit);
        seen.push(...page.map((row) => `${row.company_id} ${row.cidr}`));
        if (page.length < limit) break;
        after = { company_id: page.at(-1)!.company_id, cidr: page.at(-1)!.cidr };
      }
      expect(seen, `pages of ${limit}`).toEqual(expected);
    }
  });
});
