// The IP-to-company index of website visitors, kept in memory beside the catalog it is built
// from (domain/catalog/ip_index.ts). `current()` compares the catalog's version
// (store/catalog_version.ts) with the version the index was built from and rebuilds first when a
// load moved it, in this process or another; one rebuild at a time, and whoever asks meanwhile
// waits for it. The visit collector asks once per flush, so the version costs one small read a
// second at most, and a lookup itself never touches the database.
//
// A rebuild reads the ranges page by page (each page a range of the primary key) into typed
// columns, then sorts and flattens them on this thread: at 1,000,000 ranges 0.8 s, of which the
// last 0.5 s holds the event loop (bench/README.md, IP lookups).
import { IpCompanyIndex, IpCompanyIndexBuilder } from '../../domain/catalog/ip_index.ts';
import { readCatalogVersion } from '../../store/catalog_version.ts';
import { readIpRangePage, type IpRangeKey } from '../../store/visitors.ts';
import type { IpFamily } from '../../domain/catalog/ip_ranges.ts';
import type { Store } from '../../store/database.ts';

/** Ranges read in one query while rebuilding. */
export const ipRangePageRows = 20_000;

export class CompanyAddressIndex {
  readonly #store: Store;
  #index = IpCompanyIndex.empty();
  /** The catalog version the index was built from; -1 before the first build. */
  #version = -1;
  #rebuilding: Promise<void> | null = null;

  constructor(store: Store) {
    this.#store = store;
  }

  /** False until the first build. */
  get built(): boolean {
    return this.#version >= 0;
  }

  /** The index of the catalog as it is now, rebuilt first when the catalog changed since the last build. */
  async current(): Promise<IpCompanyIndex> {
    const version = await readCatalogVersion(this.#store.readDb);
    // Versions only grow. A rebuild already running for an older version ends with that one: go round again.
    while (this.#version < version) {
      this.#rebuilding ??= this.#rebuild(version).finally(() => {
        this.#rebuilding = null;
      });
      await this.#rebuilding;
    }
    return this.#index;
  }

  async #rebuild(version: number): Promise<void> {
    const builder = new IpCompanyIndexBuilder();
    let after: IpRangeKey | null = null;
    for (;;) {
      const rows = await readIpRangePage(this.#store.readDb, { after, limit: ipRangePageRows });
      for (const row of rows) builder.add({ family: row.family as IpFamily, first_address: row.first_address, last_address: row.last_address, company_id: row.company_id });
      const last = rows.at(-1);
      if (!last || rows.length < ipRangePageRows) break;
      after = { company_id: last.company_id, cidr: last.cidr };
    }
    this.#index = builder.build();
    this.#version = Math.max(this.#version, version);
  }
}
