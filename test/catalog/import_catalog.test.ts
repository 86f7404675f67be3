// Proves the NDJSON import: valid files are written with the right counts, any invalid line
// (schema, JSON, repeated id, unknown company, over the byte bound, not UTF-8, NUL or unpaired
// surrogates in text) is reported with its line
// number and nothing at all is written, re-imports update in place and replace child rows
// without touching subscriptions, and the line splitter copes with any chunking.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { describeEachDatabase, openTestStore, type TestStore } from '../harness/databases.ts';
import { importCatalog, importErrorsReportedMax, importLineBytesMax, type ImportResult } from '../../src/app/catalog/import_catalog.ts';
import { generateCompanies, generateContacts } from '../../src/app/catalog/generate_catalog.ts';
import { CatalogWorkers } from '../../src/app/catalog/catalog_workers.ts';
import type { CheckedChunk, LineChunk } from '../../src/app/catalog/import_lines.ts';
import {
  countCompanies,
  countContacts,
  getCompany,
  getCompanyFinancials,
  getCompanyNews,
  getCompanySignals,
  getContact,
} from '../../src/store/catalog.ts';
import { chunked, companyRecordOf, documentWords, ndjson, searchDocumentsInStep, subscribe, tableCounts, technologyPairs, testNow } from './catalog_fixtures.ts';
import { technologyToken } from '../../src/domain/search/text.ts';
import { searchCompanies } from '../../src/store/catalog_search.ts';

const companies = [...generateCompanies({ seed: 5, count: 30 })];
const contacts = companies.flatMap((company) => [...generateContacts(company, { seed: 5 })]);

function importText(store: TestStore, type: 'companies' | 'contacts', text: string, chunkBytes?: number): Promise<ImportResult> {
  return importCatalog(store, { type, input: chunked(text, chunkBytes), now: testNow });
}

function errorLines(result: ImportResult): number[] {
  if (result.ok) throw new Error('expected the import to fail');
  return [...new Set(result.errors.map((error) => error.line))];
}

