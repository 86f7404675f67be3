// The operator console's start: find accounts by name or id, and open a new one (with its owner,
// whose first password the operator passes on; the account's first API key is shown once).
import { useState, type FormEvent } from 'react';
import { api, idempotencyKey, unwrap } from '../../api.ts';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../../components/common.tsx';
import { formatCredits, formatDate } from '../../format.ts';
import { Link, navigate, useLocation } from '../../router.tsx';

export function OperatorAccountsPage() {
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const [draft, setDraft] = useState(q);
  const accounts = useAsync(() => unwrap(api.GET('/admin/v1/accounts', { params: { query: { q: q || undefined, limit: 100 } } })), [q]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(draft.trim() ? `/operator?q=${encodeURIComponent(draft.trim())}` : '/operator');
  };

  return (
    <div className="page">
      <PageTitle subtitle="Customer accounts: their plans and credits.">Accounts</PageTitle>
      <form className="panel form-row" role="search" aria-label="Find accounts" onSubmit={submit}>
        <div className="field field-grow">
          <label htmlFor="accounts-q">Name or account id</label>
          <input id="accounts-q" type="search" value={draft} onChange={(event) => setDraft(event.target.value)} />
        </div>
        <button type="submit" className="button-primary">
          Find
        </button>
      </form>
      <section className="panel" aria-labelledby="accounts-title">
        <h2 id="accounts-title">{q ? `Accounts matching “${q}”` : 'All accounts'}</h2>
        {accounts.error ? (
          <ErrorMessage error={accounts.error} />
        ) : !accounts.data ? (
          <Loading />
        ) : accounts.data.data.length === 0 ? (
          <p role="status">No account matches.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Id</th>
                <th scope="col">Plan</th>
                <th scope="col" className="number">
                  Balance
                </th>
                <th scope="col">Opened</th>
              </tr>
            </thead>
            <tbody>
              {accounts.data.data.map((account) => (
                <tr key={account.id}>
                  <td>
                    <Link to={`/operator/accounts/${encodeURIComponent(account.id)}`}>{account.name}</Link>
                  </td>
                  <td>
                    <code>{account.id}</code>
                  </td>
                  <td>{account.plan_id}</td>
                  <td className="number">{formatCredits(account.balance)}</td>
                  <td>{formatDate(account.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <CreateAccount />
    </div>
  );
}

function CreateAccount() {
  const plans = useAsync(() => unwrap(api.GET('/admin/v1/plans')), []);
  const [name, setName] = useState('');
  const [planId, setPlanId] = useState('');
  const [ownerEmail, setOwnerEmail] = useState('');
  const [ownerPassword, setOwnerPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [created, setCreated] = useState<{ id: string; name: string; apiKey: string | null } | null>(null);
  const chosenPlan = planId || plans.data?.data[0]?.id || '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const owner = ownerEmail.trim() ? { owner_email: ownerEmail.trim(), owner_password: ownerPassword } : {};
      const result = await unwrap(
        api.POST('/admin/v1/accounts', { body: { name, plan_id: chosenPlan, ...owner }, headers: { 'Idempotency-Key': idempotencyKey() } }),
      );
      setCreated({ id: result.account.id, name: result.account.name, apiKey: result.api_key });
      setName('');
      setOwnerEmail('');
      setOwnerPassword('');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="create-account-title">
      <h2 id="create-account-title">Open an account</h2>
      {created && (
        <div className="notice" role="status">
          <p>
            Opened <Link to={`/operator/accounts/${encodeURIComponent(created.id)}`}>{created.name}</Link>.
            {created.apiKey && (
              <>
                {' '}
                Its first API key, shown only now: <code className="secret-inline">{created.apiKey}</code>
              </>
            )}
          </p>
        </div>
      )}
      <form onSubmit={(event) => void submit(event)}>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="new-account-name">Account name</label>
            <input id="new-account-name" required value={name} onChange={(event) => setName(event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="new-account-plan">Plan</label>
            <select id="new-account-plan" value={chosenPlan} onChange={(event) => setPlanId(event.target.value)}>
              {plans.data?.data.map((plan) => (
                <option key={plan.id} value={plan.id}>
                  {plan.name} ({formatCredits(plan.credits_per_period)} credits per {plan.period})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="new-account-owner-email">Owner's email (optional)</label>
            <input id="new-account-owner-email" type="email" value={ownerEmail} onChange={(event) => setOwnerEmail(event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="new-account-owner-password">Owner's first password</label>
            <input
              id="new-account-owner-password"
              type="password"
              autoComplete="new-password"
              value={ownerPassword}
              required={ownerEmail.trim() !== ''}
              onChange={(event) => setOwnerPassword(event.target.value)}
            />
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="button-primary" disabled={busy || !chosenPlan}>
            Open account
          </button>
        </div>
        <ErrorMessage error={error ?? plans.error} />
      </form>
    </section>
  );
}
