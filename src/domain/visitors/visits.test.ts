// Proves the pure rules of website visitors: domain normalization, bot markers, and the
// bounded aggregate of page views (no query strings kept, distinct pages and referrers).
import { describe, expect, it } from 'vitest';
import { normalizeDomain } from './sites.ts';
import { isBotUserAgent } from './bots.ts';
import { addPageView, pageOf, pagesMax, referrerHostOf } from './visits.ts';

describe('website visitors rules', () => {
  it('normalizes a domain from a host or a URL, and refuses what names no host', () => {
    expect(normalizeDomain('Example.COM')).toBe('example.com');
    expect(normalizeDomain('https://www.Example.com:8443/shop?x=1')).toBe('www.example.com');
    expect(normalizeDomain('localhost')).toBe('localhost');
    expect(normalizeDomain('example.com.')).toBe('example.com');
    for (const bad of ['', '   ', 'http://', 'exa mple.com', '-bad.com', 'user:pw@example.com', 'a'.repeat(300)]) {
      expect(normalizeDomain(bad), bad).toBeNull();
    }
  });

  it('tells bots from browsers by user agent', () => {
    expect(isBotUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36')).toBe(false);
    for (const bot of ['Mozilla/5.0 (compatible; Googlebot/2.1)', 'curl/8.0', 'python-requests/2.31', '', undefined]) {
      expect(isBotUserAgent(bot), String(bot)).toBe(true);
    }
  });

  it('keeps paths without query strings, distinct and bounded, and foreign referrers only', () => {
    expect(pageOf('https://shop.example/a/b?email=x@y.z#top')).toEqual({ path: '/a/b', host: 'shop.example' });
    expect(pageOf('javascript:alert(1)')).toBeNull();
    expect(referrerHostOf('https://shop.example/x', 'shop.example')).toBeNull();
    expect(referrerHostOf('https://news.example/story?id=1', 'shop.example')).toBe('news.example');
    let aggregate = addPageView(null, { path: '/', referrerHost: 'news.example', at: 10 });
    aggregate = addPageView(aggregate, { path: '/', referrerHost: 'news.example', at: 20 });
    expect(aggregate).toEqual({ visits: 2, firstSeen: 10, lastSeen: 20, pages: ['/'], referrers: ['news.example'] });
    for (let index = 0; index < pagesMax + 10; index += 1) aggregate = addPageView(aggregate, { path: `/p${index}`, referrerHost: null, at: 30 });
    expect(aggregate.pages).toHaveLength(pagesMax);
    expect(aggregate.visits).toBe(pagesMax + 12);
  });
});
