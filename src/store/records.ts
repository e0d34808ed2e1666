import type { DeploymentTimeouts } from '../config/schema.js';
import type { ModelPrices } from '../billing/cost.js';

export type Role = 'admin' | 'agent' | 'user';
export type AccountStatus = 'active' | 'disabled';
export type ApiKeyStatus = 'active' | 'disabled';
export type ModelKind = 'chat' | 'embedding';

/** Times are integer milliseconds since the Unix epoch, in every dialect. */
export type EpochMilliseconds = number;

export interface AccountRecord {
  id: number;
  username: string;
  email: string | null;
  role: Role;
  parentId: number | null;
  passwordHash: string | null;
  status: AccountStatus;
  /** Limits every key of this account gets unless the key sets its own. */
  defaultLimits: KeyLimits;
  createdAt: EpochMilliseconds;
}

/** Per-key limits; absent means "inherit from the account, then the global settings". */
export interface KeyLimits {
  rpm?: number;
  tpm?: number;
  rpd?: number;
  dailySpend?: number;
  tokenQuota?: number;
  tokenQuotaPeriod?: 'lifetime' | 'month';
  maxConcurrency?: number;
}

export interface ApiKeyRecord {
  id: number;
  accountId: number;
  name: string;
  keyHash: string;
  keyPrefix: string;
  status: ApiKeyStatus;
  expiresAt: EpochMilliseconds | null;
  /** Public model ids this key may use; null allows every model. */
  allowedModels: string[] | null;
  limits: KeyLimits;
  createdAt: EpochMilliseconds;
  lastUsedAt: EpochMilliseconds | null;
}

/** The kinds of upstream Switchyard has an adapter for. */
export const providerKinds = ['openai-compatible', 'azure', 'anthropic', 'gemini'] as const;
export type ProviderKindName = (typeof providerKinds)[number];

export interface ProviderSettings {
  streamUsage: boolean;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  headers: Record<string, string>;
  /** Azure's `api-version`, or Gemini's API version (`v1beta`). */
  apiVersion?: string;
  /** Anthropic's `anthropic-version` header. */
  anthropicVersion?: string;
  /** Anthropic requires max_tokens; sent when neither the client nor the gateway sets one. */
  defaultMaxTokens?: number;
}

export interface ProviderRecord {
  id: number;
  name: string;
  kind: ProviderKindName;
  baseUrl: string;
  /** The provider's secret sealed with the gateway's secret key; never sent to any client. */
  apiKeyEncrypted: string | null;
  settings: ProviderSettings;
  createdAt: EpochMilliseconds;
  updatedAt: EpochMilliseconds;
}

export interface ModelRecord {
  id: string;
  kind: ModelKind;
  prices: ModelPrices;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  /** Other names clients may use for this model; the relay resolves them to `id`. */
  aliases: string[];
  createdAt: EpochMilliseconds;
  updatedAt: EpochMilliseconds;
}

export interface DeploymentRecord {
  id: number;
  modelId: string;
  providerId: number;
  upstreamModel: string;
  priority: number;
  weight: number;
  timeouts: DeploymentTimeouts;
  enabled: boolean;
  createdAt: EpochMilliseconds;
}

/** One relay request, as DESIGN.md §2 describes it. */
export interface UsageRecord {
  requestId: string;
  accountId: number;
  apiKeyId: number;
  modelId: string;
  deploymentId: number | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** Micro-units. */
  cost: number;
  /** HTTP status the client received. */
  status: number;
  errorCode: string | null;
  latencyMilliseconds: number;
  firstTokenMilliseconds: number | null;
  stream: boolean;
  createdAt: EpochMilliseconds;
}
