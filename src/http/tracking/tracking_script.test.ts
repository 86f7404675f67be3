// Proves the tracking script, run against a stand-in browser: it reads its site id from its own
// tag, beacons a text body on load, again on pushState/replaceState/popstate (with the previous
// URL as referrer), falls back to fetch with keepalive when the beacon is refused, and never throws.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { trackingScript } from './tracking_script.ts';

interface Sent {
  via: 'beacon' | 'fetch';
  endpoint: string;
  body: unknown;
  keepalive?: boolean;
}

function browser(options: { beacon: boolean }) {
  const sent: Sent[] = [];
  const listeners: Record<string, Array<() => void>> = {};
  const timers: Array<() => void> = [];
  const location = { href: 'https://shop.example/' };
  const history = {
    pushState(_state: unknown, _title: string, url: string) {
      location.href = new URL(url, location.href).href;
    },
    replaceState(_state: unknown, _title: string, url: string) {
      location.href = new URL(url, location.href).href;
    },
  };
  const window = {
    addEventListener: (name: string, listener: () => void) => (listeners[name] ??= []).push(listener),
    fetch: (endpoint: string, init: { body: string; keepalive: boolean }) => {
      sent.push({ via: 'fetch', endpoint, body: JSON.parse(init.body), keepalive: init.keepalive });
      return Promise.resolve();
    },
  };
  const globals = {
    URL,
    JSON,
    location,
    history,
    window,
    fetch: window.fetch,
    addEventListener: window.addEventListener,
    setTimeout: (callback: () => void) => timers.push(callback),
    document: {
      readyState: 'loading',
      referrer: 'https://news.example/story',
      currentScript: { src: 'https://quarry.example/t.js', getAttribute: (name: string) => (name === 'data-site' ? 'site_abc' : null) },
    },
    navigator: {
      sendBeacon: options.beacon
        ? (endpoint: string, body: string) => {
            sent.push({ via: 'beacon', endpoint, body: JSON.parse(body) });
            return true;
          }
        : () => false,
    },
  };
  runInNewContext(trackingScript, globals);
  return {
    sent,
    fire: (name: string) => listeners[name]?.forEach((listener) => listener()),
    flush: () => timers.splice(0).forEach((timer) => timer()),
    history,
    location,
  };
}

describe('tracking script', () => {
  it('beacons each page view, SPA navigation included', () => {
    const page = browser({ beacon: true });
    expect(page.sent).toEqual([]);
    page.fire('load');
    page.history.pushState({}, '', '/pricing?plan=pro');
    page.flush();
    page.history.replaceState({}, '', '/pricing?plan=pro');
    page.flush();
    page.location.href = 'https://shop.example/';
    page.fire('popstate');
    page.flush();
    expect(page.sent).toEqual([
      { via: 'beacon', endpoint: 'https://quarry.example/collect', body: { site_id: 'site_abc', url: 'https://shop.example/', referrer: 'https://news.example/story' } },
      { via: 'beacon', endpoint: 'https://quarry.example/collect', body: { site_id: 'site_abc', url: 'https://shop.example/pricing?plan=pro', referrer: 'https://shop.example/' } },
      { via: 'beacon', endpoint: 'https://quarry.example/collect', body: { site_id: 'site_abc', url: 'https://shop.example/', referrer: 'https://shop.example/pricing?plan=pro' } },
    ]);
  });

  it('falls back to fetch with keepalive when the beacon is refused', () => {
    const page = browser({ beacon: false });
    page.fire('load');
    expect(page.sent).toEqual([{ via: 'fetch', endpoint: 'https://quarry.example/collect', body: { site_id: 'site_abc', url: 'https://shop.example/', referrer: 'https://news.example/story' }, keepalive: true }]);
  });

  it('does nothing, and throws nothing, without its tag', () => {
    expect(() => runInNewContext(trackingScript, { document: { currentScript: null } })).not.toThrow();
    expect(() => runInNewContext(trackingScript, {})).not.toThrow();
  });
});
