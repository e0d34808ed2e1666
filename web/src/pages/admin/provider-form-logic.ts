import type { MaxTokensField, Provider, ProviderKind } from './admin-types';
import type { Checked } from './input-parsing';

/** What the provider form holds; text fields stay text until the body is built. */
export interface ProviderDraft {
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  /** A new secret; empty keeps the stored one (or sends none on create). */
  apiKey: string;
  removeApiKey: boolean;
  /** "Name: value" lines. */
  headersText: string;
  /** On edit the stored header values are never shown, so they are only replaced on request. */
  replaceHeaders: boolean;
  streamUsage: boolean;
  maxTokensField: MaxTokensField;
  apiVersion: string;
  anthropicVersion: string;
  defaultMaxTokens: string;
}

/** Which kind-specific settings apply, with the adapter's default (from docs/providers.md). */
export interface KindSettings {
  streamUsage: boolean;
  maxTokensField: boolean;
  apiVersion: string | null;
  anthropicVersion: string | null;
  defaultMaxTokens: string | null;
  baseUrlExample: string;
}

const kindSettings: Readonly<Record<ProviderKind, KindSettings>> = {
  'openai-compatible': {
    streamUsage: true,
    maxTokensField: true,
    apiVersion: null,
    anthropicVersion: null,
    defaultMaxTokens: null,
    baseUrlExample: 'https://api.deepseek.com/v1',
  },
  azure: {
    streamUsage: false,
    maxTokensField: true,
    apiVersion: '2024-10-21',
    anthropicVersion: null,
    defaultMaxTokens: null,
    baseUrlExample: 'https://my-resource.openai.azure.com',
  },
  anthropic: {
    streamUsage: false,
    maxTokensField: false,
    apiVersion: null,
    anthropicVersion: '2023-06-01',
    defaultMaxTokens: '4096',
    baseUrlExample: 'https://api.anthropic.com/v1',
  },
  gemini: {
    streamUsage: false,
    maxTokensField: false,
    apiVersion: 'v1beta',
    anthropicVersion: null,
    defaultMaxTokens: null,
    baseUrlExample: 'https://generativelanguage.googleapis.com',
  },
};

/** The settings a kind of provider understands. */
export function settingsOfKind(kind: ProviderKind): KindSettings {
  return kindSettings[kind];
}

export const providerKindOptions: readonly { value: ProviderKind; label: string }[] = [
  { value: 'openai-compatible', label: 'OpenAI-compatible' },
  { value: 'azure', label: 'Azure OpenAI' },
  { value: 'anthropic', label: 'Anthropic' },
  { value: 'gemini', label: 'Google Gemini' },
];

/** An empty form for a new provider. */
export function newProviderDraft(): ProviderDraft {
  return {
    name: '',
    kind: 'openai-compatible',
    baseUrl: '',
    apiKey: '',
    removeApiKey: false,
    headersText: '',
    replaceHeaders: true,
    streamUsage: true,
    maxTokensField: 'max_tokens',
    apiVersion: '',
    anthropicVersion: '',
    defaultMaxTokens: '',
  };
}

/**
 * The form for an existing provider. The API never returns header values (they may be secrets),
 * so headers are only replaced on request.
 */
export function draftOfProvider(provider: Provider): ProviderDraft {
  return {
    ...newProviderDraft(),
    name: provider.name,
    kind: provider.kind,
    baseUrl: provider.baseUrl,
    replaceHeaders: false,
    streamUsage: provider.streamUsage,
    maxTokensField: provider.maxTokensField,
    apiVersion: provider.apiVersion ?? '',
    anthropicVersion: provider.anthropicVersion ?? '',
    defaultMaxTokens: provider.defaultMaxTokens === null ? '' : String(provider.defaultMaxTokens),
  };
}

const headerName = /^[A-Za-z0-9-]{1,100}$/;

/** "Name: value" lines into a header record; blank lines are skipped. */
export function parseHeaders(text: string): Checked<Record<string, string>> {
  const headers: Record<string, string> = {};
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon).trim();
    if (colon < 0 || !headerName.test(name)) {
      return {
        ok: false,
        field: 'headers',
        message: `Line ${index + 1}: write "Header-Name: value" (letters, digits and dashes in the name).`,
      };
    }
    headers[name] = line.slice(colon + 1).trim();
  }
  return { ok: true, value: headers };
}

function parseMaxTokens(text: string): Checked<number | undefined> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  if (!/^\d{1,9}$/.test(trimmed) || Number(trimmed) < 1) {
    return {
      ok: false,
      field: 'defaultMaxTokens',
      message: 'Enter a whole number of tokens, like 4096.',
    };
  }
  return { ok: true, value: Number(trimmed) };
}

/** The settings only some kinds take; each is sent only when filled in. */
function adapterFields(draft: ProviderDraft): Checked<Record<string, string | number>> {
  const settings = settingsOfKind(draft.kind);
  const fields: Record<string, string | number> = {};
  if (settings.apiVersion !== null && draft.apiVersion.trim() !== '') {
    fields.apiVersion = draft.apiVersion.trim();
  }
  if (settings.anthropicVersion !== null && draft.anthropicVersion.trim() !== '') {
    fields.anthropicVersion = draft.anthropicVersion.trim();
  }
  if (settings.defaultMaxTokens !== null) {
    const maxTokens = parseMaxTokens(draft.defaultMaxTokens);
    if (!maxTokens.ok) return maxTokens;
    if (maxTokens.value !== undefined) fields.defaultMaxTokens = maxTokens.value;
  }
  return { ok: true, value: fields };
}

/** The settings both create and update send. */
function sharedFields(draft: ProviderDraft): Checked<Record<string, unknown>> {
  const adapter = adapterFields(draft);
  if (!adapter.ok) return adapter;
  const body: Record<string, unknown> = { baseUrl: draft.baseUrl.trim(), ...adapter.value };
  const settings = settingsOfKind(draft.kind);
  if (settings.streamUsage) body.streamUsage = draft.streamUsage;
  if (settings.maxTokensField) body.maxTokensField = draft.maxTokensField;
  if (draft.replaceHeaders) {
    const headers = parseHeaders(draft.headersText);
    if (!headers.ok) return headers;
    body.headers = headers.value;
  }
  return { ok: true, value: body };
}

/** The body of POST /providers. */
export function createProviderBody(draft: ProviderDraft): Checked<Record<string, unknown>> {
  const shared = sharedFields(draft);
  if (!shared.ok) return shared;
  return {
    ok: true,
    value: {
      name: draft.name.trim(),
      kind: draft.kind,
      ...shared.value,
      ...(draft.apiKey === '' ? {} : { apiKey: draft.apiKey }),
    },
  };
}

/** The body of PATCH /providers/:id: a new key replaces the old; "remove" sends null. */
export function updateProviderBody(draft: ProviderDraft): Checked<Record<string, unknown>> {
  const shared = sharedFields(draft);
  if (!shared.ok) return shared;
  const apiKey = draft.removeApiKey
    ? { apiKey: null }
    : draft.apiKey === ''
      ? {}
      : { apiKey: draft.apiKey };
  return { ok: true, value: { ...shared.value, ...apiKey } };
}
