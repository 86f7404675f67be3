// The account at a glance: balance, this period's allowance and use, what expires when, and the
// credits used per day by channel. Reloaded whenever the live balance moves.
import { useEffect } from 'react';
import { CreditBalance, ErrorMessage, Loading, PageTitle, useAsync } from '../components/common.tsx';
import { UsageChart, usageByDay } from '../components/usage_chart.tsx';
import { daysUntil, formatCredits, formatDate, formatDateTime } from '../format.ts';
import { readLedger } from '../ledger.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';

export function DashboardPage() {
  const { account, ledgerSeq, refreshAccount, hasFeature } = useSession();
  // The figures beside the balance (used, expiring) change with it.
  useEffect(() => {
    if (ledgerSeq !== null) void refreshAccount();
  }, [ledgerSeq, refreshAccount]);
  const periodStart = account?.period.start;
  const usage = useAsync(async () => (periodStart ? readLedger({ kind: 'charge', since: periodStart }) : null), [periodStart, ledgerSeq]);

  if (!account) return <Loading />;
  const { credits, period, plan } = account;
  return (
    <div className="page">
      <PageTitle subtitle={`${account.name} · ${plan.name} plan`}>Dashboard</PageTitle>
      <section aria-labelledby="figures-title">
        <h2 id="figures-title" className="visually-hidden">
          Credits
        </h2>
        <dl className="stats">
          <div className="stat stat-main">
            <dt>Balance</dt>
            <dd>
              <CreditBalance className="stat-number" /> <span className="stat-unit">credits</span>
            </dd>
          </div>
          <div className="stat">
            <dt>Allowance this period</dt>
            <dd>
              <span className="stat-number">{formatCredits(plan.credits_per_period)}</span> <span className="stat-unit">per {plan.period}</span>
            </dd>
          </div>
          <div className="stat">
            <dt>Used this period</dt>
            <dd>
              <span className="stat-number">{formatCredits(credits.used)}</span> <span className="stat-unit">of {formatCredits(credits.granted)} granted</span>
            </dd>
          </div>
          <div className="stat">
            <dt>Period ends</dt>
            <dd>
              <span className="stat-number stat-date">{formatDate(period.end)}</span>{' '}
              <span className="stat-unit">in {daysUntil(period.end)} days</span>
            </dd>
          </div>
        </dl>
      </section>

      <div className="columns">
        <section className="panel" aria-labelledby="usage-title">
          <h2 id="usage-title">Credits used per day</h2>
          <p className="muted">
            {formatDate(period.start)} – {formatDate(period.end)}, by where the credit was spent.
          </p>
          {usage.data ? <UsageChart days={usageByDay(usage.data.entries, period.start, period.end)} /> : usage.error ? <ErrorMessage error={usage.error} /> : <Loading />}
          {usage.data && !usage.data.complete && <p className="muted">Only the latest charges are shown.</p>}
        </section>

        <section className="panel" aria-labelledby="expiring-title">
          <h2 id="expiring-title">Expiring credits</h2>
          {credits.expiring.length === 0 ? (
            <p className="muted">No credits left to expire.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col" className="number">
                    Credits
                  </th>
                  <th scope="col">Expire at</th>
                </tr>
              </thead>
              <tbody>
                {credits.expiring.map((item) => (
                  <tr key={item.expires_at}>
                    <td className="number">{formatCredits(item.credits)}</td>
                    <td>{formatDateTime(item.expires_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p>
            <Link to="/credits">Buy a top-up or read the ledger</Link>
          </p>
        </section>
      </div>

      {!hasFeature('web_app') && (
        <section className="panel" aria-labelledby="api-only-title">
          <h2 id="api-only-title">Your plan uses the API</h2>
          <p>
            The {plan.name} plan gives access to Quarry's data through the API. Here you can watch your balance and usage, read the ledger, buy
            top-ups, and manage <Link to="/api-keys">API keys</Link> and <Link to="/team">team members</Link>. Searching and unlocking companies in
            the web app needs a plan with the web app.
          </p>
        </section>
      )}
    </div>
  );
}
