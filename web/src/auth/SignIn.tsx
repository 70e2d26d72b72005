/** Sign-in by pasting an API key. The key is checked against the API before it is kept. */
import { useState, type FormEvent } from 'react';
import { Api } from '../lib/api';
import { toSession, type Session } from '../lib/session';
import { Field } from '../components/Field';
import { ErrorMessage } from '../components/states';

export function SignIn({
  onSignIn,
  reason,
}: {
  onSignIn: (session: Session) => void;
  reason: string | null;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = token.trim();
    if (key === '') {
      setError('Paste an API key first. Herald prints an admin key when it starts for the first time.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await new Api(key).get('/app', { limit: 1 });
      onSignIn(toSession(key, false));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <form onSubmit={submit} className="card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Herald</h1>
        {reason && <ErrorMessage error={reason} />}
        <Field
          label="API key"
          hint={
            <>
              An admin key (<code>hk_admin_…</code>) reaches every application; an application key (
              <code>hk_app_…</code>) reaches one. Herald printed an admin key when it first started; create
              more with <code>herald keys create</code>. The key is kept only in this browser tab.
            </>
          }
        >
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(event) => setToken(event.target.value)}
          />
        </Field>
        {error && <ErrorMessage error={error} />}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
