/**
 * The admin routes' answers that web/src/api/api-types.ts does not mirror yet, copied from
 * src/manage/views/catalog-view.ts and src/manage/routes/{provider,health,settings}-routes.ts.
 */

export type ProviderKind = 'openai-compatible' | 'azure' | 'anthropic' | 'gemini';

export type MaxTokensField = 'max_tokens' | 'max_completion_tokens';

/** A provider: whether it has a secret, never the secret; header names, never their values. */
export interface Provider {
  id: number;
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  hasApiKey: boolean;
  streamUsage: boolean;
  maxTokensField: MaxTokensField;
  headerNames: string[];
  apiVersion: string | null;
  anthropicVersion: string | null;
  defaultMaxTokens: number | null;
  createdAt: string;
  updatedAt: string;
}

/** POST /providers/:id/test: a failed connection is an answer, not an error. */
export interface ConnectionTest {
  ok: boolean;
  status: number | null;
  latencyMilliseconds: number;
  models: number | null;
  message: string;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export type FailureCategory =
  | 'connect_error'
  | 'timeout'
  | 'rate_limited'
  | 'server_error'
  | 'rejected'
  | 'malformed_output'
  | 'stream_error';

/** One deployment's circuit breaker as the answering instance sees it. */
export interface DeploymentHealth {
  deploymentId: number;
  model: string;
  provider: string;
  upstreamModel: string;
  priority: number;
  weight: number;
  state: CircuitState;
  requests: number;
  errorRate: number | null;
  latency: { p50Milliseconds: number | null; ewmaMilliseconds: number | null };
  cooldownUntil: string | null;
  consecutiveFailures: number;
  lastError: { category: FailureCategory; at: string } | null;
}

export type SettingSource = 'default' | 'file' | 'environment';

export interface Setting {
  key: string;
  value: string | number | boolean | null;
  source: SettingSource;
  /** The variable that sets it, if any. */
  environmentVariable?: string | null;
  description?: string;
}

/** GET /settings: the effective configuration, secrets withheld. */
export interface Settings {
  version: string;
  configFile?: string | null;
  database: { kind: 'sqlite' | 'postgres' };
  redis: { configured: boolean };
  sections: { name: string; settings: Setting[] }[];
}
