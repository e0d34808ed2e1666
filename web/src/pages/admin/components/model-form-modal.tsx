import { useState } from 'react';
import { api } from '../../../api/api-client';
import type { Model, Prices } from '../../../api/api-types';
import { SelectField, TextField } from '../../../components/form-field';
import { formatMoney } from '../../../format/money';
import { useSubmit } from '../../../hooks/use-submit';
import { parsePriceInput, parseTokenCount, type Checked } from '../input-parsing';
import { fieldBinder, submitChecked } from './form-binding';
import { FormModal } from './form-modal';

const priceFields: readonly { key: keyof Prices; label: string; hint: string }[] = [
  { key: 'input', label: 'Input price', hint: 'Per 1M prompt tokens.' },
  { key: 'output', label: 'Output price', hint: 'Per 1M completion tokens.' },
  {
    key: 'cachedInput',
    label: 'Cache hit price',
    hint: 'Per 1M cached prompt tokens. Empty on a new model: the input price.',
  },
  { key: 'perRequest', label: 'Request fee', hint: 'Added to every request; usually 0.' },
];

// A bad price comes back as `prices.input`; it is shown under the prices as a group.
const fieldNames = ['id', 'kind', 'prices', 'contextWindow', 'maxOutputTokens'];

/** The prices sit flat beside the other fields so every field binds the same way. */
interface Draft extends Record<keyof Prices, string> {
  id: string;
  kind: Model['kind'];
  contextWindow: string;
  maxOutputTokens: string;
}

function draftOf(model: Model | undefined): Draft {
  const price = (key: keyof Prices) =>
    model ? formatMoney(model.prices[key]).replace(/,/g, '') : '';
  return {
    id: model?.id ?? '',
    kind: model?.kind ?? 'chat',
    input: price('input'),
    output: price('output'),
    cachedInput: price('cachedInput'),
    perRequest: price('perRequest'),
    contextWindow: model?.contextWindow == null ? '' : String(model.contextWindow),
    maxOutputTokens: model?.maxOutputTokens == null ? '' : String(model.maxOutputTokens),
  };
}

function checkDraft(draft: Draft, creating: boolean): Checked<Record<string, unknown>> {
  const prices: Record<string, string> = {};
  for (const { key, label } of priceFields) {
    // A new model's empty cached price follows its input price (the API's default).
    if (creating && key === 'cachedInput' && draft.cachedInput.trim() === '') continue;
    const parsed = parsePriceInput(draft[key]);
    if (!parsed.ok) return { ok: false, field: key, message: `${label}: ${parsed.message}` };
    prices[key] = parsed.price;
  }
  const contextWindow = parseTokenCount(draft.contextWindow);
  if (!contextWindow.ok)
    return { ok: false, field: 'contextWindow', message: contextWindow.message };
  const maxOutputTokens = parseTokenCount(draft.maxOutputTokens);
  if (!maxOutputTokens.ok)
    return { ok: false, field: 'maxOutputTokens', message: maxOutputTokens.message };
  return {
    ok: true,
    value: {
      ...(creating ? { id: draft.id.trim() } : {}),
      kind: draft.kind,
      prices,
      contextWindow: contextWindow.tokens,
      maxOutputTokens: maxOutputTokens.tokens,
    },
  };
}

interface ModelFormModalProps {
  model?: Model;
  onSaved: (model: Model) => void;
  onClose: () => void;
}

/** Creates a model with its prices and sizes, or changes them. */
export function ModelFormModal({ model, onSaved, onClose }: ModelFormModalProps) {
  const [draft, setDraft] = useState(() => draftOf(model));
  const submission = useSubmit([...fieldNames, ...priceFields.map((field) => field.key)]);
  const { errors } = submission;
  const editing = model !== undefined;
  const update = (change: Partial<Draft>) => setDraft((current) => ({ ...current, ...change }));

  const save = () =>
    submitChecked(submission, checkDraft(draft, !editing), async (body) =>
      onSaved(
        editing
          ? await api.patch<Model>(`/models/${encodeURIComponent(model.id)}`, body)
          : await api.post<Model>('/models', body),
      ),
    );
  const bind = fieldBinder(draft, update, errors.fields);

  return (
    <FormModal
      title={editing ? `Edit model ${model.id}` : 'Add a model'}
      submitLabel={editing ? 'Save model' : 'Add model'}
      submission={submission}
      onSubmit={save}
      onClose={onClose}
      wide
    >
      <div className="form-grid">
        <TextField
          label="Model id"
          {...bind('id')}
          disabled={editing}
          required
          autoComplete="off"
          hint={
            editing
              ? 'Clients send this id; it cannot change.'
              : 'The id clients send, e.g. deepseek-chat.'
          }
        />
        <SelectField
          label="Kind"
          value={draft.kind}
          options={[
            { value: 'chat', label: 'Chat' },
            { value: 'embedding', label: 'Embedding' },
          ]}
          onChange={(kind) => update({ kind: kind as Model['kind'] })}
          error={errors.fields.kind}
        />
      </div>
      <fieldset>
        <legend className="fieldset-legend">Prices, in currency units</legend>
        {errors.fields.prices ? <p className="field-error">{errors.fields.prices}</p> : null}
        <div className="form-grid">
          {priceFields.map(({ key, label, hint }) => (
            <TextField
              key={key}
              label={label}
              inputMode="decimal"
              {...bind(key)}
              placeholder={key === 'cachedInput' && !editing ? 'same as input' : '0'}
              hint={hint}
            />
          ))}
        </div>
      </fieldset>
      <div className="form-grid">
        <TextField
          label="Context window"
          inputMode="numeric"
          {...bind('contextWindow')}
          hint="Tokens; empty when unknown."
        />
        <TextField
          label="Max output tokens"
          inputMode="numeric"
          {...bind('maxOutputTokens')}
          hint="Caps the output the gateway allows; empty for no cap of its own."
        />
      </div>
    </FormModal>
  );
}
