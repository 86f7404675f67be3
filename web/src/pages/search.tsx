// Search companies: basic (name or domain words, exact domain, country) for every plan with the
// web app; advanced (firmographics, technologies, signals, news) where the plan has api_advanced,
// and a plain explanation where it does not. Searching is free; the results link to each company.
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api.ts';
import { ErrorMessage, Loading, PageTitle, PlanGate, WebAppGate, usePagedList } from '../components/common.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { AdvancedSearch, CompanyListItem } from '../types.ts';

const pageSize = 25;

export function SearchPage() {
  return (
    <div className="page">
      <PageTitle subtitle="Searching is free. Opening a company shows its identifiers; its full data costs 1 credit, once a year.">Search companies</PageTitle>
      <WebAppGate>
        <SearchForms />
      </WebAppGate>
    </div>
  );
}

function SearchForms() {
  const { search } = useLocation();
  const { hasFeature } = useSession();
  const mode = search.get('mode') === 'advanced' ? 'advanced' : 'basic';
  return (
    <>
      <div className="tabs" role="group" aria-label="Kind of search">
        <button type="button" className={mode === 'basic' ? 'tab tab-current' : 'tab'} aria-pressed={mode === 'basic'} onClick={() => navigate('/search')}>
          Basic search
        </button>
        <button
          type="button"
          className={mode === 'advanced' ? 'tab tab-current' : 'tab'}
          aria-pressed={mode === 'advanced'}
          onClick={() => navigate('/search?mode=advanced')}
        >
          Advanced search
        </button>
      </div>
      {mode === 'basic' ? (
        <BasicSearch />
      ) : hasFeature('api_advanced') ? (
        <AdvancedSearchForm />
      ) : (
        <PlanGate title="Advanced search is not part of your plan">
          <p>
            Advanced search filters companies by industry, size, revenue, founding year, technologies, recent signals (funding rounds, hiring…) and
            news. It comes with plans that include <strong>api_advanced</strong>. Basic search by name, domain and country stays available.
          </p>
        </PlanGate>
      )}
    </>
  );
}

function BasicSearch() {
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const domain = search.get('domain') ?? '';
  const country = search.get('country') ?? '';
  const [draft, setDraft] = useState({ q, domain, country });
  const asked = q !== '' || domain !== '' || country !== '';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (draft.q.trim()) params.set('q', draft.q.trim());
    if (draft.domain.trim()) params.set('domain', draft.domain.trim());
    if (draft.country.trim()) params.set('country', draft.country.trim().toUpperCase());
    navigate(`/search?${params.toString()}`);
  };

  return (
    <>
      <form className="panel form-row" role="search" aria-label="Basic company search" onSubmit={submit}>
        <div className="field field-grow">
          <label htmlFor="search-q">Name or domain</label>
          <input id="search-q" type="search" value={draft.q} onChange={(event) => setDraft({ ...draft, q: event.target.value })} placeholder="e.g. acme" />
        </div>
        <div className="field">
          <label htmlFor="search-domain">Exact domain</label>
          <input id="search-domain" value={draft.domain} onChange={(event) => setDraft({ ...draft, domain: event.target.value })} placeholder="acme.com" />
        </div>
        <div className="field field-small">
          <label htmlFor="search-country">Country</label>
          <input
            id="search-country"
            value={draft.country}
            maxLength={2}
            onChange={(event) => setDraft({ ...draft, country: event.target.value })}
            placeholder="DE"
            aria-describedby="search-country-help"
          />
          <span id="search-country-help" className="help">
            Two-letter code
          </span>
        </div>
        <button type="submit" className="button-primary">
          Search
        </button>
      </form>
      {asked ? (
        <Results
          key={search.toString()}
          load={async (cursor) =>
            unwrap(
              api.GET('/v1/companies', {
                params: { query: { q: q || undefined, domain: domain || undefined, country: country || undefined, limit: pageSize, cursor } },
              }),
            )
          }
        />
      ) : (
        <p className="muted">Type a name, a domain or a country to find companies.</p>
      )}
    </>
  );
}

interface AdvancedDraft {
  query: string;
  industries: string;
  countries: string;
  employeesMin: string;
  employeesMax: string;
  revenueMin: string;
  revenueMax: string;
  foundedMin: string;
  foundedMax: string;
  technologies: string;
  signalTypes: string;
  signalsSince: string;
  newsQuery: string;
}

const emptyDraft: AdvancedDraft = {
  query: '',
  industries: '',
  countries: '',
  employeesMin: '',
  employeesMax: '',
  revenueMin: '',
  revenueMax: '',
  foundedMin: '',
  foundedMax: '',
  technologies: '',
  signalTypes: '',
  signalsSince: '',
  newsQuery: '',
};

