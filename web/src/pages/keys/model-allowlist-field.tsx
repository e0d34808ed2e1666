import type { Model } from '../../api/api-types';

interface ModelAllowlistFieldProps {
  models: readonly Model[];
  /** null allows every model, including ones added later. */
  value: readonly string[] | null;
  onChange: (value: string[] | null) => void;
  error?: string | null | undefined;
}

/** "All models" or a chosen set, picked from the catalog. */
export function ModelAllowlistField({ models, value, onChange, error }: ModelAllowlistFieldProps) {
  const toggle = (id: string, checked: boolean) => {
    const current = value ?? [];
    onChange(checked ? [...current, id] : current.filter((model) => model !== id));
  };
  return (
    <fieldset>
      <legend className="fieldset-legend">Models</legend>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={value === null}
          onChange={(event) => onChange(event.target.checked ? null : [])}
        />
        All models, including ones added later
      </label>
      {value !== null ? (
        <>
          <div className="checkbox-list" role="group" aria-label="Allowed models">
            {models.map((model) => (
              <label key={model.id} className="checkbox">
                <input
                  type="checkbox"
                  checked={value.includes(model.id)}
                  onChange={(event) => toggle(model.id, event.target.checked)}
                />
                {model.id}
              </label>
            ))}
            {models.length === 0 ? <span className="muted">No models are configured.</span> : null}
          </div>
          <p className="field-hint">The key is refused (403) for any other model.</p>
          {error ? <p className="field-error">{error}</p> : null}
        </>
      ) : null}
    </fieldset>
  );
}
