import { useState } from 'react';
import type { FormEvent } from 'react';
import { Notice } from '../components/notice';
import { TextField } from '../components/form-field';
import { ThemeToggle } from '../components/theme-toggle';
import { useSubmit } from '../hooks/use-submit';
import { useSessionControl } from '../session/session-context';

/** Sign in with username and password; the session cookie is set by the API. */
export function LoginPage({ reason }: { reason: string | null }) {
  const { signIn } = useSessionControl();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const submission = useSubmit(['username', 'password']);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void submission.run(() => signIn(username.trim(), password));
  };

  return (
    <div className="login">
      <div className="login-theme">
        <ThemeToggle />
      </div>
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <p className="brand">Switchyard</p>
        <h1 id="login-title">Sign in</h1>
        {reason && !submission.errors.form ? <Notice tone="info">{reason}</Notice> : null}
        {submission.errors.form ? <Notice tone="error">{submission.errors.form}</Notice> : null}
        <TextField
          label="Username"
          value={username}
          onChange={setUsername}
          autoComplete="username"
          autoFocus
          required
          error={submission.errors.fields.username}
        />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
          error={submission.errors.fields.password}
        />
        <button
          type="submit"
          className="button button-primary button-block"
          disabled={submission.busy}
        >
          {submission.busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          No account? Ask your agent or administrator. New admins find the first password in the
          data directory&apos;s <code>initial-admin-password</code> file.
        </p>
      </form>
    </div>
  );
}