function list(text: string): string[] | undefined {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

function range(minimum: string, maximum: string): { min?: number; max?: number } | undefined {
  const min = minimum.trim() === '' ? undefined : Number(minimum);
  const max = maximum.trim() === '' ? undefined : Number(maximum);
  if (min === undefined && max === undefined) return undefined;
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

function advancedBody(draft: AdvancedDraft): Omit<AdvancedSearch, 'limit' | 'cursor'> {
  const signalTypes = list(draft.signalTypes);
  const signalsSince = draft.signalsSince ? new Date(`${draft.signalsSince}T00:00:00Z`).toISOString() : undefined;
  return {
    query: draft.query.trim() || undefined,
    industries: list(draft.industries),
    countries: list(draft.countries.toUpperCase()),
    employees: range(draft.employeesMin, draft.employeesMax),
    revenue_usd: range(draft.revenueMin, draft.revenueMax),
    founded: range(draft.foundedMin, draft.foundedMax),
    technologies: list(draft.technologies),
    signals: signalTypes || signalsSince ? { types: signalTypes, since: signalsSince } : undefined,
    news: draft.newsQuery.trim() ? { query: draft.newsQuery.trim() } : undefined,
  };
}

function TextField(props: { id: string; label: string; value: string; onChange(value: string): void; help?: string; type?: string; placeholder?: string }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        placeholder={props.placeholder}
        onChange={(event) => props.onChange(event.target.value)}
        aria-describedby={props.help ? `${props.id}-help` : undefined}
      />
      {props.help && (
        <span id={`${props.id}-help`} className="help">
          {props.help}
        </span>
      )}
    </div>
  );
}

function AdvancedSearchForm() {
  const [draft, setDraft] = useState<AdvancedDraft>(emptyDraft);
  const [submitted, setSubmitted] = useState<{ body: ReturnType<typeof advancedBody>; generation: number } | null>(null);
  const set = (field: keyof AdvancedDraft) => (value: string) => setDraft({ ...draft, [field]: value });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted({ body: advancedBody(draft), generation: (submitted?.generation ?? 0) + 1 });
  };

  return (
    <>
      <form className="panel" aria-label="Advanced company search" onSubmit={submit}>
        <div className="form-grid">
          <TextField id="adv-query" label="Words in name or description" value={draft.query} onChange={set('query')} />
          <TextField id="adv-industries" label="Industries" value={draft.industries} onChange={set('industries')} help="Any of, separated by commas" />
          <TextField id="adv-countries" label="Countries" value={draft.countries} onChange={set('countries')} help="Two-letter codes, e.g. DE, FR" />
          <TextField id="adv-technologies" label="Technologies" value={draft.technologies} onChange={set('technologies')} help="All of, separated by commas" />
          <fieldset className="range">
            <legend>Employees</legend>
            <TextField id="adv-employees-min" label="From" type="number" value={draft.employeesMin} onChange={set('employeesMin')} />
            <TextField id="adv-employees-max" label="To" type="number" value={draft.employeesMax} onChange={set('employeesMax')} />
          </fieldset>
          <fieldset className="range">
            <legend>Revenue (USD)</legend>
            <TextField id="adv-revenue-min" label="From" type="number" value={draft.revenueMin} onChange={set('revenueMin')} />
            <TextField id="adv-revenue-max" label="To" type="number" value={draft.revenueMax} onChange={set('revenueMax')} />
          </fieldset>
          <fieldset className="range">
            <legend>Founded</legend>
            <TextField id="adv-founded-min" label="From year" type="number" value={draft.foundedMin} onChange={set('foundedMin')} />
            <TextField id="adv-founded-max" label="To year" type="number" value={draft.foundedMax} onChange={set('foundedMax')} />
          </fieldset>
          <TextField id="adv-signal-types" label="Signal types" value={draft.signalTypes} onChange={set('signalTypes')} help="e.g. funding_round, hiring" />
          <TextField id="adv-signals-since" label="Signals since" type="date" value={draft.signalsSince} onChange={set('signalsSince')} />
          <TextField id="adv-news" label="Words in the news" value={draft.newsQuery} onChange={set('newsQuery')} />
        </div>
        <div className="actions">
          <button type="submit" className="button-primary">
            Search
          </button>
          <button type="button" className="button-quiet" onClick={() => setDraft(emptyDraft)}>
            Clear filters
          </button>
        </div>
      </form>
      {submitted ? (
        <Results key={submitted.generation} load={async (cursor) => unwrap(api.POST('/v1/companies/search', { body: { ...submitted.body, limit: pageSize, cursor } }))} />
      ) : (
        <p className="muted">Set any filters and search; every filter narrows the result.</p>
      )}
    </>
  );
}

interface ResultPage {
  data: CompanyListItem[];
  next_cursor: string | null;
}

function Results({ load }: { load(cursor: string | undefined): Promise<ResultPage> }) {
  const { first, items, cursor, loadingMore, moreError, loadMore } = usePagedList(load);
  if (first.error) return <ErrorMessage error={first.error} />;
  if (!first.data) return <Loading label="Searching…" />;

  if (items.length === 0) return <p role="status">No company matches.</p>;
  return (
    <section aria-labelledby="results-title">
      <h2 id="results-title" role="status">
        {items.length}
        {cursor ? '+' : ''} {items.length === 1 ? 'company' : 'companies'}
      </h2>
      <table className="results">
        <thead>
          <tr>
            <th scope="col">Company</th>
            <th scope="col">Domain</th>
            <th scope="col">Country</th>
            <th scope="col">Access</th>
          </tr>
        </thead>
        <tbody>
          {items.map((company) => (
            <tr key={company.id}>
              <td>
                <Link to={`/companies/${encodeURIComponent(company.id)}`}>{company.name}</Link>
              </td>
              <td>{company.domain ?? '—'}</td>
              <td>{company.country ?? '—'}</td>
              <td>{company.subscribed ? <span className="badge badge-ok">Subscribed</span> : <span className="muted">Not unlocked</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorMessage error={moreError} />
      {cursor && (
        <button type="button" className="button-secondary" disabled={loadingMore} onClick={() => void loadMore()}>
          {loadingMore ? 'Loading…' : 'Show more'}
        </button>
      )}
    </section>
  );
}
