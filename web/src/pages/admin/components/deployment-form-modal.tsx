import { useState } from 'react';
import { api } from '../../../api/api-client';
import type { Deployment, Model } from '../../../api/api-types';
import { SelectField, TextField } from '../../../components/form-field';
import { useSubmit } from '../../../hooks/use-submit';
import type { Provider } from '../admin-types';
import { parseInteger, parseSeconds, secondsText, type Checked } from '../input-parsing';
import { CheckboxField } from './extra-fields';
import { fieldBinder, submitChecked } from './form-binding';
import { FormModal } from './form-modal';

const fieldNames = ['model', 'provider', 'upstreamModel', 'priority', 'weight', 'timeouts'];

const timeoutFields = [
  { name: 'connect', label: 'Connect timeout', hint: 'Up to 600.' },
  {
    name: 'firstByte',
    label: 'First byte timeout',
    hint: 'Until the response starts; up to 3600.',
  },
  { name: 'idle', label: 'Idle timeout', hint: 'Longest pause within a stream; up to 3600.' },
] as const;

const defaultTimeouts = {
  connectMilliseconds: 10_000,
  firstByteMilliseconds: 300_000,
  idleMilliseconds: 120_000,
};

interface DeploymentFormModalProps {
  /** The deployment to edit; absent to add one. */
  deployment?: Deployment;
  models: readonly Model[];
  providers: readonly Provider[];
  /** Preselected when adding from a filtered view. */
  initialModel?: string;
  onSaved: (deployment: Deployment) => void;
  onClose: () => void;
}

interface Draft {
  enabled: boolean;
  model: string;
  provider: string;
  upstreamModel: string;
  priority: string;
  weight: string;
  connect: string;
  firstByte: string;
  idle: string;
}

function initialDraft(
  deployment: Deployment | undefined,
  models: readonly Model[],
  providers: readonly Provider[],
  initialModel: string | undefined,
): Draft {
  const timeouts = deployment?.timeouts ?? defaultTimeouts;
  return {
    enabled: deployment?.enabled ?? true,
    model: deployment?.modelId ?? initialModel ?? models[0]?.id ?? '',
    provider: deployment?.providerName ?? providers[0]?.name ?? '',
    upstreamModel: deployment?.upstreamModel ?? '',
    priority: String(deployment?.priority ?? 0),
    weight: String(deployment?.weight ?? 1),
    connect: secondsText(timeouts.connectMilliseconds),
    firstByte: secondsText(timeouts.firstByteMilliseconds),
    idle: secondsText(timeouts.idleMilliseconds),
  };
}

/** Checks the numbers before sending, so each mistake is shown under its own field. */
function checkDraft(draft: Draft): Checked<Record<string, unknown>> {
  const priority = parseInteger(draft.priority, 0, 1000);
  if (!priority.ok) return { ok: false, field: 'priority', message: priority.message };
  const weight = parseInteger(draft.weight, 1, 1000);
  if (!weight.ok) return { ok: false, field: 'weight', message: weight.message };
  const connect = parseSeconds(draft.connect, 600);
  if (!connect.ok) return { ok: false, field: 'connect', message: connect.message };
  const firstByte = parseSeconds(draft.firstByte, 3600);
  if (!firstByte.ok) return { ok: false, field: 'firstByte', message: firstByte.message };
  const idle = parseSeconds(draft.idle, 3600);
  if (!idle.ok) return { ok: false, field: 'idle', message: idle.message };
  return {
    ok: true,
    value: {
      priority: priority.value,
      weight: weight.value,
      timeouts: {
        connectMilliseconds: connect.milliseconds,
        firstByteMilliseconds: firstByte.milliseconds,
        idleMilliseconds: idle.milliseconds,
      },
    },
  };
}

/** Routes a model to a provider, or changes a deployment's priority, weight and timeouts. */
export function DeploymentFormModal({
  deployment,
  models,
  providers,
  initialModel,
  onSaved,
  onClose,
}: DeploymentFormModalProps) {
  const [draft, setDraft] = useState(() =>
    initialDraft(deployment, models, providers, initialModel),
  );
  // The API names a bad timeout `timeouts.…`; the form shows it under the first timeout field.
  const submission = useSubmit([...fieldNames, 'connect', 'firstByte', 'idle'], {
    timeouts: 'connect',
  });
  const { errors } = submission;
  const update = (change: Partial<Draft>) => setDraft((current) => ({ ...current, ...change }));
  const editing = deployment !== undefined;

  const save = () =>
    submitChecked(submission, checkDraft(draft), async (body) =>
      onSaved(
        editing
          ? await api.patch<Deployment>(`/deployments/${deployment.id}`, {
              ...body,
              enabled: draft.enabled,
            })
          : await api.post<Deployment>(`/models/${encodeURIComponent(draft.model)}/deployments`, {
              provider: draft.provider,
              ...(draft.upstreamModel.trim() === ''
                ? {}
                : { upstreamModel: draft.upstreamModel.trim() }),
              ...body,
            }),
      ),
    );
  const bind = fieldBinder(draft, update, errors.fields);

  return (
    <FormModal
      title={
        editing
          ? `Edit deployment ${deployment.modelId} → ${deployment.providerName}`
          : 'Add a deployment'
      }
      submitLabel={editing ? 'Save deployment' : 'Add deployment'}
      submission={submission}
      onSubmit={save}
      onClose={onClose}
      wide
    >
      <div className="form-grid">
        <SelectField
          label="Model"
          options={models.map((model) => ({ value: model.id, label: model.id }))}
          {...bind('model')}
          disabled={editing}
        />
        <SelectField
          label="Provider"
          options={providers.map((provider) => ({ value: provider.name, label: provider.name }))}
          {...bind('provider')}
          disabled={editing}
        />
        <TextField
          label="Upstream model"
          {...bind('upstreamModel')}
          disabled={editing}
          placeholder={draft.model}
          hint={editing ? undefined : 'The name the provider knows it by; empty for the same id.'}
        />
      </div>
      <div className="form-grid">
        <TextField
          label="Priority"
          inputMode="numeric"
          {...bind('priority')}
          hint="0–1000; lower is tried first. Higher ones are fail-overs."
        />
        <TextField
          label="Weight"
          inputMode="numeric"
          {...bind('weight')}
          hint="1–1000; shares traffic among deployments of the same priority."
        />
      </div>
      <fieldset>
        <legend className="fieldset-legend">Timeouts (seconds)</legend>
        <div className="form-grid">
          {timeoutFields.map(({ name, label, hint }) => (
            <TextField key={name} label={label} inputMode="decimal" {...bind(name)} hint={hint} />
          ))}
        </div>
      </fieldset>
      {editing ? (
        <CheckboxField
          label="Enabled"
          checked={draft.enabled}
          onChange={(enabled) => update({ enabled })}
          hint="A disabled deployment gets no traffic; the model's other deployments take it."
        />
      ) : null}
    </FormModal>
  );
}
