import { findPreset, openAICompatiblePresets } from '../../providers/openai-compatible/presets.js';
import { providerKinds, type ProviderKindName } from '../../store/records.js';

/** Where each kind's public API lives, when --base-url is not given. */
const defaultBaseUrls: Partial<Record<ProviderKindName, string>> = {
  anthropic: 'https://api.anthropic.com/v1',
  gemini: 'https://generativelanguage.googleapis.com',
};
import { optionalString, printTable, UsageError, type Command } from '../command.js';

function presetNames(): string {
  return openAICompatiblePresets.map((preset) => preset.name).join(', ');
}

function checkBaseUrl(text: string): void {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || /\s/.test(text)) {
    throw new UsageError(
      `--base-url: '${text}' is not an http(s) URL; write it whole, like https://api.example.com/v1`,
    );
  }
}

export const providersAdd: Command = {
  group: 'providers',
  name: 'add',
  summary:
    'Add or update an upstream provider: any OpenAI-compatible server, Azure OpenAI, Anthropic or Gemini',
  usage:
    '(--name NAME | --preset PRESET) [--kind KIND] [--base-url URL] [--api-key KEY | --api-key-env VAR] [--api-version V] [--no-stream-usage] [--max-tokens-field FIELD]',
  options: {
    name: { type: 'string' },
    kind: { type: 'string' },
    'api-version': { type: 'string' },
    preset: { type: 'string' },
    'base-url': { type: 'string' },
    'api-key': { type: 'string' },
    'api-key-env': { type: 'string' },
    'no-stream-usage': { type: 'boolean', default: false },
    'max-tokens-field': { type: 'string' },
  },
  optionHelp: {
    name: "a short name, e.g. deepseek or local-vllm (default: the preset's name)",
    kind: `${providerKinds.join(', ')} (default: openai-compatible, or the provider's current kind)`,
    'api-version': "Azure's api-version (e.g. 2024-10-21) or Gemini's API version (v1beta)",
    preset: `fill in the base URL and settings of: ${presetNames()}`,
    'base-url': 'the API base URL, including /v1 (required without --preset)',
    'api-key':
      "the provider's secret (stored encrypted); prefer --api-key-env to keep it out of shell history",
    'api-key-env': 'read the secret from this environment variable',
    'no-stream-usage':
      'the server does not support stream_options.include_usage; count stream tokens locally',
    'max-tokens-field': 'max_tokens (default) or max_completion_tokens',
  },
  async run(context, values) {
    const presetName = optionalString(values, 'preset');
    const preset = presetName === undefined ? undefined : findPreset(presetName);
    if (presetName !== undefined && !preset) {
      throw new UsageError(
        `--preset: unknown preset '${presetName}'; choose one of ${presetNames()}`,
      );
    }
    const name = optionalString(values, 'name') ?? preset?.name;
    if (name === undefined) throw new UsageError('--name is required (or use --preset)');
    if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(name)) {
      throw new UsageError(
        `--name: '${name}' does not fit; use up to 63 lowercase letters, digits, dots, dashes or underscores`,
      );
    }
    const typedKey = optionalString(values, 'api-key');
    const environmentVariable = optionalString(values, 'api-key-env');
    if (typedKey !== undefined && environmentVariable !== undefined)
      throw new UsageError('give either --api-key or --api-key-env, not both');
    let apiKey = typedKey;
    if (environmentVariable !== undefined) {
      apiKey = context.environment[environmentVariable]?.trim();
      if (apiKey === undefined || apiKey.length === 0)
        throw new UsageError(
          `--api-key-env: the environment variable ${environmentVariable} is not set (or is empty)`,
        );
    }
    const maxTokensField = optionalString(values, 'max-tokens-field');
    if (
      maxTokensField !== undefined &&
      maxTokensField !== 'max_tokens' &&
      maxTokensField !== 'max_completion_tokens'
    ) {
      throw new UsageError('--max-tokens-field must be max_tokens or max_completion_tokens');
    }
    const kindText = optionalString(values, 'kind');
    if (kindText !== undefined && !(providerKinds as readonly string[]).includes(kindText)) {
      throw new UsageError(`--kind must be one of ${providerKinds.join(', ')}`);
    }
    if (kindText !== undefined && kindText !== 'openai-compatible' && preset !== undefined) {
      throw new UsageError('--preset is for OpenAI-compatible servers; leave it out with --kind');
    }
    const apiVersion = optionalString(values, 'api-version');
    const store = await context.store();
    // Re-running `providers add` for an existing provider changes only what is given.
    const existing = await store.catalog.findProviderByName(name);
    const kind =
      (kindText as ProviderKindName | undefined) ?? existing?.kind ?? 'openai-compatible';
    if (
      kind === 'azure' &&
      apiVersion === undefined &&
      existing?.settings.apiVersion === undefined
    ) {
      throw new UsageError(
        '--api-version is required for Azure OpenAI, e.g. --api-version 2024-10-21',
      );
    }
    const baseUrl =
      optionalString(values, 'base-url') ??
      preset?.baseUrl ??
      existing?.baseUrl ??
      defaultBaseUrls[kind];
    if (baseUrl === undefined) throw new UsageError('--base-url is required (or use --preset)');
    checkBaseUrl(baseUrl);
    const provider = await store.catalog.upsertProvider({
      name,
      kind,
      baseUrl,
      apiKeyEncrypted:
        apiKey === undefined ? (existing?.apiKeyEncrypted ?? null) : context.secrets().seal(apiKey),
      settings: {
        streamUsage:
          values['no-stream-usage'] === true
            ? false
            : (preset?.streamUsage ?? existing?.settings.streamUsage ?? true),
        maxTokensField:
          maxTokensField ??
          preset?.maxTokensField ??
          existing?.settings.maxTokensField ??
          'max_tokens',
        headers: existing?.settings.headers ?? {},
        ...(existing?.settings.anthropicVersion === undefined
          ? {}
          : { anthropicVersion: existing.settings.anthropicVersion }),
        ...(existing?.settings.defaultMaxTokens === undefined
          ? {}
          : { defaultMaxTokens: existing.settings.defaultMaxTokens }),
        ...((apiVersion ?? existing?.settings.apiVersion) === undefined
          ? {}
          : { apiVersion: apiVersion ?? existing?.settings.apiVersion }),
      },
    });
    const secret = provider.apiKeyEncrypted === null ? 'no API key' : 'API key stored encrypted';
    context.stdout.write(
      `${existing ? 'Updated' : 'Added'} provider '${provider.name}' (id ${provider.id}): ${provider.baseUrl}, ${secret}.\n`,
    );
    if (!existing) {
      const model = preset?.models[0];
      const example = model
        ? `--id ${model.id} --input-price ${model.prices.input} --output-price ${model.prices.output}`
        : '--id MODEL --input-price P --output-price P';
      context.stdout.write(
        `Route a model to it: switchyard models add ${example} --provider ${provider.name}\n`,
      );
    }
    return 0;
  },
};

export const providersList: Command = {
  group: 'providers',
  name: 'list',
  summary: 'List providers (secrets are never shown)',
  usage: '[--json]',
  options: { json: { type: 'boolean', default: false } },
  optionHelp: { json: 'print JSON instead of a table' },
  async run(context, values) {
    const providers = await (await context.store()).catalog.listProviders();
    if (values.json === true) {
      const visible = providers.map(({ apiKeyEncrypted, ...provider }) => ({
        ...provider,
        hasApiKey: apiKeyEncrypted !== null,
      }));
      context.stdout.write(`${JSON.stringify(visible, null, 2)}\n`);
      return 0;
    }
    printTable(
      context.stdout,
      ['ID', 'NAME', 'KIND', 'BASE URL', 'API KEY', 'STREAM USAGE'],
      providers.map((provider) => [
        String(provider.id),
        provider.name,
        provider.kind,
        provider.baseUrl,
        provider.apiKeyEncrypted === null ? 'none' : 'set',
        provider.settings.streamUsage ? 'yes' : 'no',
      ]),
    );
    return 0;
  },
};
