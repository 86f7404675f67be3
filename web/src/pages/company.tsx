// A company: its core identifiers (free); its deep data (firmographics, signals, financials,
// news) behind "Unlock · 1 credit", or "Subscribed until <date>" while the account's
// subscription lasts; and its contacts, each revealed on its own (1 credit each).
//
// Nothing here reads deep data before the user asks, unless a subscription already covers it:
// the page opens with GET /v1/companies/{id}/core, which never charges.
import { useState } from 'react';
import { api, unwrap } from '../api.ts';
import { ErrorMessage, Loading, PageTitle, WebAppGate, useAsync } from '../components/common.tsx';
import { FinancialsChart } from '../components/financials_chart.tsx';
import { formatCompact, formatDate, subscriptionSourceLabels } from '../format.ts';
import { Link } from '../router.tsx';
import type { Company, CompanyCore, Contact, ContactListItem, Financial, NewsItem, Signal } from '../types.ts';

interface DeepData {
  company: Company;
  signals: Signal[];
  financials: Financial[];
  news: NewsItem[];
}

/** Reads the company's deep data: the first read charges (when not subscribed), the parts are then free. */
async function readDeepData(id: string): Promise<DeepData> {
  const path = { params: { path: { id } } };
  const company = await unwrap(api.GET('/v1/companies/{id}', path));
  const [signals, financials, news] = await Promise.all([
    unwrap(api.GET('/v1/companies/{id}/signals', path)),
    unwrap(api.GET('/v1/companies/{id}/financials', path)),
    unwrap(api.GET('/v1/companies/{id}/news', path)),
  ]);
  return { company, signals: signals.data, financials: financials.data, news: news.data };
}

export function CompanyPage({ id }: { id: string }) {
  return (
    <WebAppGate>
      <CompanyView id={id} />
    </WebAppGate>
  );
}

function CompanyView({ id }: { id: string }) {
  const core = useAsync(() => unwrap(api.GET('/v1/companies/{id}/core', { params: { path: { id } } })), [id]);
  if (core.error) {
    return (
      <div className="page">
        <PageTitle>Company</PageTitle>
        <ErrorMessage error={core.error} />
        <p>
          <Link to="/search">Back to search</Link>
        </p>
      </div>
    );
  }
  if (!core.data) return <Loading />;
  return <CompanyLoaded core={core.data} />;
}

function CompanyLoaded({ core }: { core: CompanyCore }) {
  const [subscription, setSubscription] = useState(core.subscription);
  const deep = useAsync(async () => (subscription ? readDeepData(core.id) : null), [core.id, subscription !== null]);
  const [unlocking, setUnlocking] = useState(false);
  const [unlockError, setUnlockError] = useState<unknown>(undefined);

  const unlock = async () => {
    setUnlocking(true);
    setUnlockError(undefined);
    try {
      const read = await unwrap(api.GET('/v1/companies/{id}', { params: { path: { id: core.id } } }));
      setSubscription(read.subscription);
    } catch (error) {
      setUnlockError(error);
    } finally {
      setUnlocking(false);
    }
  };

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/search">Search</Link> / {core.name}
      </p>
      <PageTitle>{core.name}</PageTitle>
      <section className="panel identity" aria-labelledby="identity-title">
        <h2 id="identity-title" className="visually-hidden">
          Identifiers
        </h2>
        <dl className="facts">
          <div>
            <dt>Domain</dt>
            <dd>{core.domain ?? '—'}</dd>
          </div>
          <div>
            <dt>Country</dt>
            <dd>{core.country ?? '—'}</dd>
          </div>
          <div>
            <dt>Quarry id</dt>
            <dd>
              <code>{core.id}</code>
            </dd>
          </div>
        </dl>
        <div className="unlock">
          {subscription ? (
            <>
              <p className="badge badge-ok" data-testid="subscription-status">
                Subscribed until {formatDate(subscription.expires_at)}
              </p>
              <p className="muted" data-testid="subscription-source">
                {subscription.source === 'web_visit'
                  ? 'Free: unlocked because this company visited your website.'
                  : `Unlocked by: ${subscriptionSourceLabels[subscription.source]}.`}
              </p>
            </>
          ) : (
            <>
              <button type="button" className="button-primary" onClick={() => void unlock()} disabled={unlocking}>
                Unlock · 1 credit
              </button>
              <p className="muted">Unlocking gives you this company's full data, signals, financials and news for 12 months, through the web app and the API.</p>
            </>
          )}
        </div>
        <ErrorMessage error={unlockError} />
      </section>

      {subscription && (deep.error ? <ErrorMessage error={deep.error} /> : deep.data ? <DeepDataView data={deep.data} /> : <Loading />)}

      <Contacts companyId={core.id} />
    </div>
  );
}

