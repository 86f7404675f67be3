// The account's record subscriptions: what it can read for free, and until when. Filters by
// record type and state, and "expiring soon" (within 30 days).
import { useState } from 'react';
import { api, unwrap } from '../api.ts';
import { ErrorMessage, Loading, PageTitle, WebAppGate, useAsync } from '../components/common.tsx';
import { daysUntil, formatDate, subscriptionSourceLabels } from '../format.ts';
import { Link } from '../router.tsx';

const expiringSoonDays = 30;
const pageSize = 100;

export function SubscriptionsPage() {
  return (
    <div className="page">
      <PageTitle subtitle="While a subscription lasts, every read of its record is free, in the web app and through the API.">Subscriptions</PageTitle>
      <WebAppGate>
        <SubscriptionList />
      </WebAppGate>
    </div>
  );
}

function SubscriptionList() {
  const [recordType, setRecordType] = useState<'' | 'company' | 'contact'>('');
  const [state, setState] = useState<'active' | 'ended'>('active');
  const [expiringSoon, setExpiringSoon] = useState(false);
  const [pages, setPages] = useState(1);
  const list = useAsync(async () => {
    const expiringBefore = expiringSoon ? new Date(Date.now() + expiringSoonDays * 86_400_000).toISOString() : undefined;
    const items = [];
    let cursor: string | undefined;
    for (let page = 0; page < pages; page += 1) {
      const result = await unwrap(
        api.GET('/v1/subscriptions', {
          params: { query: { record_type: recordType || undefined, active: state === 'active' ? 'true' : 'false', expiring_before: expiringBefore, limit: pageSize, cursor } },
        }),
      );
      items.push(...result.data);
      if (!result.next_cursor) return { items, more: false };
      cursor = result.next_cursor;
    }
    return { items, more: true };
  }, [recordType, state, expiringSoon, pages]);

  return (
    <>
      <form className="panel form-row" aria-label="Filter subscriptions" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="subscriptions-type">Record type</label>
          <select id="subscriptions-type" value={recordType} onChange={(event) => setRecordType(event.target.value as typeof recordType)}>
            <option value="">Companies and contacts</option>
            <option value="company">Companies</option>
            <option value="contact">Contacts</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="subscriptions-state">State</label>
          <select id="subscriptions-state" value={state} onChange={(event) => setState(event.target.value as typeof state)}>
            <option value="active">Active</option>
            <option value="ended">Expired or refunded</option>
          </select>
        </div>
        <div className="field field-check">
          <input id="subscriptions-expiring" type="checkbox" checked={expiringSoon} onChange={(event) => setExpiringSoon(event.target.checked)} />
          <label htmlFor="subscriptions-expiring">Expiring within {expiringSoonDays} days</label>
        </div>
      </form>
      {list.error ? (
        <ErrorMessage error={list.error} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.items.length === 0 ? (
        <p role="status">No subscriptions match.</p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Record</th>
                <th scope="col">Type</th>
                <th scope="col">How</th>
                <th scope="col">Started</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((subscription) => (
                <tr key={subscription.id}>
                  <td>
                    {subscription.record_type === 'company' ? (
                      <Link to={`/companies/${encodeURIComponent(subscription.record_id)}`}>{subscription.record_id}</Link>
                    ) : (
                      <code>{subscription.record_id}</code>
                    )}
                  </td>
                  <td>{subscription.record_type}</td>
                  <td>{subscriptionSourceLabels[subscription.source]}</td>
                  <td>{formatDate(subscription.started_at)}</td>
                  <td>
                    {subscription.ended_at ? (
                      <>ended {formatDate(subscription.ended_at)}</>
                    ) : (
                      <>
                        {formatDate(subscription.expires_at)}
                        {daysUntil(subscription.expires_at) <= expiringSoonDays && <span className="badge badge-warn">in {daysUntil(subscription.expires_at)} days</span>}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list.data.more && (
            <button type="button" className="button-secondary" onClick={() => setPages(pages + 1)}>
              Show more
            </button>
          )}
        </>
      )}
    </>
  );
}
