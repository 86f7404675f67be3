// Visitors: the companies identified visiting the account's sites, latest visit first, one row
// per company and site. Filters by site and by the day of the last visit (in the URL, so a view
// can be bookmarked), "Load more" through the cursor, and each row opens to the pages the company
// read and the sites that sent it. Every identified company gets a free subscription (source
// `web_visit`): the Access column shows the subscription the account holds now, as the feed
// gives it with each item, so it stays true when one started otherwise or has ended.
// Free; needs `website_visitors`.
import { useState } from 'react';
import { api, unwrap } from '../api.ts';
import { ErrorMessage, Loading, PageTitle, WebsiteVisitorsGate, useAsync, usePagedList, type CursorPage } from '../components/common.tsx';
import { formatDate, formatDateTime } from '../format.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import type { Site, Visitor } from '../types.ts';

const pageSize = 25;
/** Sites read for the filter and the Site column: pages of the largest size, at most this many. */
const sitePagesMax = 10;
const sitePageSize = 500;

export function VisitorsPage() {
  return (
    <div className="page">
      <PageTitle subtitle="Companies identified visiting your sites, latest visit first. Each one is unlocked for free for 12 months.">Visitors</PageTitle>
      <WebsiteVisitorsGate>
        <VisitorsView />
      </WebsiteVisitorsGate>
    </div>
  );
}

async function allSites(): Promise<Site[]> {
  const sites: Site[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < sitePagesMax; page += 1) {
    const result = await unwrap(api.GET('/v1/sites', { params: { query: { limit: sitePageSize, cursor } } }));
    sites.push(...result.data);
    if (!result.next_cursor) break;
    cursor = result.next_cursor;
  }
  return sites;
}

/** The start of a day (`2026-01-31`) in the reader's time zone, as an instant; the day after when `nextDay`. */
function dayStart(day: string, nextDay = false): string | undefined {
  const date = new Date(`${day}T00:00:00`);
  if (Number.isNaN(date.getTime())) return undefined;
  if (nextDay) date.setDate(date.getDate() + 1);
  return date.toISOString();
}

interface Filters {
  site: string;
  since: string;
  until: string;
}

