import type { ModelPrices } from '../billing/cost.js';
import type { DeploymentTimeouts } from '../config/schema.js';
import type { Dialect } from './migrations.js';
import type {
  AuditRepository,
  RechargeCodeRepository,
  SessionRepository,
  WalletRepository,
} from './money-contract.js';
import type {
  AccountRecord,
  AccountStatus,
  ApiKeyRecord,
  ApiKeyStatus,
  DeploymentRecord,
  KeyLimits,
  ModelKind,
  ModelRecord,
  ProviderRecord,
  ProviderKindName,
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
  kind: ProviderKindName;
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
  /** Other names of the model; when left out, a new model has none and a replaced one keeps its own. */
  aliases?: readonly string[];
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
  /** Records of any of these accounts (an agent's users); an empty list matches nothing. */
  accountIds?: readonly number[];
  apiKeyId?: number;
  modelId?: string;
  /** 'ok' for status 200, 'error' for everything else. */
  outcome?: 'ok' | 'error';
  /** Only records older than this cursor (from the previous page). */
  before?: { createdAt: number; requestId: string };
  from?: number;
  to?: number;
  limit?: number;
}

export interface UsageSummaryQuery {
  accountId?: number;
  accountIds?: readonly number[];
  apiKeyId?: number;
  modelId?: string;
  from: number;
  to: number;
  groupBy: 'day' | 'model' | 'key';
}

export interface UsageSummaryRow {
  /** The day (YYYY-MM-DD, UTC), model id or key id the row is for. */
  bucket: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

export interface AccountRepository {
  /** Creates the account and its empty, active wallet in one transaction. */
  create(input: NewAccount): Promise<AccountRecord>;
  /** Changes what is given; answers the account as it now is, or undefined if there is none. */
  update(
    id: number,
    patch: {
      email?: string | null;
      status?: AccountStatus;
      passwordHash?: string | null;
      defaultLimits?: KeyLimits;
    },
  ): Promise<AccountRecord | undefined>;
  /** The accounts that belong to an agent. */
  listChildren(parentId: number): Promise<AccountRecord[]>;
  findById(id: number): Promise<AccountRecord | undefined>;
  findByUsername(username: string): Promise<AccountRecord | undefined>;
  list(): Promise<AccountRecord[]>;
  count(): Promise<number>;
}

export interface ApiKeyRepository {
  create(input: NewApiKey): Promise<ApiKeyRecord>;
  /** Changes what is given; answers the key as it now is, or undefined if there is none. */
  update(
    id: number,
    patch: {
      name?: string;
      allowedModels?: string[] | null;
      expiresAt?: number | null;
      limits?: KeyLimits;
    },
  ): Promise<ApiKeyRecord | undefined>;
  /** Deletes a key; its usage records stay. Returns false when no key has this id. */
  delete(id: number): Promise<boolean>;
  /** Records when keys were last used; many at once, written off the hot path. */
  touch(lastUsed: ReadonlyMap<number, number>): Promise<void>;
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
  /** Creates the model, or with `replace` overwrites its kind, prices, sizes and (if given) aliases. */
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
  /** Changes the given fields of one deployment; undefined when there is no such deployment. */
  updateDeployment(id: number, changes: DeploymentChanges): Promise<DeploymentRecord | undefined>;
}

/** What an operator may change on a deployment after creating it. */
export type DeploymentChanges = Partial<
  Pick<DeploymentRecord, 'enabled' | 'priority' | 'weight' | 'timeouts'>
>;

export interface UsageRepository {
  /** Writes many records in one transaction; a record whose request id exists is skipped. */
  insertMany(records: readonly UsageRecord[]): Promise<void>;
  /** Newest first, filtered; page on with `before` set to the last record's time and id. */
  list(query?: UsageQuery): Promise<UsageRecord[]>;
  findByRequestId(requestId: string): Promise<UsageRecord | undefined>;
  summarize(query: UsageSummaryQuery): Promise<UsageSummaryRow[]>;
  /** Deletes records created before this time (retention); returns how many. */
  deleteOlderThan(createdAt: number): Promise<number>;
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
  readonly wallets: WalletRepository;
  readonly rechargeCodes: RechargeCodeRepository;
  readonly audit: AuditRepository;
  readonly sessions: SessionRepository;
  /** Applies pending migrations; safe to call on every start and from several processes. */
  migrate(): Promise<void>;
  /** Migrations this code knows that the database has not applied, by name. */
  pendingMigrations(): Promise<string[]>;
  /** True when the database answers; for readiness checks. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
