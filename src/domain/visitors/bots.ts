// Bots are told apart by their user agent: crawlers, monitors, link previewers and HTTP
// libraries announce themselves. Their visits are dropped: a crawler's network is not a
// company looking at the site. Headless browsers are not refused by name: they run the page's
// script like any browser, and automated tests of a customer's own site use them. Pure: no I/O.

/** Lowercase fragments of user agents that only automated clients send. */
export const botUserAgentMarkers = [
  'bot',
  'crawl',
  'spider',
  'slurp',
  'mediapartners',
  'facebookexternalhit',
  'embedly',
  'quora link preview',
  'whatsapp',
  'preview',
  'phantomjs',
  'lighthouse',
  'pingdom',
  'uptime',
  'monitor',
  'curl/',
  'wget/',
  'python-requests',
  'python-urllib',
  'aiohttp',
  'go-http-client',
  'java/',
  'okhttp',
  'axios/',
  'node-fetch',
  'undici',
  'libwww-perl',
  'httpclient',
  'scrapy',
] as const;

/** The longest user agent inspected, in characters (longer ones are cut before matching). */
export const userAgentCharsMax = 512;

/** True when the user agent is missing (every browser sends one) or carries a bot marker. */
export function isBotUserAgent(userAgent: string | undefined): boolean {
  if (!userAgent || userAgent.trim().length === 0) return true;
  const text = userAgent.slice(0, userAgentCharsMax).toLowerCase();
  return botUserAgentMarkers.some((marker) => text.includes(marker));
}
