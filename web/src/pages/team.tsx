// Team: the account's users; owners add people (owners or members) with a first password that
// they pass on. Members see the list.
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
              </tr>
            </thead>
            <tbody>
              {members.data.data.map((member) => (
                <tr key={member.id}>
                  <td>
                    {member.email}
                    {member.id === session?.user.id && <span className="muted"> (you)</span>}
                  </td>
                  <td>{member.role}</td>
                  <td>{formatDate(member.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
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
