import { providerKinds } from '../../store/records.js';
import { z } from 'zod';
import type { ModelPrices } from '../../billing/cost.js';
import type { DeploymentRecord, ModelRecord, ProviderRecord } from '../../store/records.js';
import { isoTime, microUnits, money, moneyText, timestamp } from '../common-schemas.js';

export const pricesView = z.object({
  input: moneyText.describe('Per 1M input tokens'),
  output: moneyText.describe('Per 1M output tokens'),
  cachedInput: moneyText.describe('Per 1M cached input tokens'),
  perRequest: moneyText.describe('Flat fee per request'),
});

export const pricesMicrosView = z.object({
  input: microUnits,
  output: microUnits,
  cachedInput: microUnits,
  perRequest: microUnits,
});

export const deploymentView = z.object({
  id: z.number().int(),
  modelId: z.string(),
  providerId: z.number().int(),
  providerName: z.string(),
  upstreamModel: z.string(),
  priority: z.number().int(),
  weight: z.number().int(),
  enabled: z.boolean(),
  timeouts: z.object({
    connectMilliseconds: z.number().int(),
    firstByteMilliseconds: z.number().int(),
    idleMilliseconds: z.number().int(),
  }),
});

/** A model and its prices; deployments only for admins (they name the providers). */
export const modelView = z.object({
  id: z.string(),
  kind: z.enum(['chat', 'embedding']),
  prices: pricesView,
  pricesMicros: pricesMicrosView,
  contextWindow: z.number().int().nullable(),
  maxOutputTokens: z.number().int().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  deployments: z.array(deploymentView).optional(),
});

export type ModelView = z.output<typeof modelView>;

/** The view of a model; with deployments when they are given. */
export function viewModel(
  model: ModelRecord,
  deployments?: readonly z.output<typeof deploymentView>[],
): ModelView {
  const prices: ModelPrices = model.prices;
  return {
    id: model.id,
    kind: model.kind,
    prices: {
      input: money(prices.input),
      output: money(prices.output),
      cachedInput: money(prices.cachedInput),
      perRequest: money(prices.perRequest),
    },
    pricesMicros: { ...prices },
    contextWindow: model.contextWindow,
    maxOutputTokens: model.maxOutputTokens,
    createdAt: isoTime(model.createdAt),
    updatedAt: isoTime(model.updatedAt),
    ...(deployments === undefined ? {} : { deployments: [...deployments] }),
  };
}

/** The view of a deployment. */
export function viewDeployment(
  deployment: DeploymentRecord,
  providerName: string,
): z.output<typeof deploymentView> {
  return {
    id: deployment.id,
    modelId: deployment.modelId,
    providerId: deployment.providerId,
    providerName,
    upstreamModel: deployment.upstreamModel,
    priority: deployment.priority,
    weight: deployment.weight,
    enabled: deployment.enabled,
    timeouts: { ...deployment.timeouts },
  };
}

/** A provider: whether it has a secret, never the secret; header names, never their values. */
export const providerView = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: z.enum(providerKinds),
  baseUrl: z.string(),
  hasApiKey: z.boolean(),
  streamUsage: z.boolean(),
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']),
  headerNames: z
    .array(z.string())
    .describe('Extra headers sent upstream; their values may be secrets and are not shown'),
  apiVersion: z.string().nullable().describe("Azure's api-version, or Gemini's API version"),
  anthropicVersion: z.string().nullable().describe("Anthropic's anthropic-version header"),
  defaultMaxTokens: z.number().int().nullable().describe('Anthropic: the default output cap'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export type ProviderView = z.output<typeof providerView>;

/** The view of a provider record. */
export function viewProvider(provider: ProviderRecord): ProviderView {
  return {
    id: provider.id,
    name: provider.name,
    kind: provider.kind,
    baseUrl: provider.baseUrl,
    hasApiKey: provider.apiKeyEncrypted !== null,
    streamUsage: provider.settings.streamUsage,
    maxTokensField: provider.settings.maxTokensField,
    headerNames: Object.keys(provider.settings.headers).sort(),
    apiVersion: provider.settings.apiVersion ?? null,
    anthropicVersion: provider.settings.anthropicVersion ?? null,
    defaultMaxTokens: provider.settings.defaultMaxTokens ?? null,
    createdAt: isoTime(provider.createdAt),
    updatedAt: isoTime(provider.updatedAt),
  };
}
