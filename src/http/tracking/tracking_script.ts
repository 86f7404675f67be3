// The tracking script served at GET /t.js: no dependencies, no cookies, no storage. It reads its
// site id from its own tag (`data-site`), and reports each page view to POST /collect next to
// it: on load, and on single-page-app navigation (history.pushState/replaceState, popstate).
// sendBeacon sends a text/plain body (a "simple" request: no CORS preflight, survives the page
// closing); where it is missing or refuses, fetch with keepalive does the same. Nothing it does
// can throw into the page.
export const trackingScript = `(function () {
  try {
    var script = document.currentScript;
    var site = script && script.getAttribute('data-site');
    if (!site) return;
    var endpoint = new URL('/collect', script.src).href;
    var last = null;
    var send = function () {
      try {
        var url = location.href;
        if (url === last) return;
        var referrer = last === null ? document.referrer : last;
        last = url;
        var body = JSON.stringify({ site_id: site, url: url, referrer: referrer || null });
        if (navigator.sendBeacon && navigator.sendBeacon(endpoint, body)) return;
        if (window.fetch) {
          fetch(endpoint, { method: 'POST', body: body, keepalive: true, mode: 'no-cors', credentials: 'omit', headers: { 'Content-Type': 'text/plain' } })['catch'](function () {});
        }
      } catch (ignored) {}
    };
    var later = function () { setTimeout(send, 0); };
    var wrap = function (name) {
      var original = history[name];
      if (typeof original !== 'function') return;
      history[name] = function () {
        var result = original.apply(this, arguments);
        later();
        return result;
      };
    };
    wrap('pushState');
    wrap('replaceState');
    window.addEventListener('popstate', later);
    if (document.readyState === 'complete') send();
    else window.addEventListener('load', send);
  } catch (ignored) {}
})();
`;
