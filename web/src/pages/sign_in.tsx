// Sign-in: email and password, one message for any wrong pair (it never says which part was wrong).
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api.ts';
import { useSession } from '../session.tsx';
import { errorText } from '../components/common.tsx';

export function SignInPage() {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) setError('Wrong email or password.');
      else if (caught instanceof ApiError && caught.status === 400) setError('Enter an email address and a password.');
      else setError(errorText(caught));
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <form className="panel sign-in-panel" onSubmit={(event) => void submit(event)} noValidate>
        <p className="brand brand-large">Quarry</p>
        <h1>Sign in</h1>
        {error && (
          <p className="message message-error" role="alert">
            {error}
          </p>
        )}
        <div className="field">
          <label htmlFor="sign-in-email">Email</label>
          <input id="sign-in-email" type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="sign-in-password">Password</label>
          <input
            id="sign-in-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <button type="submit" className="button-primary button-wide" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
