import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api/api-client';
import type { Account } from '../../api/api-types';
import { SecretValue } from '../../components/secret-value';
import { TextField } from '../../components/form-field';
import { Modal } from '../../components/modal';
import { Notice } from '../../components/notice';
import { useSubmit } from '../../hooks/use-submit';

/** 18 characters from an alphabet without look-alikes (0/O, 1/l), from the browser's CSPRNG. */
function generatePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

/** Sets a new password for a user the caller manages; the old sessions keep their expiry. */
export function ResetPasswordDialog({
  account,
  onClose,
}: {
  account: Account;
  onClose: () => void;
}) {
  const [password, setPassword] = useState(generatePassword);
  const [done, setDone] = useState(false);
  const submission = useSubmit(['password']);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (
      await submission.run(() =>
        api.patch<Account>(`/accounts/${account.id}`, { password }).then(() => undefined),
      )
    ) {
      setDone(true);
    }
  };

  return (
    <Modal title={`Reset the password of ${account.username}`} onClose={onClose}>
      {done ? (
        <>
          <Notice tone="success" title="Password changed">
            Give {account.username} the new password over a safe channel.
          </Notice>
          <SecretValue value={password} label="New password" copyLabel="Copy password" />
          <div className="row form-actions">
            <button type="button" className="button button-primary" onClick={onClose}>
              Done
            </button>
          </div>
        </>
      ) : (
        <form className="form" onSubmit={(event) => void submit(event)}>
          {submission.errors.form ? <Notice tone="error">{submission.errors.form}</Notice> : null}
          <TextField
            label="New password"
            value={password}
            onChange={setPassword}
            autoComplete="off"
            minLength={12}
            required
            hint="At least 12 characters. A random one is filled in."
            error={submission.errors.fields.password}
          />
          <div className="row form-actions">
            <button
              type="button"
              className="button"
              onClick={() => setPassword(generatePassword())}
            >
              Generate another
            </button>
            <button type="submit" className="button button-primary" disabled={submission.busy}>
              Set password
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
