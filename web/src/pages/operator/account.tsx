// One account in the operator console: its plan and credits; change the plan, grant a top-up
// (with an expiry), make an adjustment, refund a charged subscription from its ledger line, and
// read the whole ledger. Every change reloads the figures.
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, idempotencyKey, unwrap } from '../../api.ts';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../../components/common.tsx';
import { LedgerTable } from '../../components/ledger_table.tsx';
import { formatCredits, formatDate, formatDateTime } from '../../format.ts';
import { Link } from '../../router.tsx';
import type { Account, LedgerEntry } from '../../types.ts';

export function OperatorAccountPage({ id }: { id: string }) {
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((value) => value + 1);
  const account = useAsync(() => unwrap(api.GET('/admin/v1/accounts/{id}', { params: { path: { id } } })), [id, version]);
  if (account.error) {
    return (
      <div className="page">
        <PageTitle>Account</PageTitle>
        <ErrorMessage error={account.error} />
        <Link to="/operator">Back to accounts</Link>
      </div>
    );
  }
  if (!account.data) return <Loading />;
  const data = account.data;
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link to="/operator">Accounts</Link> / {data.name}
      </p>
      <PageTitle subtitle={<code>{data.id}</code>}>{data.name}</PageTitle>
      <dl className="stats">
        <div className="stat stat-main">
          <dt>Balance</dt>
          <dd>
            <span className="stat-number" data-testid="operator-account-balance">
              {data.credits.balance}
            </span>{' '}
            <span className="stat-unit">credits</span>
          </dd>
        </div>
        <div className="stat">
          <dt>Plan</dt>
          <dd>
            <span className="stat-number stat-date">{data.plan.name}</span>{' '}
            <span className="stat-unit">
              {formatCredits(data.plan.credits_per_period)} per {data.plan.period}
            </span>
          </dd>
        </div>
        <div className="stat">
          <dt>Used this period</dt>
          <dd>
            <span className="stat-number">{formatCredits(data.credits.used)}</span> <span className="stat-unit">of {formatCredits(data.credits.granted)}</span>
          </dd>
        </div>
        <div className="stat">
          <dt>Period</dt>
          <dd>
            <span className="stat-number stat-date">{formatDate(data.period.end)}</span>{' '}
            <span className="stat-unit">from {formatDate(data.period.start)}</span>
          </dd>
        </div>
      </dl>
      <div className="columns columns-3">
        <ChangePlan account={data} onChanged={changed} />
        <GrantTopUp account={data} onChanged={changed} />
        <Adjust account={data} onChanged={changed} />
      </div>
      <section className="panel" aria-labelledby="operator-ledger-title">
        <h2 id="operator-ledger-title">Ledger</h2>
        <LedgerTable operatorAccountId={id} reloadKey={version} action={(entry) => <RefundAction accountId={id} entry={entry} onRefunded={changed} />} />
      </section>
    </div>
  );
}

/** A small form with its own busy state, error and success message. */
function ActionForm(props: { title: string; id: string; submitLabel: string; run(): Promise<string>; children: ReactNode }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      setDone(await props.run());
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" aria-labelledby={`${props.id}-title`} onSubmit={(event) => void submit(event)}>
      <h2 id={`${props.id}-title`}>{props.title}</h2>
      {props.children}
      <div className="actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {props.submitLabel}
        </button>
      </div>
      {done && (
        <p className="message message-ok" role="status">
          {done}
        </p>
      )}
      <ErrorMessage error={error} />
    </form>
  );
}

function ChangePlan({ account, onChanged }: { account: Account; onChanged(): void }) {
  const plans = useAsync(() => unwrap(api.GET('/admin/v1/plans')), []);
  const [planId, setPlanId] = useState(account.plan.id);
  return (
    <ActionForm
      title="Plan"
      id="plan"
      submitLabel="Change plan"
      run={async () => {
        const updated = await unwrap(api.PATCH('/admin/v1/accounts/{id}', { params: { path: { id: account.id } }, body: { plan_id: planId } }));
        onChanged();
        return `Now on ${updated.plan.name}.`;
      }}
    >
      <div className="field">
        <label htmlFor="plan-id">New plan</label>
        <select id="plan-id" value={planId} onChange={(event) => setPlanId(event.target.value)}>
          {(plans.data?.data ?? [account.plan]).map((plan) => (
            <option key={plan.id} value={plan.id}>
              {plan.name}
            </option>
          ))}
        </select>
      </div>
      <p className="help">A new billing period starts with the new plan's allowance.</p>
    </ActionForm>
  );
}

