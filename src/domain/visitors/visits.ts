// Visits of one company to one site, aggregated: a count, first and last seen, and two bounded
// lists. Pure: receives `now`, returns the row to write.
//
// Pages are the distinct paths viewed (the URL's path only: a query string or fragment can hold
// personal data), in first-seen order, at most `pagesMax`; later new paths are not kept, the
// count still grows. Referrers are the distinct hosts that sent the visitor, other than the site
// itself, at most `referrersMax`.

/** Distinct page paths kept per company and site. */
export const pagesMax = 50;
/** The longest page path kept, in characters (longer ones are cut). */
export const pagePathCharsMax = 200;
/** Distinct referring hosts kept per company and site. */
export const referrersMax = 20;

export interface VisitAggregate {
  visits: number;
  firstSeen: number;
  lastSeen: number;
  pages: string[];
  referrers: string[];
}

export interface PageView {
  /** The path of the page viewed. */
  path: string;
  /** The referring host, when another site sent the visitor. */
  referrerHost: string | null;
  at: number;
}

/** The page's path and host from the URL the script sent; null when it is not an http(s) URL. */
export function pageOf(url: string): { path: string; host: string } | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return { path: parsed.pathname.slice(0, pagePathCharsMax), host: parsed.hostname.toLowerCase() };
  } catch {
    return null;
  }
}

/** The referring host, unless it is the page's own host (navigation inside the site) or not a URL. */
export function referrerHostOf(referrer: string | undefined, pageHost: string): string | null {
  if (!referrer) return null;
  try {
    const parsed = new URL(referrer);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    const host = parsed.hostname.toLowerCase();
    return host === pageHost || host.length === 0 ? null : host;
  } catch {
    return null;
  }
}

function withBounded(list: readonly string[], item: string | null, max: number): string[] {
  if (item === null || list.includes(item) || list.length >= max) return [...list];
  return [...list, item];
}

/** The aggregate after one more page view. */
export function addPageView(current: VisitAggregate | null, view: PageView): VisitAggregate {
  if (!current) {
    return {
      visits: 1,
      firstSeen: view.at,
      lastSeen: view.at,
      pages: [view.path],
      referrers: view.referrerHost === null ? [] : [view.referrerHost],
    };
  }
  return {
    visits: current.visits + 1,
    firstSeen: Math.min(current.firstSeen, view.at),
    lastSeen: Math.max(current.lastSeen, view.at),
    pages: withBounded(current.pages, view.path, pagesMax),
    referrers: withBounded(current.referrers, view.referrerHost, referrersMax),
  };
}
