import { findPreset, openAICompatiblePresets } from '../../providers/openai-compatible/presets.js';
import { optionalString, printTable, requireString, UsageError, type Command } from '../command.js';

export const providersAdd: Command = {
  group: 'providers',
  name: 'add',
  summary: 'Add or update an upstream provider (any OpenAI-compatible server)',
  usage:
    '--name NAME [--preset PRESET] [--base-url URL] [--api-key KEY | --api-key-env VAR] [--no-stream-usage]',
  options: {
    name: { type: 'string' },
    preset: { type: 'string' },
    'base-url': { type: 'string' },
    'api-key': { type: 'string' },
    'api-key-env': { type: 'string' },
    'no-stream-usage': { type: 'boolean', default: false },
    'max-tokens-field': { type: 'string' },
  },
  optionHelp: {
    name: 'a short name, e.g. deepseek or local-vllm',
    preset: `fill in the base URL and settings of: ${openAICompatiblePresets.map((preset) => preset.name).join(', ')}`,
    'base-url': 'the API base URL, including /v1 (required without --preset)',
    'api-key':
      "the provider's secret (stored encrypted); prefer --api-key-env to keep it out of shell history",
    'api-key-env': 'read the secret from this environment variable',
    'no-stream-usage':
      'the server does not support stream_options.include_usage; count stream tokens locally',
    'max-tokens-field': 'max_tokens (default) or max_completion_tokens',
  },
  async run(context, values) {
    const name = requireString(values, 'name');
    if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(name)) {
      throw new UsageError('--name: use lowercase letters, digits, dot, dash or underscore');
    }
    const presetName = optionalString(values, 'preset');
    const preset = presetName === undefined ? undefined : findPreset(presetName);
    if (presetName !== undefined && !preset) {
      throw new UsageError(
        `--preset: unknown preset '${presetName}'; choose one of ${openAICompatiblePresets.map((entry) => entry.name).join(', ')}`,
      );
    }
    const baseUrl = optionalString(values, 'base-url') ?? preset?.baseUrl;
    if (baseUrl === undefined) throw new UsageError('--base-url is required (or use --preset)');
    if (!/^https?:\/\/[^/\s]+/i.test(baseUrl))
      throw new UsageError(`--base-url: '${baseUrl}' is not an http(s) URL`);
    const environmentVariable = optionalString(values, 'api-key-env');
    const apiKey =
      optionalString(values, 'api-key') ??
      (environmentVariable ? context.environment[environmentVariable] : undefined);
    if (environmentVariable !== undefined && apiKey === undefined) {
      throw new UsageError(`--api-key-env: the variable ${environmentVariable} is not set`);
    }
    const maxTokensField =
      optionalString(values, 'max-tokens-field') ?? preset?.maxTokensField ?? 'max_tokens';
    if (maxTokensField !== 'max_tokens' && maxTokensField !== 'max_completion_tokens') {
      throw new UsageError('--max-tokens-field must be max_tokens or max_completion_tokens');
    }
    const store = await context.store();
    const provider = await store.catalog.upsertProvider({
      name,
      kind: 'openai-compatible',
      baseUrl,
      apiKeyEncrypted: apiKey === undefined ? null : context.secrets().seal(apiKey),
      settings: {
        streamUsage: values['no-stream-usage'] === true ? false : (preset?.streamUsage ?? true),
        maxTokensField,
        headers: {},
      },
    });
    context.stdout.write(
      `Provider '${provider.name}' (id ${provider.id}) points at ${provider.baseUrl}.\n`,
    );
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
