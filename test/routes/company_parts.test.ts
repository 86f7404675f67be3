// Proves that a company's signals, financials and news are lists as API.md has them: `limit` and
// `cursor` page through them without repeating or skipping an item, `next_cursor` says when
// there is more, the whole list comes by default, and a bad cursor or an unknown parameter is
// refused with 400 before anything is read or charged. Reading any page starts the company's
// subscription once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../harness/databases.ts';
import { startTestApp, testAdminToken, type TestApp } from '../harness/test_app.ts';
import { balanceOf } from '../factories/accounts.ts';

const news = [1, 2, 3, 4, 5].map((day) => ({ title: `Story ${day}`, url: null, source: 'Wire', published_at: `2025-10-0${day}T00:00:00Z`, summary: null }));
const company = { id: 'cmp_paged', name: 'Paged Ltd', news, signals: [{ type: 'hiring', title: 'Hiring', occurred_at: '2025-09-01T00:00:00Z' }] };

interface PartPage {
  data: Array<{ title: string }>;
  next_cursor: string | null;
  credits: { charged: number; balance: number };
}

describeEachDatabase('company signals, financials and news as lists', (kind) => {
  let app: TestApp;
  let account: { id: string; key: string };

  beforeAll(async () => {
    app = await startTestApp(kind);
    const imported = await app.api('POST', '/admin/v1/catalog/companies', {
      key: testAdminToken,
      rawBody: JSON.stringify(company),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(imported.status).toBe(200);
    account = await app.createAccount('platform');
  });

  afterAll(async () => app?.close());

  it('refuses a bad cursor or an unknown parameter before reading or charging', async () => {
    const cursor = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const refusals: Array<[string, string]> = [
      ['/v1/companies/cmp_paged/news?cursor=nonsense', 'cursor'],
      [`/v1/companies/cmp_paged/news?cursor=${cursor({ company: 'cmp_paged', part: 'news', position: -1 })}`, 'cursor'],
      [`/v1/companies/cmp_paged/signals?cursor=${cursor({ after: 'cmp_1' })}`, 'cursor'],
      // Past the list's end (5 items), another list's, another company's.
      [`/v1/companies/cmp_paged/news?cursor=${cursor({ company: 'cmp_paged', part: 'news', position: 5 })}`, 'cursor'],
      [`/v1/companies/cmp_paged/signals?cursor=${cursor({ company: 'cmp_paged', part: 'news', position: 2 })}`, 'cursor'],
      [`/v1/companies/cmp_paged/news?cursor=${cursor({ company: 'cmp_other', part: 'news', position: 2 })}`, 'cursor'],
      ['/v1/companies/cmp_paged/news?limit=0', 'querystring.limit'],
      ['/v1/companies/cmp_paged/financials?page=2', 'querystring'],
    ];
    for (const [url, field] of refusals) {
      const refused = await app.api('GET', url, { key: account.key });
      expect(refused.status, url).toBe(400);
      expect(refused.body, url).toMatchObject({ error: { code: 'invalid_request', field } });
    }
    expect(await balanceOf(app, account.id)).toBe(1000);
    const subscriptions = await app.api<{ data: unknown[] }>('GET', '/v1/subscriptions', { key: account.key });
    expect(subscriptions.body.data).toEqual([]);
  });

  it('pages through the news without repeating or skipping, charging the first page only', async () => {
    const whole = await app.api<PartPage>('GET', '/v1/companies/cmp_paged/news', { key: account.key });
    expect(whole.status).toBe(200);
    expect(whole.body.next_cursor).toBeNull();
    expect(whole.body.data).toHaveLength(5);
    expect(whole.body.credits.charged).toBe(1);

    const paged: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/companies/cmp_paged/news?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await app.api<PartPage>('GET', url, { key: account.key });
      expect(page.status, url).toBe(200);
      expect(page.body.credits.charged).toBe(0);
      paged.push(...page.body.data.map((item) => item.title));
      cursor = page.body.next_cursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(paged).toEqual(whole.body.data.map((item) => item.title));
    expect(await balanceOf(app, account.id)).toBe(999);
  });
});
