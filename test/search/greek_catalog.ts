// A small Greek catalog for the tests of Greek sigma in search (greek_sigma.test.ts, and migration
// 0009's test): its words end in ς or Σ and hold σ inside, in a name, a description, a news title
// and a contact title. Imported as a vendor would, through the operator API, so every search
// document is written by the catalog writers.
import { expect } from 'vitest';
import { testAdminToken, type TestApp } from '../harness/test_app.ts';

export const greekCompanyId = 'cmp_odysseus';
export const greekContactId = 'cnt_sales';

const lines = {
  companies: [
    { id: greekCompanyId, name: 'Οδυσσεύς Ναυτιλιακή', country: 'GR', description: 'Ακτοπλοΐα στις Κυκλάδες', news: [{ title: 'Νέος στόλος', summary: null }] },
    { id: 'cmp_plain', name: 'Plain Shipping', country: 'GR', description: 'Ferries' },
  ],
  contacts: [{ id: greekContactId, company_id: greekCompanyId, first_name: 'Ελένη', last_name: 'Παππά', title: 'Διευθυντής Πωλήσεων' }],
};

export async function importGreekCatalog(app: TestApp): Promise<void> {
  for (const type of ['companies', 'contacts'] as const) {
    const imported = await app.api('POST', `/admin/v1/catalog/${type}`, {
      key: testAdminToken,
      rawBody: lines[type].map((line) => JSON.stringify(line)).join('\n'),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(imported.status).toBe(200);
  }
}

/** The ids of a list response's items. */
export function listedIds(body: unknown): string[] {
  return (body as { data: Array<{ id: string }> }).data.map((item) => item.id);
}
