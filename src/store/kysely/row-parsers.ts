import { z } from 'zod';
import { timeoutsSchema } from '../../config/schema.js';
import type { DatabaseSchema } from '../database-schema.js';
import {
  providerKinds,
  type AccountRecord,
  type ApiKeyRecord,
  type DeploymentRecord,
  type KeyLimits,
  type ModelRecord,
  type ProviderRecord,
  type ProviderSettings,
  type UsageRecord,
} from '../records.js';

type Row<Table extends keyof DatabaseSchema> = {
  [Column in keyof DatabaseSchema[Table]]: DatabaseSchema[Table][Column] extends {
    __select__: infer S;
  }
    ? S
    : DatabaseSchema[Table][Column];
};

const limitsSchema: z.ZodType<KeyLimits> = z
  .object({
    rpm: z.number().int().nonnegative().optional(),
    tpm: z.number().int().nonnegative().optional(),
    rpd: z.number().int().nonnegative().optional(),
    dailySpend: z.number().int().nonnegative().optional(),
    tokenQuota: z.number().int().nonnegative().optional(),
    tokenQuotaPeriod: z.enum(['lifetime', 'month']).optional(),
    maxConcurrency: z.number().int().nonnegative().optional(),
  })
  .strip();

const providerSettingsSchema: z.ZodType<ProviderSettings> = z.object({
  streamUsage: z.boolean().default(true),
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
  headers: z.record(z.string(), z.string()).default({}),
  apiVersion: z.string().optional(),
  anthropicVersion: z.string().optional(),
  defaultMaxTokens: z.number().int().positive().optional(),
});

const allowedModelsSchema = z.array(z.string()).nullable();
const aliasesSchema = z.array(z.string());

/** JSON text from a row, parsed and checked; a corrupt column names itself in the error. */
function parseJsonColumn<T>(text: string | null, schema: z.ZodType<T>, column: string): T {
  try {
    return schema.parse(text === null ? null : JSON.parse(text));
  } catch (error) {
    throw new Error(
      `The database column ${column} holds unreadable data: ${(error as Error).message}`,
    );
  }
}

export function toAccount(row: Row<'accounts'>): AccountRecord {
  return {
    id: Number(row.id),
    username: row.username,
    email: row.email,
    role: z.enum(['admin', 'agent', 'user']).parse(row.role),
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    passwordHash: row.password_hash,
    status: z.enum(['active', 'disabled']).parse(row.status),
    defaultLimits: parseJsonColumn(row.default_limits, limitsSchema, 'accounts.default_limits'),
    createdAt: Number(row.created_at),
  };
}

export function toApiKey(row: Row<'api_keys'>): ApiKeyRecord {
  return {
    id: Number(row.id),
    accountId: Number(row.account_id),
    name: row.name,
    keyHash: row.key_hash,
    keyPrefix: row.key_prefix,
    status: z.enum(['active', 'disabled']).parse(row.status),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    allowedModels: parseJsonColumn(
      row.allowed_models,
      allowedModelsSchema,
      'api_keys.allowed_models',
    ),
    limits: parseJsonColumn(row.limits, limitsSchema, 'api_keys.limits'),
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

export function toProvider(row: Row<'providers'>): ProviderRecord {
  return {
    id: Number(row.id),
    name: row.name,
    kind: z.enum(providerKinds).parse(row.kind),
    baseUrl: row.base_url,
    apiKeyEncrypted: row.api_key_encrypted,
    settings: parseJsonColumn(row.settings, providerSettingsSchema, 'providers.settings'),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toModel(row: Row<'models'>): ModelRecord {
  return {
    id: row.id,
    kind: z.enum(['chat', 'embedding']).parse(row.kind),
    prices: {
      input: Number(row.price_input),
      output: Number(row.price_output),
      cachedInput: Number(row.price_cached_input),
      perRequest: Number(row.price_per_request),
    },
    contextWindow: row.context_window === null ? null : Number(row.context_window),
    maxOutputTokens: row.max_output_tokens === null ? null : Number(row.max_output_tokens),
    aliases: parseJsonColumn(row.aliases, aliasesSchema, 'models.aliases'),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toDeployment(row: Row<'deployments'>): DeploymentRecord {
  return {
    id: Number(row.id),
    modelId: row.model_id,
    providerId: Number(row.provider_id),
    upstreamModel: row.upstream_model,
    priority: Number(row.priority),
    weight: Number(row.weight),
    timeouts: parseJsonColumn(row.timeouts, timeoutsSchema, 'deployments.timeouts'),
    enabled: Number(row.enabled) === 1,
    createdAt: Number(row.created_at),
  };
}

export function toUsageRecord(row: Row<'usage_records'>): UsageRecord {
  return {
    requestId: row.request_id,
    accountId: Number(row.account_id),
    apiKeyId: Number(row.api_key_id),
    modelId: row.model_id,
    deploymentId: row.deployment_id === null ? null : Number(row.deployment_id),
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    cachedTokens: Number(row.cached_tokens),
    cost: Number(row.cost),
    status: Number(row.status),
    errorCode: row.error_code,
    latencyMilliseconds: Number(row.latency_ms),
    firstTokenMilliseconds: row.first_token_ms === null ? null : Number(row.first_token_ms),
    stream: Number(row.stream) === 1,
    createdAt: Number(row.created_at),
  };
}
