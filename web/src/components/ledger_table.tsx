// The credit ledger as a table with its filters, "Show more" and a CSV export: the customer's
// Credits page and the operator console's account page both show it. `reloadKey` reloads it
// (the live balance's ledger sequence, or an operator's action).
import { useState, type ReactNode } from 'react';
import { api, unwrap } from '../api.ts';
import { formatDateTime, formatSignedCredits, formatCredits } from '../format.ts';
import { ledgerCsv, readLedger, type LedgerFilter } from '../ledger.ts';
import type { LedgerEntry } from '../types.ts';
import { ErrorMessage, Loading, useAsync } from './common.tsx';

const pageSize = 50;
const kinds = ['grant', 'charge', 'expire', 'refund', 'adjust'] as const;
const channelLabels: Record<LedgerEntry['channel'], string> = { web: 'Web app', api: 'API', visit: 'Website visit', operator: 'Account manager', system: 'Quarry' };

/** `2026-02-01` (a date input) as the start of that UTC day, or undefined. */
function dayStart(value: string): string | undefined {
  return value ? new Date(`${value}T00:00:00Z`).toISOString() : undefined;
}

/** The end of a date input's day (exclusive), so "until 1 Feb" includes 1 Feb. */
function dayEnd(value: string): string | undefined {
  return value ? new Date(Date.parse(`${value}T00:00:00Z`) + 86_400_000).toISOString() : undefined;
}

function describe(entry: LedgerEntry): string {
  if (entry.note) return entry.note;
  if (entry.record) return `${entry.record.type} ${entry.record.id}`;
  return '';
}

export function LedgerTable(props: { operatorAccountId?: string; reloadKey: unknown; action?: (entry: LedgerEntry) => ReactNode }) {
  const [kind, setKind] = useState<'' | LedgerEntry['kind']>('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [pages, setPages] = useState(1);
  const [exporting, setExporting] = useState<unknown>(undefined);
  const filter: LedgerFilter = { kind: kind || undefined, since: dayStart(since), until: dayEnd(until) };
  const filterKey = JSON.stringify(filter);
  const { operatorAccountId } = props;

  const ledger = useAsync(async () => {
    const entries: LedgerEntry[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < pages; page += 1) {
      const query = { ...filter, limit: pageSize, cursor };
      const result = operatorAccountId
        ? await unwrap(api.GET('/admin/v1/accounts/{id}/ledger', { params: { path: { id: operatorAccountId }, query } }))
        : await unwrap(api.GET('/v1/credits/ledger', { params: { query } }));
      entries.push(...result.data);
      if (!result.next_cursor) return { entries, more: false };
      cursor = result.next_cursor;
    }
    return { entries, more: true };
  }, [filterKey, pages, props.reloadKey, operatorAccountId]);

  const exportCsv = async () => {
    setExporting(null);
    try {
      const { entries } = await readLedger(filter, operatorAccountId);
      const url = URL.createObjectURL(new Blob([ledgerCsv(entries)], { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `quarry-ledger-${new Date().toISOString().slice(0, 10)}.csv`;
      link.click();
      URL.revokeObjectURL(url);
      setExporting(undefined);
    } catch (error) {
      setExporting(error);
    }
  };

  return (
    <>
      <form className="form-row" aria-label="Filter the ledger" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="ledger-kind">Kind</label>
          <select
            id="ledger-kind"
            value={kind}
            onChange={(event) => {
              setKind(event.target.value as typeof kind);
              setPages(1);
            }}
          >
            <option value="">All movements</option>
            {kinds.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ledger-since">From</label>
          <input id="ledger-since" type="date" value={since} onChange={(event) => setSince(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ledger-until">Until</label>
          <input id="ledger-until" type="date" value={until} onChange={(event) => setUntil(event.target.value)} />
        </div>
        <button type="button" className="button-secondary" onClick={() => void exportCsv()} disabled={exporting === null}>
          {exporting === null ? 'Exporting…' : 'Export CSV'}
        </button>
      </form>
      <ErrorMessage error={exporting ?? undefined} />
      {ledger.error ? (
        <ErrorMessage error={ledger.error} />
      ) : !ledger.data ? (
        <Loading />
      ) : ledger.data.entries.length === 0 ? (
        <p role="status">No movements match.</p>
      ) : (
        <div className="table-scroll">
          <table className="ledger">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Kind</th>
                <th scope="col" className="number">
                  Credits
                </th>
                <th scope="col" className="number">
                  Balance after
                </th>
                <th scope="col">Channel</th>
                <th scope="col">Details</th>
                {props.action && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {ledger.data.entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatDateTime(entry.at)}</td>
                  <td>
                    <span className={`badge badge-${entry.kind}`}>{entry.kind}</span>
                  </td>
                  <td className={entry.credits < 0 ? 'number negative' : 'number'}>{formatSignedCredits(entry.credits)}</td>
                  <td className="number">{formatCredits(entry.balance_after)}</td>
                  <td>{channelLabels[entry.channel]}</td>
                  <td className="details">{describe(entry)}</td>
                  {props.action && <td>{props.action(entry)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {ledger.data?.more && (
        <button type="button" className="button-secondary" onClick={() => setPages(pages + 1)}>
          Show more
        </button>
      )}
    </>
  );
}