describeEachDatabase('importCatalog', (kind) => {
  let store: TestStore;

  beforeEach(async () => {
    store = await openTestStore(kind);
  });

  afterEach(async () => {
    await store.dropDatabase();
  });

  test('imports valid companies and contacts, and reads them back as records', async () => {
    const progress: Array<number | string> = [];
    const result = await importCatalog(store, {
      type: 'companies',
      input: chunked(ndjson(companies)),
      now: testNow,
      onProgress: (lines) => progress.push(lines),
      onStage: (stage) => progress.push(stage),
    });
    expect(result).toEqual({ ok: true, imported: 30, created: 30, updated: 0 });
    // Into an empty table: the lines, then the indexes set aside, then the statistics.
    expect(progress.slice(-3)).toEqual([30, 'indexes', 'statistics']);
    expect(await importText(store, 'contacts', ndjson(contacts))).toEqual({
      ok: true,
      imported: contacts.length,
      created: contacts.length,
      updated: 0,
    });
    expect(await countCompanies(store.db)).toBe(30);
    expect(await countContacts(store.db)).toBe(contacts.length);

    const company = companies[3];
    if (!company) throw new Error('no sample company');
    expect(await getCompany(store.db, company.id)).toEqual(companyRecordOf(company));
    const newestFirst = [...company.signals].sort((a, b) => b.occurred_at.localeCompare(a.occurred_at));
    expect(await getCompanySignals(store.db, company.id)).toEqual(newestFirst);
    expect((await getCompanyFinancials(store.db, company.id)).map((row) => row.year)).toEqual(
      company.financials.map((row) => row.year).sort((a, b) => b - a),
    );
    const news = await getCompanyNews(store.db, company.id);
    expect(news.map((item) => item.published_at)).toEqual(
      company.news.map((item) => item.published_at).sort((a, b) => (b ?? '').localeCompare(a ?? '')),
    );
    expect(await getContact(store.db, contacts[0]?.id ?? '')).toEqual(contacts[0]);
    expect(await searchDocumentsInStep(store)).toMatchObject({ ok: true });
    expect(await getCompany(store.db, 'cmp_missing')).toBeNull();
    expect(await getContact(store.db, 'cnt_missing')).toBeNull();
  });

  test('reports the lines read before the records they hold are written, to the last chunk', async () => {
    // 5,000 lines with blank ones among them: chunks of 2,000 records, the last one short.
    const lines = Array.from({ length: 5_000 }, (_, index) => (index % 10 === 4 ? '' : JSON.stringify({ id: `cmp_progress_${index}`, name: `Progress ${index}` })));
    const events: Array<['read' | 'written', number]> = [];
    const result = await importCatalog(store, {
      type: 'companies',
      input: chunked(lines.join('\n')),
      now: testNow,
      workers: 0,
      onProgress: (read) => events.push(['read', read]),
      onWriteProgress: (written) => events.push(['written', written]),
    });
    expect(result).toMatchObject({ ok: true, imported: 4_500 });
    let read = 0;
    for (const [event, count] of events) {
      if (event === 'read') read = count;
      else expect(count, JSON.stringify(events)).toBeLessThanOrEqual(read);
    }
    expect(events.filter(([event]) => event === 'written').map(([, count]) => count)).toEqual([2_000, 4_000, 4_500]);
    expect(read).toBe(5_000);
  });

  test('reports exactly the invalid lines among good ones, and writes nothing', async () => {
    await importText(store, 'companies', ndjson(companies.slice(0, 5)));
    const before = await tableCounts(store);
    const lines: unknown[] = companies.slice(5, 25).map((company) => ({ ...company, name: `${company.name} (renamed)` }));
    lines[3] = '{"id": "broken", "name": ';
    lines[10] = { id: 'no_name' };
    lines[16] = { id: 'bad_cidr', name: 'Bad', ip_ranges: ['10.0.0.0/8', '10.0.0.300/32'] };
    lines.push({ ...companies[0], name: 'would be an update' });

    const result = await importText(store, 'companies', ndjson(lines));
    expect(errorLines(result)).toEqual([4, 11, 17]);
    expect(result).toMatchObject({ ok: false, omitted: 0, invalid_lines: 3 });
    if (!result.ok) {
      expect(result.errors[1]).toMatchObject({ line: 11, field: 'name' });
      expect(result.errors[2]).toMatchObject({ line: 17, field: 'ip_ranges.1' });
    }
    expect(await tableCounts(store)).toEqual(before);
    expect((await getCompany(store.db, companies[0]?.id ?? ''))?.name).toBe(companies[0]?.name);
    expect(await searchDocumentsInStep(store)).toMatchObject({ ok: true });
  });

  test('reports a repeated id at the line that repeats it', async () => {
    const first = companies[0];
    const result = await importText(store, 'companies', ndjson([first, companies[1], { ...first, name: 'Again' }]));
    expect(result).toMatchObject({ ok: false, errors: [{ line: 3, field: 'id' }] });
    if (!result.ok) expect(result.errors[0]?.message).toContain('line 1');
    expect(await countCompanies(store.db)).toBe(0);
  });

  test('updates re-imported records in place, replaces their children, and keeps subscriptions', async () => {
    await importText(store, 'companies', ndjson(companies.slice(0, 5)));
    await importText(store, 'contacts', ndjson(contacts.filter((contact) => contact.company_id <= 'cmp_0000005')));
    const target = companies[0];
    if (!target) throw new Error('no sample company');
    await subscribe(store, { type: 'company', id: target.id });
    const before = await tableCounts(store);
    const subscriptionBefore = await store.db.selectFrom('subscriptions').selectAll().execute();

    const changed = {
      ...target,
      name: 'Renamed Ltd',
      employees: 4_321,
      technologies: ['Rust'],
      ip_ranges: ['203.0.113.0/24'],
      signals: [],
      financials: [{ year: 2025, revenue_usd: 1_000, employees: 2 }],
      news: [],
    };
    expect(await importText(store, 'companies', ndjson([changed]))).toEqual({ ok: true, imported: 1, created: 0, updated: 1 });

    expect(await getCompany(store.db, target.id)).toMatchObject({ name: 'Renamed Ltd', employees: 4_321, technologies: ['Rust'], ip_ranges: ['203.0.113.0/24'] });
    const technologies = await technologyPairs(store);
    expect(technologies.indexed.filter((pair) => pair.startsWith(`${target.id} `))).toEqual([`${target.id} ${store.dialect === 'sqlite' ? technologyToken('Rust') : 'Rust'}`]);
    expect(technologies.indexed).toEqual(technologies.listed);
    // A company re-imported without any technology keeps no technology document at all.
    const second = companies[1]!;
    expect(second.technologies.length).toBeGreaterThan(0);
    expect(await importText(store, 'companies', ndjson([{ ...second, technologies: [] }]))).toMatchObject({ ok: true, updated: 1 });
    const afterNone = await technologyPairs(store);
    expect(afterNone.indexed.filter((pair) => pair.startsWith(`${second.id} `))).toEqual([]);
    expect(afterNone.indexed).toEqual(afterNone.listed);
    expect(await getCompanySignals(store.db, target.id)).toEqual([]);
    expect(await getCompanyFinancials(store.db, target.id)).toEqual([{ year: 2025, revenue_usd: 1_000, employees: 2 }]);
    const after = await tableCounts(store);
    expect(after.companies).toBe(before.companies);
    expect(after.contacts).toBe(before.contacts);
    expect(after.subscriptions).toBe(before.subscriptions);
    expect(after.technologies).toBe(before.technologies - target.technologies.length + 1 - second.technologies.length);
    expect(after.company_signals).toBe(before.company_signals - target.signals.length);
    expect(await store.db.selectFrom('subscriptions').selectAll().execute()).toEqual(subscriptionBefore);
    // The search documents follow the update: the new name is in, the old one out, none lost.
    const words = await documentWords(store, { type: 'company', id: target.id });
    expect(words).toContain('renamed');
    expect(await searchDocumentsInStep(store)).toMatchObject({ ok: true });
    const contact = contacts.find((candidate) => candidate.company_id === target.id)!;
    expect(await importText(store, 'contacts', ndjson([{ ...contact, title: 'Chief Quarry Officer' }]))).toMatchObject({ ok: true, updated: 1 });
    expect(await documentWords(store, { type: 'contact', id: contact.id })).toEqual(['chief', 'officer', 'quarry']);
    expect(await searchDocumentsInStep(store)).toMatchObject({ ok: true });
    // The other companies keep their children.
    expect(await getCompanySignals(store.db, companies[1]?.id ?? '')).toHaveLength(companies[1]?.signals.length ?? -1);
  });

  test('refuses a contact whose company is not in the catalog, at its line', async () => {
    await importText(store, 'companies', ndjson(companies.slice(0, 2)));
    const lines = [
      contacts[0],
      { ...contacts[1], id: 'cnt_orphan', company_id: 'cmp_9999999' },
      contacts[2],
      { ...contacts[3], id: 'cnt_orphan_2', company_id: 'cmp_9999999' },
    ];
    const result = await importText(store, 'contacts', ndjson(lines));
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { line: 2, field: 'company_id' },
        { line: 4, field: 'company_id' },
      ],
    });
    expect(await countContacts(store.db)).toBe(0);
  });

  test('reports a line over the byte bound as an error, and keeps counting lines after it', async () => {
    const huge = { id: 'huge', name: 'Huge', description: 'x'.repeat(importLineBytesMax) };
    const result = await importText(store, 'companies', ndjson([companies[0], huge, '{not json', companies[1]]));
    expect(errorLines(result)).toEqual([2, 3]);
    if (!result.ok) expect(result.errors[0]?.message).toContain(`${importLineBytesMax} bytes`);
    expect(await countCompanies(store.db)).toBe(0);
  });

  test('bounds a line by its content: a CRLF line of exactly the bound is read, one byte more is not', async () => {
    const line = (contentBytes: number): string => {
      const shell = JSON.stringify({ id: 'at_bound', name: 'At Bound', description: '' });
      return shell.replace('"description":""', `"description":"${'x'.repeat(contentBytes - shell.length)}"`);
    };
    expect(Buffer.byteLength(line(importLineBytesMax))).toBe(importLineBytesMax);
    const atBound = await importText(store, 'companies', `${line(importLineBytesMax)}\r\n${JSON.stringify(companies[0])}\r\n`, 4096);
    // Read, and then refused by the schema (the description is too long), not by the byte bound.
    if (atBound.ok) throw new Error('expected the description to be refused');
    expect(atBound.errors).toEqual([expect.objectContaining({ line: 1, field: 'description' })]);
    // However the chunks fall: here one ends right after the \r and the next starts with the \n.
    const atBoundText = `${line(importLineBytesMax)}\r\n${JSON.stringify(companies[0])}\r\n`;
    const split = Buffer.from(atBoundText);
    const splitAt = importLineBytesMax + 1;
    async function* splitAfterCarriageReturn(): AsyncGenerator<Buffer> {
      yield split.subarray(0, splitAt);
      yield split.subarray(splitAt);
    }
    const splitResult = await importCatalog(store, { type: 'companies', input: splitAfterCarriageReturn(), now: testNow });
    if (splitResult.ok) throw new Error('expected the description to be refused');
    expect(splitResult.errors).toEqual([expect.objectContaining({ line: 1, field: 'description' })]);
    const over = await importText(store, 'companies', `${line(importLineBytesMax + 1)}\r\n`, 4096);
    if (over.ok) throw new Error('expected the line to be refused');
    expect(over.errors).toEqual([expect.objectContaining({ line: 1, message: `the line is longer than ${importLineBytesMax} bytes` })]);
  });

  test('refuses a line that is not valid UTF-8 at its number, rather than importing replacement characters', async () => {
    const valid = Buffer.from(`${JSON.stringify(companies[0])}\n`);
    const invalid = Buffer.concat([Buffer.from('{"id":"bad_bytes","name":"Bad '), Buffer.from([0xff, 0xfe]), Buffer.from(' name"}\n')]);
    const truncated = Buffer.concat([Buffer.from('{"id":"cut","name":"Caf'), Buffer.from([0xc3]), Buffer.from('"}\n')]);
    async function* input(): AsyncGenerator<Buffer> {
      yield* [valid, invalid, valid, truncated];
    }
    const result = await importCatalog(store, { type: 'companies', input: input(), now: testNow });
    if (result.ok) throw new Error('expected the import to fail');
    expect(result.errors).toEqual([
      expect.objectContaining({ line: 2, message: 'the line is not valid UTF-8' }),
      expect.objectContaining({ line: 3, field: 'id' }),
      expect.objectContaining({ line: 4, message: 'the line is not valid UTF-8' }),
    ]);
    expect(await countCompanies(store.db)).toBe(0);
  });

  test('refuses NUL characters and unpaired surrogates in any text, URLs included, at their lines', async () => {
    const lines = [
      companies[0],
      { id: 'nul_url', name: 'Nul Url', news: [{ title: 'News', url: 'http://a.example.com/x\u0000y' }] },
      { id: 'lone_surrogate', name: 'Lone \ud800 Surrogate' },
      { id: 'surrogate_url', name: 'Surrogate Url', news: [{ title: 'News', url: 'https://example.com/\udc00' }] },
      { id: 'nul_city', name: 'Nul City', city: 'Ber\u0000lin' },
      companies[1],
    ];
    const result = await importText(store, 'companies', ndjson(lines));
    expect(errorLines(result)).toEqual([2, 3, 4, 5]);
    expect(await countCompanies(store.db)).toBe(0);
    await importText(store, 'companies', ndjson(companies.slice(0, 1)));
    const contact = contacts.find((candidate) => candidate.company_id === companies[0]!.id)!;
    const badContact = await importText(store, 'contacts', ndjson([{ ...contact, linkedin_url: 'https://www.linkedin.com/in/a\u0000b' }]));
    expect(errorLines(badContact)).toEqual([1]);
    expect(await countContacts(store.db)).toBe(0);
  });

  test('splits lines across any chunking, with CRLF, blank lines and multi-byte characters', async () => {
    const text = [
      JSON.stringify({ id: 'zurich', name: 'Zürich AG', city: 'Zürich' }),
      '',
      JSON.stringify({ id: 'tokyo', name: '東京株式会社', city: '東京' }),
      '   ',
      JSON.stringify({ id: 'emoji', name: 'Rocket 🚀 Labs' }),
    ].join('\r\n');
    for (const chunkBytes of [1, 3, 7, 1024]) {
      const result = await importText(store, 'companies', `\uFEFF${text}`, chunkBytes);
      expect(result).toMatchObject({ ok: true, imported: 3 });
    }
    expect((await getCompany(store.db, 'tokyo'))?.name).toBe('東京株式会社');
    expect((await getCompany(store.db, 'emoji'))?.name).toBe('Rocket 🚀 Labs');
    const bad = await importText(store, 'companies', `${text}\r\n\r\n{"id": "x"}`, 5);
    expect(errorLines(bad)).toEqual([7]);
  });

  test('keeps quotes, backslashes, braces, commas and line breaks in text exactly', async () => {
    const tricky = {
      id: 'tricky',
      name: 'The "Quoted" \\ Back\\slash {Brace}, Comma; NULL',
      description: 'Line one\nLine\ttwo\r\n"three" \\N \\\\',
      technologies: ['C#', 'F"', '{x}', 'a,b', 'NULL'],
      news: [{ title: 'A "title", with {all} \\ of it', summary: 'NULL' }],
    };
    expect(await importText(store, 'companies', ndjson([tricky]))).toMatchObject({ ok: true, imported: 1 });
    expect(await getCompany(store.db, 'tricky')).toMatchObject({ name: tricky.name, description: tricky.description, technologies: tricky.technologies });
    expect((await getCompanyNews(store.db, 'tricky'))[0]).toMatchObject({ title: tricky.news[0]!.title, summary: 'NULL' });
    expect(await searchDocumentsInStep(store)).toMatchObject({ ok: true });
    // Technologies match exactly, case and punctuation included, however search joins them in.
    for (const strategy of ['listed', 'probed'] as const) {
      const found = async (technologies: string[]): Promise<string[]> =>
        (await searchCompanies(store.db, { technologies }, { limit: 10 }, { strategy })).hits.map((hit) => hit.id);
      expect(await found(['C#', 'F"'])).toEqual(['tricky']);
      expect(await found(['{x}', 'a,b', 'NULL'])).toEqual(['tricky']);
      for (const near of ['c#', 'C', 'F', 'x', '{X}', 'a', 'b', 'null', 'C# ', '']) expect(await found([near]), near).toEqual([]);
    }
  });

  test('caps the reported errors, in line order, and counts the rest', async () => {
    const invalid = importErrorsReportedMax + 500;
    const result = await importText(store, 'companies', ndjson(Array.from({ length: invalid }, (_, index) => ({ id: `c${index}` }))));
    if (result.ok) throw new Error('expected the import to fail');
    expect(result.errors).toHaveLength(importErrorsReportedMax);
    expect(result.errors[0]?.line).toBe(1);
    expect(result.errors.at(-1)?.line).toBe(importErrorsReportedMax);
    expect(result.omitted).toBe(500);
    expect(result.invalid_lines).toBe(invalid);
  });

  test('writes the same when the lines are checked on a worker thread', async () => {
    const result = await importCatalog(store, {
      type: 'companies',
      input: chunked(ndjson(companies)),
      now: testNow,
      workers: 1,
    });
    expect(result).toEqual({ ok: true, imported: 30, created: 30, updated: 0 });
    expect(await getCompany(store.db, companies[29]?.id ?? '')).toEqual(companyRecordOf(companies[29]!));
  });

  test('imports nothing from an empty input', async () => {
    expect(await importText(store, 'contacts', '')).toEqual({ ok: true, imported: 0, created: 0, updated: 0 });
    expect(await importText(store, 'companies', '\n\n')).toEqual({ ok: true, imported: 0, created: 0, updated: 0 });
  });
});

// The import checks chunks on its own thread until the workers say they are ready (a worker
// takes about half a second to load its module), so `ready` must come, and only once loaded.
test('catalog workers say when their module is loaded, and answer every request in order', async () => {
  const workers = new CatalogWorkers<LineChunk, CheckedChunk>(new URL('../../src/app/catalog/import_worker.ts', import.meta.url), 1);
  try {
    expect(workers.ready).toBe(false);
    const chunks: LineChunk[] = [companies.slice(0, 10), companies.slice(10, 20)].map((part, index) => ({
      type: 'companies',
      engine: 'sqlite',
      encode: false,
      now: testNow,
      numbers: part.map((_, line) => index * 10 + line + 1),
      texts: part.map((company) => JSON.stringify(company)),
    }));
    const checked = await Promise.all(chunks.map((chunk) => workers.submit(chunk)));
    expect(workers.ready).toBe(true);
    expect(checked.map((result) => result.ids)).toEqual([companies.slice(0, 10).map((company) => company.id), companies.slice(10, 20).map((company) => company.id)]);
    expect(checked[1]!.validLines).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  } finally {
    await workers.close();
  }
});
