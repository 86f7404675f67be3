// Team: the account's users; owners add people (owners or members) with a first password that
// they pass on, and remove people (after a confirmation; the server refuses the last owner).
// Members see the list.
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api.ts';
import { ErrorMessage, Loading, PageTitle, useAsync } from '../components/common.tsx';
import { formatDate } from '../format.ts';
import { useSession } from '../session.tsx';

export function TeamPage() {
  const { session } = useSession();
  const owner = session?.user.role === 'owner';
  const members = useAsync(() => unwrap(api.GET('/v1/members', { params: { query: { limit: 500 } } })), []);
  return (
    <div className="page">
      <PageTitle subtitle="Everyone here shares the account's credits. Owners manage people and API keys; members search, unlock and buy credits.">Team</PageTitle>
      {owner && <AddMember onAdded={members.reload} />}
      <section className="panel" aria-labelledby="members-title">
        <h2 id="members-title">People</h2>
        {members.error ? (
          <ErrorMessage error={members.error} />
        ) : !members.data ? (
          <Loading />
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Since</th>
                {owner && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {members.data.data.map((member) => (
                <MemberRow key={member.id} member={member} you={member.id === session?.user.id} canRemove={owner} onRemoved={members.reload} />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

interface Member {
  id: string;
  email: string;
  role: string;
  created_at: string;
}

function MemberRow({ member, you, canRemove, onRemoved }: { member: Member; you: boolean; canRemove: boolean; onRemoved(): void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      // Removing yourself ends your session: the next request answers 401 and the sign-in page shows.
      await unwrap(api.DELETE('/v1/members/{id}', { params: { path: { id: member.id } } }));
      onRemoved();
    } catch (caught) {
      setError(caught);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr>
      <td>
        {member.email}
        {you && <span className="muted"> (you)</span>}
      </td>
      <td>{member.role}</td>
      <td>{formatDate(member.created_at)}</td>
      {canRemove && (
        <td>
          {confirming ? (
            <span className="inline-confirm">
              {you ? 'Remove yourself? You are signed out at once.' : 'Remove? They are signed out at once.'}{' '}
              <button type="button" className="button-danger" disabled={busy} onClick={() => void remove()} aria-label={`Yes, remove ${member.email}`}>
                Yes, remove
              </button>{' '}
              <button type="button" className="button-quiet" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </span>
          ) : (
            <button type="button" className="button-secondary" onClick={() => setConfirming(true)} aria-label={`Remove ${member.email}`}>
              Remove
            </button>
          )}
          <ErrorMessage error={error} />
        </td>
      )}
    </tr>
  );
}

function AddMember({ onAdded }: { onAdded(): void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'member' | 'owner'>('member');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [added, setAdded] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setAdded(null);
    try {
      const result = await unwrap(api.POST('/v1/members', { body: { email, password, role } }));
      setAdded(result.user.email);
      setEmail('');
      setPassword('');
      onAdded();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" aria-labelledby="add-member-title" onSubmit={(event) => void submit(event)}>
      <h2 id="add-member-title">Add a person</h2>
      <div className="form-row">
        <div className="field field-grow">
          <label htmlFor="member-email">Email</label>
          <input id="member-email" type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="member-password">First password</label>
          <input
            id="member-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-describedby="member-password-help"
          />
          <span id="member-password-help" className="help">
            At least 8 characters; pass it on safely.
          </span>
        </div>
        <div className="field">
          <label htmlFor="member-role">Role</label>
          <select id="member-role" value={role} onChange={(event) => setRole(event.target.value as typeof role)}>
            <option value="member">Member</option>
            <option value="owner">Owner</option>
          </select>
        </div>
        <button type="submit" className="button-primary" disabled={busy}>
          Add
        </button>
      </div>
      {added && (
        <p className="message message-ok" role="status">
          {added} can now sign in.
        </p>
      )}
      <ErrorMessage error={error} />
    </form>
  );
}
