// Credits: buy a top-up bundle (its exact expiry shown before the purchase), and the ledger of
// every movement with filters and a CSV export.
import { useState } from 'react';
import { api, idempotencyKey, unwrap } from '../api.ts';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../components/common.tsx';
import { LedgerTable } from '../components/ledger_table.tsx';
import { formatCredits, formatDateTime, formatMoney } from '../format.ts';
import { useSession } from '../session.tsx';
import type { Bundle } from '../types.ts';

export function CreditsPage() {
  const { ledgerSeq } = useSession();
  return (
    <div className="page">
      <PageTitle subtitle="Every credit added or spent, with the balance after it.">Credits</PageTitle>
      <TopUps />
      <section className="panel" aria-labelledby="ledger-title">
        <h2 id="ledger-title">Ledger</h2>
        <LedgerTable reloadKey={ledgerSeq} />
      </section>
    </div>
  );
}

function TopUps() {
  const { account, refreshAccount } = useSession();
  const bundles = useAsync(() => unwrap(api.GET('/v1/credits/bundles')), []);
  const [chosen, setChosen] = useState<{ bundle: Bundle; key: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [bought, setBought] = useState<{ credits: number; expiresAt: string } | null>(null);

  const buy = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await unwrap(api.POST('/v1/credits/top-ups', { body: { bundle: chosen.bundle.id }, headers: { 'Idempotency-Key': chosen.key } }));
      setBought({ credits: result.grant.credits, expiresAt: result.grant.expires_at });
      setChosen(null);
      await refreshAccount();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="top-ups-title">
      <h2 id="top-ups-title">Buy credits</h2>
      {bought && (
        <p className="message message-ok" role="status">
          Added {formatCredits(bought.credits)} credits. They expire on {formatDateTime(bought.expiresAt)}.
        </p>
      )}
      {bundles.error ? (
        <ErrorMessage error={bundles.error} />
      ) : !bundles.data || !account ? (
        <Loading />
      ) : (
        <ul className="bundles">
          {bundles.data.data.map((bundle) => (
            <li key={bundle.id} className={chosen?.bundle.id === bundle.id ? 'bundle bundle-chosen' : 'bundle'}>
              <p className="bundle-credits">{formatCredits(bundle.credits)} credits</p>
              <p className="bundle-price">{formatMoney(bundle.price.amount_cents, bundle.price.currency)}</p>
              <button
                type="button"
                className="button-secondary"
                aria-label={`Choose ${bundle.name}`}
                onClick={() => {
                  setBought(null);
                  setChosen({ bundle, key: idempotencyKey() });
                }}
              >
                Choose
              </button>
            </li>
          ))}
        </ul>
      )}
      {chosen && account && (
        <div className="confirm" role="region" aria-labelledby="confirm-title">
          <h3 id="confirm-title">Confirm your purchase</h3>
          <p>
            <strong>{formatCredits(chosen.bundle.credits)} credits</strong> for{' '}
            <strong>{formatMoney(chosen.bundle.price.amount_cents, chosen.bundle.price.currency)}</strong>. They are added at once and{' '}
            <strong data-testid="top-up-expiry">expire on {formatDateTime(account.period.end)}</strong>, the end of your current billing period, like
            your allowance. Credits are spent from the grant that expires first.
          </p>
          <div className="actions">
            <button type="button" className="button-primary" onClick={() => void buy()} disabled={busy}>
              Buy {formatCredits(chosen.bundle.credits)} credits
            </button>
            <button type="button" className="button-quiet" onClick={() => setChosen(null)}>
              Cancel
            </button>
          </div>
          <ErrorMessage error={error} />
        </div>
      )}
    </section>
  );
}
