import type { ModelPrices } from '../billing/cost.js';
import type { DeploymentTimeouts } from '../config/schema.js';
import type { Dialect } from './migrations.js';
import type {
  AccountRecord,
  ApiKeyRecord,
  ApiKeyStatus,
  DeploymentRecord,
  KeyLimits,
  ModelKind,
  ModelRecord,
  ProviderRecord,
  ProviderSettings,
  Role,
  UsageRecord,
} from './records.js';

export interface NewAccount {
  username: string;
  email?: string | null;
  role: Role;
  parentId?: number | null;
  passwordHash?: string | null;
}

export interface NewApiKey {
  accountId: number;
  name: string;
  keyHash: string;
  keyPrefix: string;
  expiresAt?: number | null;
  allowedModels?: string[] | null;
  limits?: KeyLimits;
}

export interface ProviderInput {
  name: string;
  kind: 'openai-compatible';
  baseUrl: string;
  apiKeyEncrypted: string | null;
  settings: ProviderSettings;
}

export interface ModelInput {
  id: string;
  kind: ModelKind;
  prices: ModelPrices;
  contextWindow?: number | null;
  maxOutputTokens?: number | null;
}

export interface DeploymentInput {
  modelId: string;
  providerId: number;
  upstreamModel: string;
  priority: number;
  weight: number;
  timeouts: DeploymentTimeouts;
}

export interface UsageQuery {
  accountId?: number;
  apiKeyId?: number;
  modelId?: string;
  limit?: number;
}

export interface AccountRepository {
  create(input: NewAccount): Promise<AccountRecord>;
  findById(id: number): Promise<AccountRecord | undefined>;
  findByUsername(username: string): Promise<AccountRecord | undefined>;
  list(): Promise<AccountRecord[]>;
  count(): Promise<number>;
}

export interface ApiKeyRepository {
  create(input: NewApiKey): Promise<ApiKeyRecord>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  findById(id: number): Promise<ApiKeyRecord | undefined>;
  list(filter?: { accountId?: number }): Promise<ApiKeyRecord[]>;
  /** Returns false when no key has this id. */
  setStatus(id: number, status: ApiKeyStatus): Promise<boolean>;
}

/** Providers, models and deployments: the data the relay routes by, cached in memory. */
export interface CatalogRepository {
  /** A number that grows on every change to the catalog or to API keys, across processes. */
  version(): Promise<number>;
  upsertProvider(input: ProviderInput): Promise<ProviderRecord>;
  listProviders(): Promise<ProviderRecord[]>;
  findProviderByName(name: string): Promise<ProviderRecord | undefined>;
  /** Creates the model, or with `replace` overwrites its kind, prices and sizes. */
  upsertModel(input: ModelInput, options: { replace: boolean }): Promise<ModelRecord>;
  setModelPrices(id: string, prices: ModelPrices): Promise<boolean>;
  findModel(id: string): Promise<ModelRecord | undefined>;
  listModels(): Promise<ModelRecord[]>;
  /**
   * Creates the deployment unless one for the same model, provider and upstream model exists;
   * with `replace`, an existing one takes the given priority, weight and timeouts.
   */
  ensureDeployment(
    input: DeploymentInput,
    options?: { replace?: boolean },
  ): Promise<DeploymentRecord>;
  listDeployments(): Promise<DeploymentRecord[]>;
}

export interface UsageRepository {
  /** Writes many records in one transaction; a record whose request id exists is skipped. */
  insertMany(records: readonly UsageRecord[]): Promise<void>;
  list(query?: UsageQuery): Promise<UsageRecord[]>;
}

/**
 * Everything the gateway keeps. One contract, implemented once over Kysely for SQLite and
 * PostgreSQL, and checked by one shared test suite (`store/common.case.ts`).
 */
export interface Store {
  readonly dialect: Dialect;
  readonly accounts: AccountRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly catalog: CatalogRepository;
  readonly usage: UsageRepository;
  /** Applies pending migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  /** True when the database answers; for readiness checks. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
