// API keys: the account's keys by name and prefix; owners create one (its secret shown once,
// here, and never again) and revoke one (after a confirmation). Members may only look.
import { useState, type FormEvent } from 'react';
import { api, idempotencyKey, unwrap } from '../api.ts';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../components/common.tsx';
import { formatDate } from '../format.ts';
import { useSession } from '../session.tsx';
import type { ApiKeySummary, NewApiKey } from '../types.ts';

export function ApiKeysPage() {
  const { session } = useSession();
  const owner = session?.user.role === 'owner';
  const [showRevoked, setShowRevoked] = useState(false);
  const keys = useAsync(
    () => unwrap(api.GET('/v1/api-keys', { params: { query: { include_revoked: showRevoked ? 'true' : 'false', limit: 500 } } })),
    [showRevoked],
  );
  const [created, setCreated] = useState<NewApiKey | null>(null);

  return (
    <div className="page">
      <PageTitle subtitle="Keys let programs use the API with this account's credits: send Authorization: Bearer <key>.">API keys</PageTitle>
      {owner ? (
        <CreateKey
          onCreated={(key) => {
            setCreated(key);
            keys.reload();
          }}
        />
      ) : (
        <p className="message">Only an owner of the account can create or revoke keys.</p>
      )}
      {created && <NewKeyNotice created={created} onDone={() => setCreated(null)} />}
      <section className="panel" aria-labelledby="keys-title">
        <h2 id="keys-title">Keys</h2>
        <div className="field field-check">
          <input id="keys-revoked" type="checkbox" checked={showRevoked} onChange={(event) => setShowRevoked(event.target.checked)} />
          <label htmlFor="keys-revoked">Show revoked keys</label>
        </div>
        {keys.error ? (
          <ErrorMessage error={keys.error} />
        ) : !keys.data ? (
          <Loading />
        ) : keys.data.data.length === 0 ? (
          <p>No keys yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key starts with</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.data.map((key) => (
                <KeyRow key={key.id} apiKey={key} canRevoke={owner} onRevoked={keys.reload} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function CreateKey({ onCreated }: { onCreated(key: NewApiKey): void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await unwrap(api.POST('/v1/api-keys', { body: name.trim() ? { name: name.trim() } : {}, headers: { 'Idempotency-Key': idempotencyKey() } })));
      setName('');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel form-row" aria-label="Create an API key" onSubmit={(event) => void submit(event)}>
      <div className="field field-grow">
        <label htmlFor="key-name">Name of the new key</label>
        <input id="key-name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} placeholder="e.g. CRM sync" />
      </div>
      <button type="submit" className="button-primary" disabled={busy}>
        Create key
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

function NewKeyNotice({ created, onDone }: { created: NewApiKey; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  return (
    <section className="panel notice" aria-labelledby="new-key-title" role="region">
      <h2 id="new-key-title">Your new key{created.name ? `: ${created.name}` : ''}</h2>
      <p>
        Copy it now and keep it safe. <strong>It is shown only this once</strong>: Quarry keeps only a hash of it.
      </p>
      <p className="secret">
        {/* null only when the server replayed a repeated request: the secret is in the first answer alone. */}
        {created.key !== null ? <code data-testid="new-api-key">{created.key}</code> : 'This request was repeated, and the key is shown only on the first answer: revoke it and create another.'}
      </p>
      <div className="actions">
        <button
          type="button"
          className="button-secondary"
          onClick={() => {
            if (created.key !== null) void navigator.clipboard?.writeText(created.key).then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="button-quiet" onClick={onDone}>
          I have saved it
        </button>
      </div>
    </section>
  );
}

function KeyRow({ apiKey, canRevoke, onRevoked }: { apiKey: ApiKeySummary; canRevoke: boolean; onRevoked(): void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const label = apiKey.name ?? apiKey.prefix;
  const revoke = async () => {
    try {
      await unwrap(api.DELETE('/v1/api-keys/{id}', { params: { path: { id: apiKey.id } } }));
      onRevoked();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <tr>
      <td>{apiKey.name ?? <span className="muted">unnamed</span>}</td>
      <td>
        <code>{apiKey.prefix}…</code>
      </td>
      <td>{formatDate(apiKey.created_at)}</td>
      <td>
        {apiKey.revoked_at ? (
          <span className="muted">revoked {formatDate(apiKey.revoked_at)}</span>
        ) : !canRevoke ? (
          <span className="badge badge-ok">active</span>
        ) : confirming ? (
          <span className="inline-confirm">
            Revoke? Programs using it stop working at once.{' '}
            <button type="button" className="button-danger" onClick={() => void revoke()} aria-label={`Yes, revoke ${label}`}>
              Yes, revoke
            </button>{' '}
            <button type="button" className="button-quiet" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className="button-secondary" onClick={() => setConfirming(true)} aria-label={`Revoke ${label}`}>
            Revoke
          </button>
        )}
        <ErrorMessage error={error} />
      </td>
    </tr>
  );
}