function GrantTopUp({ account, onChanged }: { account: Account; onChanged(): void }) {
  const [credits, setCredits] = useState('100');
  const [expiry, setExpiry] = useState('');
  const [note, setNote] = useState('');
  const [key, setKey] = useState(idempotencyKey);
  return (
    <ActionForm
      title="Grant a top-up"
      id="top-up"
      submitLabel="Grant top-up"
      run={async () => {
        const body = {
          credits: Number(credits),
          ...(expiry ? { expires_at: new Date(`${expiry}T23:59:59Z`).toISOString() } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        };
        const result = await unwrap(api.POST('/admin/v1/accounts/{id}/top-ups', { params: { path: { id: account.id } }, body, headers: { 'Idempotency-Key': key } }));
        setKey(idempotencyKey());
        onChanged();
        return `Granted ${formatCredits(result.grant.credits)} credits, expiring ${formatDateTime(result.grant.expires_at)}.`;
      }}
    >
      <div className="field">
        <label htmlFor="top-up-credits">Credits</label>
        <input id="top-up-credits" type="number" min={1} required value={credits} onChange={(event) => setCredits(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="top-up-expiry">Expires on (optional)</label>
        <input id="top-up-expiry" type="date" value={expiry} onChange={(event) => setExpiry(event.target.value)} aria-describedby="top-up-expiry-help" />
        <span id="top-up-expiry-help" className="help">
          End of that day, UTC. Empty: the end of the current period ({formatDate(account.period.end)}).
        </span>
      </div>
      <div className="field">
        <label htmlFor="top-up-note">Note (optional)</label>
        <input id="top-up-note" value={note} onChange={(event) => setNote(event.target.value)} />
      </div>
    </ActionForm>
  );
}

function Adjust({ account, onChanged }: { account: Account; onChanged(): void }) {
  const [credits, setCredits] = useState('');
  const [reason, setReason] = useState('');
  return (
    <ActionForm
      title="Adjust"
      id="adjust"
      submitLabel="Make adjustment"
      run={async () => {
        const result = await unwrap(
          api.POST('/admin/v1/accounts/{id}/adjustments', {
            params: { path: { id: account.id } },
            body: { credits: Number(credits), reason },
            headers: { 'Idempotency-Key': idempotencyKey() },
          }),
        );
        setCredits('');
        setReason('');
        onChanged();
        return `Adjusted by ${result.entry.credits}; the balance is now ${formatCredits(result.balance)}.`;
      }}
    >
      <div className="field">
        <label htmlFor="adjust-credits">Credits (negative to remove)</label>
        <input id="adjust-credits" type="number" required value={credits} onChange={(event) => setCredits(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="adjust-reason">Reason</label>
        <input id="adjust-reason" required value={reason} onChange={(event) => setReason(event.target.value)} />
      </div>
    </ActionForm>
  );
}

function RefundAction({ accountId, entry, onRefunded }: { accountId: string; entry: LedgerEntry; onRefunded(): void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  if (entry.kind !== 'charge' || !entry.subscription_id) return null;
  const subscriptionId = entry.subscription_id;
  const refund = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      await unwrap(
        api.POST('/admin/v1/accounts/{id}/refunds', {
          params: { path: { id: accountId } },
          body: { subscription_id: subscriptionId, reason },
          headers: { 'Idempotency-Key': idempotencyKey() },
        }),
      );
      setOpen(false);
      onRefunded();
    } catch (caught) {
      setError(caught);
    }
  };
  if (!open) {
    return (
      <button type="button" className="button-quiet" onClick={() => setOpen(true)} aria-label={`Refund the charge of ${formatDateTime(entry.at)}`}>
        Refund
      </button>
    );
  }
  return (
    <form className="inline-form" onSubmit={(event) => void refund(event)}>
      <label htmlFor={`refund-reason-${entry.id}`}>Reason</label>
      <input id={`refund-reason-${entry.id}`} required value={reason} onChange={(event) => setReason(event.target.value)} />
      <button type="submit" className="button-danger">
        Refund 1 credit
      </button>
      <button type="button" className="button-quiet" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}
