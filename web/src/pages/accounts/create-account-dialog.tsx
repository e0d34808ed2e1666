import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api/api-client';
import type { Account, CreatedAccount, ListOf, Role } from '../../api/api-types';
import { SecretValue } from '../../components/secret-value';
import { SelectField, TextField } from '../../components/form-field';
import { FormActions } from '../../components/form-actions';
import { Modal } from '../../components/modal';
import { Notice } from '../../components/notice';
import { useResource } from '../../hooks/use-resource';
import { useSubmit } from '../../hooks/use-submit';
import { creatableRoles } from '../../session/permissions';
import { useSession } from '../../session/session-context';

interface CreateAccountDialogProps {
  onCreated: (account: Account) => void;
  onClose: () => void;
}

const roleLabels: Record<Role, string> = {
  user: 'User — uses the API',
  agent: 'Agent — resells to its own users',
  admin: 'Admin — runs the gateway',
};

/** Creates an account with the roles the caller may give; shows a generated password once. */
export function CreateAccountDialog({ onCreated, onClose }: CreateAccountDialogProps) {
  const session = useSession();
  const roles = creatableRoles(session.role);
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [parentId, setParentId] = useState('');
  const [password, setPassword] = useState('');
  const [created, setCreated] = useState<CreatedAccount | null>(null);
  const submission = useSubmit(['username', 'email', 'role', 'parentId', 'password']);
  const agents = useResource(
    () =>
      session.role === 'admin'
        ? api.get<ListOf<Account>>('/accounts', { role: 'agent' })
        : Promise.resolve({ data: [] }),
    [session.role],
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await submission.run(async () => {
      const account = await api.post<CreatedAccount>('/accounts', {
        username: username.trim(),
        role,
        ...(email.trim() ? { email: email.trim() } : {}),
        ...(password ? { password } : {}),
        ...(session.role === 'admin' && role === 'user' && parentId
          ? { parentId: Number(parentId) }
          : {}),
      });
      onCreated(account);
      setCreated(account);
    });
  };

  if (created) {
    return (
      <Modal title={`Account ${created.username} created`} onClose={onClose}>
        {created.password ? (
          <>
            <Notice tone="warning" title="Copy the password now">
              It is shown this once. Send it to {created.username} over a safe channel.
            </Notice>
            <SecretValue
              value={created.password}
              label="Generated password"
              copyLabel="Copy password"
            />
          </>
        ) : (
          <Notice tone="success">
            {created.username} can now sign in with the password you chose.
          </Notice>
        )}
        <div className="row form-actions">
          <button type="button" className="button button-primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Modal>
    );
  }

  return (
    <Modal title="New account" onClose={onClose}>
      <form className="form" onSubmit={(event) => void submit(event)}>
        {submission.errors.form ? <Notice tone="error">{submission.errors.form}</Notice> : null}
        <TextField
          label="Username"
          value={username}
          onChange={setUsername}
          autoComplete="off"
          autoFocus
          required
          maxLength={64}
          hint="1 to 64 characters, no spaces. Used to sign in."
          error={submission.errors.fields.username}
        />
        <TextField
          label="Email (optional)"
          type="email"
          value={email}
          onChange={setEmail}
          error={submission.errors.fields.email}
        />
        {roles.length > 1 ? (
          <SelectField
            label="Role"
            value={role}
            options={roles.map((value) => ({ value, label: roleLabels[value] }))}
            onChange={(value) => setRole(value as Role)}
            error={submission.errors.fields.role}
          />
        ) : (
          <p className="muted">The new account is a user that belongs to you.</p>
        )}
        {session.role === 'admin' && role === 'user' ? (
          <SelectField
            label="Belongs to agent"
            value={parentId}
            options={[
              { value: '', label: 'No agent (managed by admins)' },
              ...(agents.data?.data ?? []).map((agent) => ({
                value: String(agent.id),
                label: agent.username,
              })),
            ]}
            onChange={setParentId}
            error={submission.errors.fields.parentId}
          />
        ) : null}
        <TextField
          label="Password (optional)"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          minLength={12}
          hint="At least 12 characters. Leave empty to generate one, shown once."
          error={submission.errors.fields.password}
        />
        <FormActions
          submitLabel={'Create account'}
          busyLabel="Creating…"
          busy={submission.busy}
          onCancel={onClose}
        />
      </form>
    </Modal>
  );
}
