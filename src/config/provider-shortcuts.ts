import { parseMoney } from '../billing/money.js';
import { openAICompatiblePresets } from '../providers/openai-compatible/presets.js';
import {
  providerConfigSchema,
  type GatewayConfig,
  type ModelConfig,
  type ProviderConfig,
} from './schema.js';

const defaultTimeouts = {
  connectMilliseconds: 10_000,
  firstByteMilliseconds: 300_000,
  idleMilliseconds: 120_000,
};

/** Where a shortcut provider's settings came from, to name in an error. */
type SettingSources = Partial<Record<keyof ProviderConfig, string>>;

function addProvider(
  config: GatewayConfig,
  presetModelIds: Set<string>,
  problems: string[],
  provider: ProviderConfig,
  sources: SettingSources,
  models: Array<Omit<ModelConfig, 'deployments' | 'aliases'>>,
): void {
  if (config.providers.some((existing) => existing.name === provider.name)) return;
  // Shortcut values come straight from the environment, after the file was validated: a base
  // URL like 'localhost:8000' must fail here, naming its variable, not later as "Invalid URL".
  const checked = providerConfigSchema.safeParse(provider);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const key = issue.path[0] as keyof ProviderConfig | undefined;
      problems.push(`${(key && sources[key]) ?? key ?? provider.name}: ${issue.message}`);
    }
    return;
  }
  config.providers.push(provider);
  for (const model of models) {
    const deployment = {
      provider: provider.name,
      upstreamModel: model.id,
      priority: 0,
      weight: 1,
      timeouts: defaultTimeouts,
    };
    const existing = config.models.find((candidate) => candidate.id === model.id);
    if (existing) {
      if (existing.deployments.length === 0) existing.deployments.push(deployment);
      continue;
    }
    config.models.push({ ...model, aliases: [], deployments: [deployment] });
    presetModelIds.add(model.id);
  }
}

/**
 * Registers the providers that well-known environment variables name (`OPENAI_API_KEY`,
 * `DEEPSEEK_API_KEY`, and `OPENAI_COMPATIBLE_BASE_URL` for any other server), with their
 * well-known models and list prices. A provider the YAML file already defines is left alone.
 */
export function applyProviderShortcuts(
  config: GatewayConfig,
  environment: Readonly<Record<string, string | undefined>>,
): { config: GatewayConfig; presetModelIds: Set<string>; problems: string[] } {
  const presetModelIds = new Set<string>();
  const problems: string[] = [];
  for (const preset of openAICompatiblePresets) {
    const apiKey = preset.apiKeyEnvironmentVariable
      ? environment[preset.apiKeyEnvironmentVariable]
      : undefined;
    if (!apiKey) continue;
    const baseUrlOverride = preset.baseUrlEnvironmentVariable
      ? environment[preset.baseUrlEnvironmentVariable]
      : undefined;
    const baseUrl = baseUrlOverride || preset.baseUrl;
    addProvider(
      config,
      presetModelIds,
      problems,
      {
        name: preset.name,
        kind: 'openai-compatible',
        baseUrl,
        apiKey,
        streamUsage: preset.streamUsage,
        maxTokensField: preset.maxTokensField,
        headers: {},
      },
      { baseUrl: baseUrlOverride ? preset.baseUrlEnvironmentVariable : undefined },
      preset.models.map((model) => ({
        id: model.id,
        kind: model.kind,
        prices: {
          input: parseMoney(model.prices.input),
          output: parseMoney(model.prices.output),
          cachedInput: parseMoney(model.prices.cachedInput),
          perRequest: 0,
        },
        contextWindow: model.contextWindow,
        maxOutputTokens: model.maxOutputTokens,
      })),
    );
  }

  const genericBaseUrl = environment.OPENAI_COMPATIBLE_BASE_URL;
  if (genericBaseUrl) {
    const modelIds = (environment.OPENAI_COMPATIBLE_MODELS ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id.length > 0);
    addProvider(
      config,
      presetModelIds,
      problems,
      {
        name: environment.OPENAI_COMPATIBLE_NAME || 'openai-compatible',
        kind: 'openai-compatible',
        baseUrl: genericBaseUrl,
        apiKey: environment.OPENAI_COMPATIBLE_API_KEY || undefined,
        streamUsage: environment.OPENAI_COMPATIBLE_STREAM_USAGE !== 'false',
        maxTokensField: 'max_tokens',
        headers: {},
      },
      {
        name: 'OPENAI_COMPATIBLE_NAME',
        baseUrl: 'OPENAI_COMPATIBLE_BASE_URL',
        apiKey: 'OPENAI_COMPATIBLE_API_KEY',
      },
      // Prices of an arbitrary server are unknown: they start at zero and are set with the CLI.
      modelIds.map((id) => ({ id, kind: 'chat', prices: { input: 0, output: 0, perRequest: 0 } })),
    );
  }
  return { config, presetModelIds, problems };
}
