import { useState } from 'react';
import { api } from '../../../api/api-client';
import type { ApiKey } from '../../../api/api-types';
import { useSubmit } from '../../../hooks/use-submit';
import { FormModal } from './form-modal';

interface AllowlistModalProps {
  apiKey: ApiKey;
  /** Every model id in the catalog. */
  modelIds: readonly string[];
  onSaved: (key: ApiKey) => void;
  onClose: () => void;
}

/** Chooses which models a key may use: all of them, or a list (null or ids, as the API takes). */
export function AllowlistModal({ apiKey, modelIds, onSaved, onClose }: AllowlistModalProps) {
  const [restricted, setRestricted] = useState(apiKey.models !== null);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(apiKey.models ?? []));
  const submission = useSubmit(['models']);
  // Ids the key lists that the catalog no longer has stay visible, so saving can drop them.
  const choices = [...new Set([...modelIds, ...(apiKey.models ?? [])])].sort();

  const toggle = (id: string, on: boolean) =>
    setChosen((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const save = () => {
    if (restricted && chosen.size === 0) {
      submission.setErrors({
        fields: { models: 'Choose at least one model, or allow every model.' },
        form: null,
      });
      return;
    }
    void submission.run(async () => {
      const models = restricted ? choices.filter((id) => chosen.has(id)) : null;
      onSaved(await api.patch<ApiKey>(`/keys/${apiKey.id}`, { models }));
    });
  };

  const error = submission.errors.fields.models;
  return (
    <FormModal
      title={`Models for key ${apiKey.name}`}
      submitLabel="Save allowlist"
      submission={submission}
      onSubmit={save}
      onClose={onClose}
    >
      <fieldset>
        <legend className="fieldset-legend">This key may use</legend>
        <div className="stack">
          <label className="checkbox">
            <input
              type="radio"
              name="allowlist-scope"
              checked={!restricted}
              onChange={() => setRestricted(false)}
            />
            Every model, including ones added later
          </label>
          <label className="checkbox">
            <input
              type="radio"
              name="allowlist-scope"
              checked={restricted}
              onChange={() => setRestricted(true)}
            />
            Only the models chosen below
          </label>
        </div>
      </fieldset>
      {restricted ? (
        <fieldset aria-describedby={error ? 'allowlist-error' : undefined}>
          <legend className="fieldset-legend">Allowed models</legend>
          {choices.length === 0 ? <p className="muted">There are no models yet.</p> : null}
          <div className="checkbox-list">
            {choices.map((id) => (
              <label className="checkbox" key={id}>
                <input
                  type="checkbox"
                  checked={chosen.has(id)}
                  onChange={(event) => toggle(id, event.target.checked)}
                />
                <span className="mono">{id}</span>
                {modelIds.includes(id) ? null : (
                  <span className="muted small">(no longer in the catalog)</span>
                )}
              </label>
            ))}
          </div>
          {error ? (
            <p id="allowlist-error" className="field-error" role="alert">
              {error}
            </p>
          ) : null}
        </fieldset>
      ) : null}
    </FormModal>
  );
}