function DeepDataView({ data }: { data: DeepData }) {
  const { company } = data;
  return (
    <>
      <section className="panel" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        {company.data.description && <p>{company.data.description}</p>}
        <dl className="facts">
          <div>
            <dt>Industry</dt>
            <dd>{company.data.industry ?? '—'}</dd>
          </div>
          <div>
            <dt>Employees</dt>
            <dd>{company.data.employees?.toLocaleString('en-US') ?? '—'}</dd>
          </div>
          <div>
            <dt>Revenue</dt>
            <dd>{company.data.revenue_usd === null ? '—' : `$${formatCompact(company.data.revenue_usd)}`}</dd>
          </div>
          <div>
            <dt>Founded</dt>
            <dd>{company.data.founded ?? '—'}</dd>
          </div>
          <div>
            <dt>City</dt>
            <dd>{company.data.city ?? '—'}</dd>
          </div>
        </dl>
        {company.data.technologies.length > 0 && (
          <>
            <h3>Technologies</h3>
            <ul className="chips">
              {company.data.technologies.map((technology) => (
                <li key={technology}>{technology}</li>
              ))}
            </ul>
          </>
        )}
      </section>
      <div className="columns">
        <section className="panel" aria-labelledby="signals-title">
          <h2 id="signals-title">Signals</h2>
          {data.signals.length === 0 ? (
            <p className="muted">No signals.</p>
          ) : (
            <ul className="timeline">
              {data.signals.map((signal, index) => (
                <li key={`${signal.occurred_at}-${index}`}>
                  <span className="badge">{signal.type.replaceAll('_', ' ')}</span> {signal.title}{' '}
                  <time className="muted" dateTime={signal.occurred_at}>
                    {formatDate(signal.occurred_at)}
                  </time>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="panel" aria-labelledby="financials-title">
          <h2 id="financials-title">Financials</h2>
          {data.financials.length === 0 ? <p className="muted">No financials.</p> : <FinancialsChart financials={data.financials} />}
        </section>
      </div>
      <section className="panel" aria-labelledby="news-title">
        <h2 id="news-title">News</h2>
        {data.news.length === 0 ? (
          <p className="muted">No news.</p>
        ) : (
          <ul className="news">
            {data.news.map((item, index) => (
              <li key={`${item.url}-${index}`}>
                <h3>
                  {/^https?:\/\//.test(item.url ?? '') ? (
                    <a href={item.url ?? undefined} rel="noopener noreferrer nofollow" target="_blank">
                      {item.title}
                    </a>
                  ) : (
                    item.title
                  )}
                </h3>
                <p className="muted">
                  {item.source} · <time dateTime={item.published_at ?? undefined}>{item.published_at ? formatDate(item.published_at) : ''}</time>
                </p>
                {item.summary && <p>{item.summary}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function Contacts({ companyId }: { companyId: string }) {
  const contacts = useAsync(() => unwrap(api.GET('/v1/contacts', { params: { query: { company_id: companyId, limit: 100 } } })), [companyId]);
  return (
    <section className="panel" aria-labelledby="contacts-title">
      <h2 id="contacts-title">Contacts</h2>
      <p className="muted">Each contact is its own record: revealing one costs 1 credit and covers it for 12 months.</p>
      {contacts.error ? (
        <ErrorMessage error={contacts.error} />
      ) : !contacts.data ? (
        <Loading />
      ) : contacts.data.data.length === 0 ? (
        <p className="muted">No contacts known.</p>
      ) : (
        <ul className="contacts">
          {contacts.data.data.map((contact) => (
            <ContactRow key={contact.id} contact={contact} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ContactRow({ contact }: { contact: ContactListItem }) {
  const [revealed, setRevealed] = useState<Contact | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  // A subscribed contact is shown at once: reading it again is free.
  const covered = useAsync(async () => (contact.subscribed ? unwrap(api.GET('/v1/contacts/{id}', { params: { path: { id: contact.id } } })) : null), [contact.id]);
  const shown = revealed ?? covered.data ?? null;

  const reveal = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setRevealed(await unwrap(api.GET('/v1/contacts/{id}', { params: { path: { id: contact.id } } })));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="contact">
      <div>
        <strong>{contact.name}</strong>
        <span className="muted"> · {contact.title ?? 'no title'}</span>
        {shown && (
          <dl className="contact-details">
            <div>
              <dt>Email</dt>
              <dd>{shown.data.email ? <a href={`mailto:${shown.data.email}`}>{shown.data.email}</a> : '—'}</dd>
            </div>
            <div>
              <dt>Phone</dt>
              <dd>{shown.data.phone ?? '—'}</dd>
            </div>
            {shown.data.linkedin_url && /^https?:\/\//.test(shown.data.linkedin_url) && (
              <div>
                <dt>Profile</dt>
                <dd>
                  <a href={shown.data.linkedin_url} rel="noopener noreferrer nofollow" target="_blank">
                    LinkedIn
                  </a>
                </dd>
              </div>
            )}
          </dl>
        )}
        <ErrorMessage error={error ?? covered.error} />
      </div>
      {!shown && !contact.subscribed && (
        <button type="button" className="button-secondary" onClick={() => void reveal()} disabled={busy}>
          {/* The visible words start the accessible name, so speech control ("click Reveal") works. */}
          Reveal · 1 credit<span className="visually-hidden">: {contact.name}</span>
        </button>
      )}
      {shown && !shown.subscription && <span className="muted">Nothing to reveal (no email or phone); not charged.</span>}
    </li>
  );
}
