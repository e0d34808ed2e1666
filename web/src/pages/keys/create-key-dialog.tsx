import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api/api-client';
import type { CreatedApiKey, Limits, ListOf, Model } from '../../api/api-types';
import { SecretValue } from '../../components/secret-value';
import { TextField } from '../../components/form-field';
import { FormActions } from '../../components/form-actions';
import { Modal } from '../../components/modal';
import { Notice } from '../../components/notice';
import { useResource } from '../../hooks/use-resource';
import { useSubmit } from '../../hooks/use-submit';
import { emptyLimitsText, LimitsFields, limitsFromText, type LimitsText } from './limits-fields';
import { ModelAllowlistField } from './model-allowlist-field';

interface CreateKeyDialogProps {
  accountId: number;
  /** The owner account's limits, the ceiling of its own keys' limits. */
  accountLimits: Limits;
  /** The caller administers the owner (admin, or its agent): any limits are allowed. */
  unbounded: boolean;
  onCreated: () => void;
  onClose: () => void;
}

/** Creates a key; its secret is shown once, with a copy button. */
export function CreateKeyDialog({
  accountId,
  accountLimits,
  unbounded,
  onCreated,
  onClose,
}: CreateKeyDialogProps) {
  const [name, setName] = useState('');
  const [models, setModels] = useState<string[] | null>(null);
  const [expiresOn, setExpiresOn] = useState('');
  const [limitsText, setLimitsText] = useState<LimitsText>(emptyLimitsText);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const catalog = useResource(() => api.get<ListOf<Model>>('/models'), []);
  const submission = useSubmit(['name', 'models', 'expiresAt', 'limits']);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const limits = limitsFromText(limitsText);
    if (!limits.ok) {
      submission.setErrors({
        fields: {
          limits: `Check ${limits.field}: a whole number above 0, or an amount like 5.00.`,
        },
        form: null,
      });
      return;
    }
    if (models !== null && models.length === 0) {
      submission.setErrors({
        fields: { models: 'Pick at least one model, or allow all.' },
        form: null,
      });
      return;
    }
    await submission.run(async () => {
      const key = await api.post<CreatedApiKey>('/keys', {
        accountId,
        name: name.trim() || 'default',
        models,
        // The end of the chosen day in the viewer's time zone: "expires on the 5th" includes the 5th.
        ...(expiresOn ? { expiresAt: new Date(`${expiresOn}T23:59:59`).toISOString() } : {}),
        ...(Object.keys(limits.limits).length > 0 ? { limits: limits.limits } : {}),
      });
      setCreated(key);
      onCreated();
    });
  };

  if (created) {
    return (
      <Modal title="Your new API key" onClose={onClose}>
        <Notice tone="warning" title="Copy the key now">
          This is the only time it is shown. Only its hash is stored; if you lose it, create
          another.
        </Notice>
        <SecretValue value={created.key} label="New API key" copyLabel="Copy API key" />
        <p className="muted small">
          Use it as <code>Authorization: Bearer …</code> with the base URL{' '}
          <code>{`${window.location.origin}/api/v1`}</code>. The API page has examples.
        </p>
        <div className="row form-actions">
          <button type="button" className="button button-primary" onClick={onClose}>
            I have copied it
          </button>
        </div>
      </Modal>
    );
  }

  return (
    <Modal title="New API key" onClose={onClose} wide>
      <form className="form" onSubmit={(event) => void submit(event)}>
        {submission.errors.form ? <Notice tone="error">{submission.errors.form}</Notice> : null}
        <div className="form-grid">
          <TextField
            label="Name"
            value={name}
            onChange={setName}
            maxLength={100}
            placeholder="e.g. production"
            autoFocus
            hint="To recognise the key by."
            error={submission.errors.fields.name}
          />
          <TextField
            label="Expires on (optional)"
            type="date"
            value={expiresOn}
            onChange={setExpiresOn}
            min={new Date().toISOString().slice(0, 10)}
            hint="Empty: never expires."
            error={submission.errors.fields.expiresAt}
          />
        </div>
        <ModelAllowlistField
          models={catalog.data?.data ?? []}
          value={models}
          onChange={setModels}
          error={submission.errors.fields.models}
        />
        <LimitsFields
          value={limitsText}
          onChange={setLimitsText}
          ceiling={accountLimits}
          unbounded={unbounded}
          error={submission.errors.fields.limits}
        />
        <FormActions
          submitLabel={'Create key'}
          busyLabel="Creating…"
          busy={submission.busy}
          onCancel={onClose}
        />
      </form>
    </Modal>
  );
}
