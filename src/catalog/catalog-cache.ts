import type { SecretBox } from '../auth/secret-box.js';
import type { ModelPrices } from '../billing/cost.js';
import type { DeploymentTimeouts } from '../config/schema.js';
import type { ProviderAdapter, UpstreamTarget } from '../providers/contract.js';
import { providerTarget } from '../providers/provider-target.js';
import { adapterFor } from '../providers/registry.js';
import type { Store } from '../store/contract.js';
import type {
  AccountStatus,
  ApiKeyRecord,
  KeyLimits,
  ModelKind,
  ProviderRecord,
} from '../store/records.js';

/** A key as the relay needs it: with what of its account shapes every request. */
export type AuthenticatedKey = ApiKeyRecord & {
  account: { status: AccountStatus; defaultLimits: KeyLimits };
};

/** A deployment with everything the relay needs to call it, resolved once per catalog load. */
export interface ResolvedDeployment {
  id: number;
  providerName: string;
  priority: number;
  weight: number;
  timeouts: DeploymentTimeouts;
  target: UpstreamTarget;
  adapter: ProviderAdapter;
}

export interface ResolvedModel {
  /** The canonical id: usage is recorded and answers are labelled under it. */
  id: string;
  /** Other names that resolve to this model (those not taken by a model id or an earlier alias). */
  aliases: string[];
  kind: ModelKind;
  prices: ModelPrices;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  createdAt: number;
  /** Enabled deployments, highest priority (lowest number) first. */
  deployments: ResolvedDeployment[];
}

interface Snapshot {
  version: number;
  /** By id and by alias. */
  models: Map<string, ResolvedModel>;
  sortedModels: ResolvedModel[];
}

export interface CatalogCacheOptions {
  refreshMilliseconds: number;
  onRefreshError: (error: unknown) => void;
}

/** The most keys remembered at once; past it the map starts over rather than grow without end. */
const maximumCachedKeys = 100_000;

/**
 * Adds each model's aliases to the lookup. A name is one model's: a model id always wins over an
 * alias (the configuration refuses such clashes; the CLI and other writers may not), and between
 * two models claiming one alias the first by id keeps it, so the answer never depends on timing.
 * Each model keeps the list of the aliases that really resolve to it.
 */
function withAliases(
  byId: Map<string, ResolvedModel>,
  sortedModels: readonly ResolvedModel[],
): Map<string, ResolvedModel> {
  const lookup = new Map(byId);
  for (const model of sortedModels) {
    model.aliases = model.aliases.filter((alias) => {
      if (lookup.has(alias)) return false;
      lookup.set(alias, model);
      return true;
    });
  }
  return lookup;
}

/**
 * Keys, models, prices and deployments held in memory so the hot path makes no database round
 * trip. Every write to them bumps a version number in the database; each gateway polls that one
 * number and reloads when it moves, which is how a change made by the CLI or by another instance
 * reaches this one within `refreshMilliseconds`.
 */
export class CatalogCache {
  private snapshot: Snapshot = { version: -1, models: new Map(), sortedModels: [] };
  private readonly keys = new Map<string, AuthenticatedKey | null>();
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private followingRefresh: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly options: CatalogCacheOptions,
  ) {}

  /** Loads the catalog and starts watching for changes. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch(this.options.onRefreshError);
    }, this.options.refreshMilliseconds);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Reloads now if the stored version moved, so a change made before the call is seen when it
   * resolves. Concurrent callers share reloads: a reload already running may have read the
   * version before the caller's change, so callers arriving meanwhile share one more after it.
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.followingRefresh ??= this.refreshing
        .catch(() => undefined)
        .then(() => {
          this.followingRefresh = undefined;
          return this.refresh();
        });
      return this.followingRefresh;
    }
    this.refreshing = this.reloadIfChanged().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** The model with this id or alias. */
  model(name: string): ResolvedModel | undefined {
    return this.snapshot.models.get(name);
  }

  /** Every model once, sorted by id. */
  models(): readonly ResolvedModel[] {
    return this.snapshot.sortedModels;
  }

  /** The key for this hash if it is cached: a record, `null` for "no such key", undefined if unknown. */
  cachedKey(keyHash: string): AuthenticatedKey | null | undefined {
    return this.keys.get(keyHash);
  }

  /** Reads a key from the store and remembers the answer, including "no such key". */
  async loadKey(keyHash: string): Promise<AuthenticatedKey | null> {
    const generation = this.generation;
    const key = await this.store.apiKeys.findByHash(keyHash);
    const account = key ? await this.store.accounts.findById(key.accountId) : undefined;
    const record: AuthenticatedKey | null =
      key && account
        ? { ...key, account: { status: account.status, defaultLimits: account.defaultLimits } }
        : null;
    // A change that landed while we read may have made this answer stale; don't keep it.
    if (generation === this.generation) {
      if (this.keys.size >= maximumCachedKeys) this.keys.clear();
      this.keys.set(keyHash, record);
    }
    return record;
  }

  private async reloadIfChanged(): Promise<void> {
    const version = await this.store.catalog.version();
    if (version === this.snapshot.version) return;
    this.generation++;
    this.keys.clear();
    const [providers, models, deployments] = await Promise.all([
      this.store.catalog.listProviders(),
      this.store.catalog.listModels(),
      this.store.catalog.listDeployments(),
    ]);
    const providersById = new Map(providers.map((provider) => [provider.id, provider]));
    const adapters = new Map<number, ProviderAdapter>();
    const secrets = new Map<number, string | null>();
    const resolvedModels = new Map<string, ResolvedModel>();
    for (const model of models) {
      resolvedModels.set(model.id, { ...model, deployments: [] });
    }
    for (const deployment of deployments) {
      const model = resolvedModels.get(deployment.modelId);
      const provider = providersById.get(deployment.providerId);
      if (!deployment.enabled || !model || !provider) continue;
      if (!adapters.has(provider.id)) {
        adapters.set(provider.id, adapterFor(provider));
        secrets.set(provider.id, this.openSecret(provider));
      }
      model.deployments.push({
        id: deployment.id,
        providerName: provider.name,
        priority: deployment.priority,
        weight: deployment.weight,
        timeouts: deployment.timeouts,
        adapter: adapters.get(provider.id) as ProviderAdapter,
        target: providerTarget(
          provider,
          secrets.get(provider.id) ?? null,
          deployment.upstreamModel,
        ),
      });
    }
    for (const model of resolvedModels.values()) {
      model.deployments.sort((left, right) => left.priority - right.priority);
    }
    const sortedModels = [...resolvedModels.values()].sort((left, right) =>
      left.id.localeCompare(right.id),
    );
    this.snapshot = { version, models: withAliases(resolvedModels, sortedModels), sortedModels };
  }

  private openSecret(provider: ProviderRecord): string | null {
    return provider.apiKeyEncrypted === null ? null : this.secrets.open(provider.apiKeyEncrypted);
  }
}
