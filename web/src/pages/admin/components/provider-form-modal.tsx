import { useState } from 'react';
import { api } from '../../../api/api-client';
import { SelectField, TextField } from '../../../components/form-field';
import { useSubmit } from '../../../hooks/use-submit';
import type { MaxTokensField, Provider, ProviderKind } from '../admin-types';
import {
  createProviderBody,
  draftOfProvider,
  newProviderDraft,
  providerKindOptions,
  settingsOfKind,
  updateProviderBody,
  type ProviderDraft,
} from '../provider-form-logic';
import { CheckboxField, TextAreaField } from './extra-fields';
import { fieldBinder, submitChecked } from './form-binding';
import { FormModal } from './form-modal';

const fieldNames = [
  'name',
  'kind',
  'baseUrl',
  'apiKey',
  'headers',
  'streamUsage',
  'maxTokensField',
  'apiVersion',
  'anthropicVersion',
  'defaultMaxTokens',
];

interface ProviderFormModalProps {
  /** The provider to edit; absent to create one. */
  provider?: Provider;
  onSaved: (provider: Provider) => void;
  onClose: () => void;
}

/** Creates a provider, or edits one; the secret is write-only. */
export function ProviderFormModal({ provider, onSaved, onClose }: ProviderFormModalProps) {
  const [draft, setDraft] = useState<ProviderDraft>(() =>
    provider ? draftOfProvider(provider) : newProviderDraft(),
  );
  const submission = useSubmit(fieldNames);
  const { errors } = submission;
  const update = (change: Partial<ProviderDraft>) =>
    setDraft((current) => ({ ...current, ...change }));
  const kind = settingsOfKind(draft.kind);
  const editing = provider !== undefined;

  const save = () =>
    submitChecked(
      submission,
      editing ? updateProviderBody(draft) : createProviderBody(draft),
      async (body) =>
        onSaved(
          editing
            ? await api.patch<Provider>(`/providers/${provider.id}`, body)
            : await api.post<Provider>('/providers', body),
        ),
    );

  const bind = fieldBinder(draft, update, errors.fields);
  const keepHint = editing ? 'Leave empty to keep the current value.' : undefined;
  return (
    <FormModal
      title={editing ? `Edit provider ${provider.name}` : 'Add a provider'}
      submitLabel={editing ? 'Save provider' : 'Add provider'}
      submission={submission}
      onSubmit={save}
      onClose={onClose}
      wide
    >
      <div className="form-grid">
        <TextField
          label="Name"
          {...bind('name')}
          disabled={editing}
          required
          autoComplete="off"
          hint={
            editing
              ? 'Deployments refer to it by name; it cannot change.'
              : 'Lowercase letters, digits, dots, dashes, e.g. deepseek.'
          }
        />
        <SelectField
          label="Kind"
          value={draft.kind}
          options={providerKindOptions}
          onChange={(value) => update({ kind: value as ProviderKind })}
          error={errors.fields.kind}
          disabled={editing}
        />
      </div>
      <TextField
        label="Base URL"
        type="url"
        {...bind('baseUrl')}
        required
        placeholder={kind.baseUrlExample}
        hint={`For example ${kind.baseUrlExample}`}
      />
      <ApiKeyFields
        draft={draft}
        provider={provider}
        update={update}
        error={errors.fields.apiKey}
      />
      <HeaderFields
        draft={draft}
        provider={provider}
        update={update}
        error={errors.fields.headers}
      />
      <div className="form-grid">
        {kind.maxTokensField ? (
          <SelectField
            label="Output cap field"
            value={draft.maxTokensField}
            options={[
              { value: 'max_tokens', label: 'max_tokens' },
              { value: 'max_completion_tokens', label: 'max_completion_tokens' },
            ]}
            onChange={(value) => update({ maxTokensField: value as MaxTokensField })}
            error={errors.fields.maxTokensField}
            hint="The field that carries the output cap upstream; newer OpenAI models need max_completion_tokens."
          />
        ) : null}
        {kind.apiVersion !== null ? (
          <TextField
            label="API version"
            {...bind('apiVersion')}
            placeholder={kind.apiVersion}
            hint={keepHint ?? `Default ${kind.apiVersion}.`}
          />
        ) : null}
        {kind.anthropicVersion !== null ? (
          <TextField
            label="Anthropic version"
            {...bind('anthropicVersion')}
            placeholder={kind.anthropicVersion}
            hint={keepHint ?? `The anthropic-version header; default ${kind.anthropicVersion}.`}
          />
        ) : null}
        {kind.defaultMaxTokens !== null ? (
          <TextField
            label="Default max tokens"
            inputMode="numeric"
            {...bind('defaultMaxTokens')}
            placeholder={kind.defaultMaxTokens}
            hint={
              keepHint ??
              `Sent when the client sets no max_tokens; default ${kind.defaultMaxTokens}.`
            }
          />
        ) : null}
      </div>
      {kind.streamUsage ? (
        <CheckboxField
          label="Ask for usage in streams"
          checked={draft.streamUsage}
          onChange={(streamUsage) => update({ streamUsage })}
          error={errors.fields.streamUsage}
          hint="Sends stream_options.include_usage. Turn off for servers that refuse it; streams are then metered with the gateway's tokenizer."
        />
      ) : null}
    </FormModal>
  );
}

interface SectionProps {
  draft: ProviderDraft;
  provider: Provider | undefined;
  update: (change: Partial<ProviderDraft>) => void;
  error: string | undefined;
}

function ApiKeyFields({ draft, provider, update, error }: SectionProps) {
  const stored = provider?.hasApiKey === true;
  return (
    <div className="stack">
      <TextField
        label="API key"
        type="password"
        autoComplete="new-password"
        value={draft.apiKey}
        onChange={(apiKey) => update({ apiKey })}
        error={error}
        disabled={draft.removeApiKey}
        hint={
          stored
            ? 'A key is stored. Leave empty to keep it, or type a new one to replace it. It is never shown.'
            : 'Stored encrypted and never shown again.'
        }
      />
      {stored ? (
        <CheckboxField
          label="Remove the stored API key"
          checked={draft.removeApiKey}
          onChange={(removeApiKey) => update({ removeApiKey, apiKey: '' })}
        />
      ) : null}
    </div>
  );
}

function HeaderFields({ draft, provider, update, error }: SectionProps) {
  const names = provider?.headerNames ?? [];
  return (
    <div className="stack">
      {provider ? (
        <CheckboxField
          label="Replace the headers sent upstream"
          checked={draft.replaceHeaders}
          onChange={(replaceHeaders) => update({ replaceHeaders })}
          hint={
            names.length > 0
              ? `Now sent: ${names.join(', ')}. Their values are not shown; replacing sets the whole list.`
              : 'No extra headers are sent now.'
          }
        />
      ) : null}
      {draft.replaceHeaders ? (
        <TextAreaField
          label="Extra headers"
          value={draft.headersText}
          onChange={(headersText) => update({ headersText })}
          error={error}
          rows={3}
          spellCheck={false}
          placeholder="X-Org-Id: acme"
          hint='One "Header-Name: value" per line, sent with every upstream request. Leave empty for none.'
        />
      ) : null}
    </div>
  );
}