function VisitorsView() {
  const { search } = useLocation();
  const filters: Filters = { site: search.get('site') ?? '', since: search.get('since') ?? '', until: search.get('until') ?? '' };
  const sites = useAsync(allSites, []);
  const siteDomains = new Map((sites.data ?? []).map((site) => [site.id, site.domain]));
  const filtered = filters.site !== '' || filters.since !== '' || filters.until !== '';
  const backwards = filters.since !== '' && filters.until !== '' && filters.until < filters.since;

  const setFilter = (name: keyof Filters, value: string) => {
    const params = new URLSearchParams(search);
    if (value) params.set(name, value);
    else params.delete(name);
    const query = params.toString();
    navigate(query ? `/visitors?${query}` : '/visitors', { replace: true });
  };

  return (
    <>
      <form className="panel form-row" aria-label="Filter visitors" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="visitors-site">Site</label>
          <select id="visitors-site" value={filters.site} onChange={(event) => setFilter('site', event.target.value)}>
            <option value="">All sites</option>
            {/* A site in the URL that is not (yet) in the list still shows as chosen. */}
            {filters.site !== '' && !siteDomains.has(filters.site) && <option value={filters.site}>{filters.site}</option>}
            {(sites.data ?? []).map((site) => (
              <option key={site.id} value={site.id}>
                {site.domain}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="visitors-since">Last visit on or after</label>
          <input id="visitors-since" type="date" value={filters.since} max={filters.until || undefined} onChange={(event) => setFilter('since', event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="visitors-until">Last visit on or before</label>
          <input id="visitors-until" type="date" value={filters.until} min={filters.since || undefined} onChange={(event) => setFilter('until', event.target.value)} />
        </div>
        {filtered && (
          <button type="button" className="button-quiet" onClick={() => navigate('/visitors', { replace: true })}>
            Clear filters
          </button>
        )}
      </form>
      <ErrorMessage error={sites.error} />
      {sites.data && sites.data.length === 0 ? (
        <p className="message">
          No site is tracked yet. <Link to="/sites">Add your website on the Sites page</Link> and paste its snippet into its pages: the companies that
          visit it will appear here.
        </p>
      ) : backwards ? (
        <p className="message" role="status">
          The “on or before” day is earlier than the “on or after” day: no visit can match.
        </p>
      ) : (
        <Feed key={search.toString()} filters={filters} siteDomains={siteDomains} />
      )}
    </>
  );
}

type FeedPage = CursorPage<Visitor>;

function Feed({ filters, siteDomains }: { filters: Filters; siteDomains: Map<string, string> }) {
  const load = (cursor: string | undefined): Promise<FeedPage> =>
    unwrap(
      api.GET('/v1/visitors', {
        params: {
          query: {
            site_id: filters.site || undefined,
            since: filters.since ? dayStart(filters.since) : undefined,
            until: filters.until ? dayStart(filters.until, true) : undefined,
            limit: pageSize,
            cursor,
          },
        },
      }),
    );
  const { first, items, cursor, loadingMore, moreError, loadMore } = usePagedList(load);

  if (first.error) return <ErrorMessage error={first.error} />;
  if (!first.data) return <Loading label="Loading visitors…" />;

  if (items.length === 0) {
    return (
      <p className="message" role="status">
        No visits match. A visit shows here a moment after the page view, once the visitor's address is matched to a company.
      </p>
    );
  }
  return (
    <section aria-labelledby="visitors-count">
      {/* A live region around the heading (not on it, which would take its heading role away). */}
      <div role="status">
        <h2 id="visitors-count">
          {items.length}
          {cursor ? '+' : ''} {items.length === 1 ? 'visitor' : 'visitors'}
        </h2>
      </div>
      <div className="table-scroll">
        <table className="visitors">
          <thead>
            <tr>
              <th scope="col">Company</th>
              <th scope="col">Domain</th>
              <th scope="col">Site</th>
              <th scope="col" className="number">
                Visits
              </th>
              <th scope="col">First seen</th>
              <th scope="col">Last seen</th>
              <th scope="col">Access</th>
              <th scope="col">Pages</th>
            </tr>
          </thead>
          {items.map((visitor) => (
            <VisitorRows key={`${visitor.company.id} ${visitor.site_id}`} visitor={visitor} siteDomain={siteDomains.get(visitor.site_id)} />
          ))}
        </table>
      </div>
      <ErrorMessage error={moreError} />
      {cursor && (
        <button type="button" className="button-secondary" disabled={loadingMore} onClick={() => void loadMore()}>
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

/** A company's row and, below it, its pages and referrers (shown on demand): one tbody each. */
function VisitorRows({ visitor, siteDomain }: { visitor: Visitor; siteDomain: string | undefined }) {
  const [open, setOpen] = useState(false);
  const { company } = visitor;
  const name = company.name ?? company.domain ?? company.id;
  const site = siteDomain ?? visitor.site_id;
  const detailsId = `visit-${company.id}-${visitor.site_id}`;
  return (
    <tbody className={open ? 'visit visit-open' : 'visit'}>
      <tr>
        <td>
          <Link to={`/companies/${encodeURIComponent(company.id)}`}>{name}</Link>
        </td>
        <td>{company.domain ?? '—'}</td>
        <td>{site}</td>
        <td className="number">{visitor.visits}</td>
        <td>
          <time dateTime={visitor.first_seen}>{formatDateTime(visitor.first_seen)}</time>
        </td>
        <td>
          <time dateTime={visitor.last_seen}>{formatDateTime(visitor.last_seen)}</time>
        </td>
        <td>
          <Access companyId={company.id} name={name} subscription={visitor.subscription} />
        </td>
        <td>
          <button type="button" className="button-quiet button-small" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen(!open)}>
            {open ? 'Hide' : 'Show'} {visitor.pages.length} {visitor.pages.length === 1 ? 'page' : 'pages'}
            <span className="visually-hidden">
              {' '}
              of {name} on {site}
            </span>
          </button>
        </td>
      </tr>
      <tr id={detailsId} className="visit-details" hidden={!open}>
        <td colSpan={8}>
          <div className="visit-lists">
            <div>
              <h3>Pages viewed</h3>
              <ul>
                {visitor.pages.map((page) => (
                  <li key={page}>
                    <code>{page}</code>
                  </li>
                ))}
              </ul>
            </div>
            <div>
              <h3>Came from</h3>
              {visitor.referrers.length === 0 ? (
                <p className="muted">No other site sent this company (direct visits).</p>
              ) : (
                <ul>
                  {visitor.referrers.map((referrer) => (
                    <li key={referrer}>{referrer}</li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        </td>
      </tr>
    </tbody>
  );
}

/** The subscription the account holds now to the company: free from a web visit, as a rule. */
function Access({ companyId, name, subscription }: { companyId: string; name: string; subscription: Visitor['subscription'] }) {
  if (!subscription) return <span className="muted">Not subscribed</span>;
  const to = `/companies/${encodeURIComponent(companyId)}`;
  const until = `until ${formatDate(subscription.expires_at)}`;
  const label = subscription.source === 'web_visit' ? 'Free · web visit' : subscription.source === 'grant' ? 'Free · granted' : 'Subscribed';
  return (
    <Link to={to} className="badge badge-ok badge-link" title={`Subscribed ${until}`} data-testid="visitor-access">
      {label}
      <span className="visually-hidden">
        : {name}, subscribed {until}
      </span>
    </Link>
  );
}
