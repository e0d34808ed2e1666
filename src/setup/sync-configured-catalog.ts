import type { SecretBox } from '../auth/secret-box.js';
import { ConfigError } from '../config/load.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Store } from '../store/contract.js';

/**
 * Writes the providers, models and deployments named in the configuration into the store, where
 * the CLI, the management API and every instance see them. Models from provider shortcuts only
 * fill gaps: a price an operator changed since is not overwritten on restart. Models the YAML file
 * defines are the operator's word and replace what is stored.
 */
export async function syncConfiguredCatalog(
  store: Store,
  config: GatewayConfig,
  presetModelIds: ReadonlySet<string>,
  secrets: SecretBox,
): Promise<void> {
  const providerIds = new Map<string, number>();
  for (const provider of config.providers) {
    const record = await store.catalog.upsertProvider({
      name: provider.name,
      kind: provider.kind,
      baseUrl: provider.baseUrl,
      apiKeyEncrypted: provider.apiKey ? secrets.seal(provider.apiKey) : null,
      settings: {
        streamUsage: provider.streamUsage,
        maxTokensField: provider.maxTokensField,
        headers: provider.headers,
        ...(provider.apiVersion === undefined ? {} : { apiVersion: provider.apiVersion }),
        ...(provider.anthropicVersion === undefined
          ? {}
          : { anthropicVersion: provider.anthropicVersion }),
        ...(provider.defaultMaxTokens === undefined
          ? {}
          : { defaultMaxTokens: provider.defaultMaxTokens }),
      },
    });
    providerIds.set(provider.name, record.id);
  }
  for (const model of config.models) {
    await store.catalog.upsertModel(
      {
        id: model.id,
        kind: model.kind,
        prices: {
          input: model.prices.input,
          output: model.prices.output,
          cachedInput: model.prices.cachedInput ?? model.prices.input,
          perRequest: model.prices.perRequest,
        },
        contextWindow: model.contextWindow ?? null,
        maxOutputTokens: model.maxOutputTokens ?? null,
        aliases: model.aliases,
      },
      { replace: !presetModelIds.has(model.id) },
    );
    for (const deployment of model.deployments) {
      const providerId =
        providerIds.get(deployment.provider) ??
        (await store.catalog.findProviderByName(deployment.provider))?.id;
      if (providerId === undefined) {
        throw new ConfigError([
          `models[${model.id}].deployments: the provider '${deployment.provider}' is not defined in the configuration or the database (see: switchyard providers list)`,
        ]);
      }
      await store.catalog.ensureDeployment(
        {
          modelId: model.id,
          providerId,
          upstreamModel: deployment.upstreamModel ?? model.id,
          priority: deployment.priority,
          weight: deployment.weight,
          timeouts: deployment.timeouts,
        },
        // The file's priority, weight and timeouts are the operator's word, as its prices are.
        { replace: !presetModelIds.has(model.id) },
      );
    }
  }
}
