// Sites: the websites the account tracks for website visitors. Add one by its domain (a host name
// or a URL: the server keeps the host); each site's snippet is shown in a read-only box with a
// "Copy snippet" button (the clipboard, or the text selected where the clipboard is refused).
// Adding a domain already tracked answers with the existing site, and the page says so. Free;
// needs `website_visitors`.
import { useRef, useState, type FormEvent } from 'react';
import { api, idempotencyKey, unwrap } from '../api.ts';
import { ErrorMessage, Loading, PageTitle, WebsiteVisitorsGate, fieldErrorText, useAsync } from '../components/common.tsx';
import { formatDate } from '../format.ts';
import { Link } from '../router.tsx';
import type { Site } from '../types.ts';

const pageSize = 50;

export function SitesPage() {
  return (
    <div className="page">
      <PageTitle subtitle="Paste a site's snippet into every page of the website: the companies that visit it appear under Visitors, each unlocked for free.">
        Sites
      </PageTitle>
      <WebsiteVisitorsGate>
        <SiteManager />
      </WebsiteVisitorsGate>
    </div>
  );
}

interface Added {
  site: Site;
  created: boolean;
  /** Counts the sites added on this page, so that each addition shows afresh. */
  sequence: number;
}

function SiteManager() {
  const [pages, setPages] = useState(1);
  const [added, setAdded] = useState<Added | null>(null);
  const list = useAsync(async () => {
    const items: Site[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < pages; page += 1) {
      const result = await unwrap(api.GET('/v1/sites', { params: { query: { limit: pageSize, cursor } } }));
      items.push(...result.data);
      if (!result.next_cursor) return { items, more: false };
      cursor = result.next_cursor;
    }
    return { items, more: true };
  }, [pages]);

  const others = (list.data?.items ?? []).filter((site) => site.id !== added?.site.id);

  return (
    <>
      <AddSite
        onAdded={(next) => {
          setAdded({ ...next, sequence: (added?.sequence ?? 0) + 1 });
          list.reload();
        }}
      />
      <div role="status">
        {added && (
          <p className="message message-ok">
            {added.created ? (
              <>
                Added <strong>{added.site.domain}</strong>. Paste its snippet below into every page of the site.
              </>
            ) : (
              <>
                <strong>{added.site.domain}</strong> was already tracked: its snippet is below.
              </>
            )}
          </p>
        )}
      </div>
      {(added || others.length > 0) && (
        <p className="muted">
          Paste a site's snippet into the <code>&lt;head&gt;</code> of every page, or just before <code>&lt;/body&gt;</code>. It sets no cookies and
          stores nothing in the visitor's browser; it also reports the pages a single-page app moves to.
        </p>
      )}
      {/* The site just added, here whatever page of the list it falls on (the list is oldest first). */}
      {added && (
        <section className="panel site-added" aria-label={`The site you added: ${added.site.domain}`}>
          <ul className="sites">
            <SiteItem key={added.sequence} site={added.site} />
          </ul>
        </section>
      )}
      <section className="panel" aria-labelledby="sites-title">
        <h2 id="sites-title">{added ? 'Your other sites' : 'Your sites'}</h2>
        {list.error ? (
          <ErrorMessage error={list.error} />
        ) : !list.data ? (
          <Loading />
        ) : others.length === 0 ? (
          <p>{added ? 'No other sites.' : 'No sites yet. Add your website above to get its snippet.'}</p>
        ) : (
          <>
            <ul className="sites">
              {others.map((site) => (
                <SiteItem key={site.id} site={site} />
              ))}
            </ul>
            {list.data.more && (
              <button type="button" className="button-secondary" onClick={() => setPages(pages + 1)}>
                Load more
              </button>
            )}
          </>
        )}
      </section>
    </>
  );
}

function AddSite({ onAdded }: { onAdded(added: Omit<Added, 'sequence'>): void }) {
  const [domain, setDomain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [emptyError, setEmptyError] = useState(false);
  const fieldError = emptyError ? "Enter the website's domain, for example www.example.com." : fieldErrorText(error, 'domain');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setEmptyError(domain.trim() === '');
    if (domain.trim() === '') return;
    setBusy(true);
    try {
      // 201: a new site; 200: the account already tracked this domain, and this is that site.
      let status = 0;
      const site = await unwrap(
        api.POST('/v1/sites', { body: { domain: domain.trim() }, headers: { 'Idempotency-Key': idempotencyKey() } }).then((answer) => {
          status = answer.response.status;
          return answer;
        }),
      );
      onAdded({ site, created: status === 201 });
      setDomain('');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel form-row" aria-label="Add a site" noValidate onSubmit={(event) => void submit(event)}>
      <div className="field field-grow">
        <label htmlFor="site-domain">Domain of the website</label>
        <input
          id="site-domain"
          value={domain}
          maxLength={2048}
          autoComplete="url"
          spellCheck={false}
          placeholder="www.example.com"
          onChange={(event) => setDomain(event.target.value)}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? 'site-domain-error site-domain-help' : 'site-domain-help'}
        />
        <span id="site-domain-help" className="help">
          A host name, or any address on the site (its host is kept)
        </span>
        {fieldError && (
          <span id="site-domain-error" className="field-error" role="alert">
            {fieldError}
          </span>
        )}
      </div>
      <button type="submit" className="button-primary" disabled={busy}>
        Add site
      </button>
      {!fieldError && <ErrorMessage error={error} />}
    </form>
  );
}

type CopyState = 'idle' | 'copied' | 'selected';

function SiteItem({ site }: { site: Site }) {
  const box = useRef<HTMLTextAreaElement>(null);
  const [copy, setCopy] = useState<CopyState>('idle');
  const boxId = `snippet-${site.id}`;

  const copySnippet = async () => {
    try {
      // Missing outside secure contexts, and refused when the browser denies the permission.
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(site.snippet);
      setCopy('copied');
    } catch {
      box.current?.focus();
      box.current?.select();
      setCopy('selected');
    }
  };

  return (
    <li className="site">
      <h3>{site.domain}</h3>
      <p className="muted">
        Added {formatDate(site.created_at)} · <Link to={`/visitors?site=${encodeURIComponent(site.id)}`}>Visitors of {site.domain}</Link>
      </p>
      <div className="field">
        <label htmlFor={boxId}>Snippet for {site.domain}</label>
        <textarea id={boxId} ref={box} className="snippet" readOnly value={site.snippet} rows={2} spellCheck={false} />
      </div>
      <div className="actions">
        <button type="button" className="button-secondary" onClick={() => void copySnippet()}>
          Copy snippet<span className="visually-hidden"> for {site.domain}</span>
        </button>
        <span role="status" className={copy === 'copied' ? 'copy-note copy-note-ok' : 'copy-note'}>
          {copy === 'copied' ? 'Copied to the clipboard.' : copy === 'selected' ? 'The snippet is selected: press Ctrl+C (⌘C on a Mac) to copy it.' : ''}
        </span>
      </div>
    </li>
  );
}
