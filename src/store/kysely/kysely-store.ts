import { Migrator, sql, type Kysely, type Transaction } from 'kysely';
import type {
  AccountRepository,
  ApiKeyRepository,
  CatalogRepository,
  Store,
  UsageRepository,
} from '../contract.js';
import type { DatabaseSchema } from '../database-schema.js';
import { migrationProvider, type Dialect } from '../migrations.js';
import type { DeploymentRecord } from '../records.js';
import {
  toAccount,
  toApiKey,
  toDeployment,
  toModel,
  toProvider,
  toUsageRecord,
} from './row-parsers.js';

type Database = Kysely<DatabaseSchema>;
type Executor = Database | Transaction<DatabaseSchema>;

/** Every change that a running gateway caches bumps this, in the same transaction. */
async function bumpVersion(executor: Executor): Promise<void> {
  await executor
    .updateTable('catalog_state')
    .set({ version: sql<number>`version + 1` })
    .where('id', '=', 1)
    .execute();
}

function accountRepository(database: Database, now: () => number): AccountRepository {
  return {
    async create(input) {
      const row = await database
        .insertInto('accounts')
        .values({
          username: input.username,
          email: input.email ?? null,
          role: input.role,
          parent_id: input.parentId ?? null,
          password_hash: input.passwordHash ?? null,
          status: 'active',
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAccount(row);
    },
    async findById(id) {
      const row = await database
        .selectFrom('accounts')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toAccount(row);
    },
    async findByUsername(username) {
      const row = await database
        .selectFrom('accounts')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      return row && toAccount(row);
    },
    async list() {
      const rows = await database.selectFrom('accounts').selectAll().orderBy('id').execute();
      return rows.map(toAccount);
    },
    async count() {
      const row = await database
        .selectFrom('accounts')
        .select((expression) => expression.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}

function apiKeyRepository(database: Database, now: () => number): ApiKeyRepository {
  return {
    async create(input) {
      return database.transaction().execute(async (transaction) => {
        const row = await transaction
          .insertInto('api_keys')
          .values({
            account_id: input.accountId,
            name: input.name,
            key_hash: input.keyHash,
            key_prefix: input.keyPrefix,
            status: 'active',
            expires_at: input.expiresAt ?? null,
            allowed_models: input.allowedModels ? JSON.stringify(input.allowedModels) : null,
            limits: JSON.stringify(input.limits ?? {}),
            created_at: now(),
            last_used_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        // A gateway may have cached "no such key" for this hash.
        await bumpVersion(transaction);
        return toApiKey(row);
      });
    },
    async findByHash(keyHash) {
      const row = await database
        .selectFrom('api_keys')
        .selectAll()
        .where('key_hash', '=', keyHash)
        .executeTakeFirst();
      return row && toApiKey(row);
    },
    async findById(id) {
      const row = await database
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toApiKey(row);
    },
    async list(filter = {}) {
      let query = database.selectFrom('api_keys').selectAll().orderBy('id');
      if (filter.accountId !== undefined) query = query.where('account_id', '=', filter.accountId);
      return (await query.execute()).map(toApiKey);
    },
    async setStatus(id, status) {
      return database.transaction().execute(async (transaction) => {
        const result = await transaction
          .updateTable('api_keys')
          .set({ status })
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await bumpVersion(transaction);
        return true;
      });
    },
  };
}

function catalogRepository(database: Database, now: () => number): CatalogRepository {
  return {
    async version() {
      const row = await database
        .selectFrom('catalog_state')
        .select('version')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return Number(row.version);
    },
    async upsertProvider(input) {
      return database.transaction().execute(async (transaction) => {
        const timestamp = now();
        const values = {
          kind: input.kind,
          base_url: input.baseUrl,
          api_key_encrypted: input.apiKeyEncrypted,
          settings: JSON.stringify(input.settings),
          updated_at: timestamp,
        };
        const row = await transaction
          .insertInto('providers')
          .values({ name: input.name, created_at: timestamp, ...values })
          .onConflict((conflict) => conflict.column('name').doUpdateSet(values))
          .returningAll()
          .executeTakeFirstOrThrow();
        await bumpVersion(transaction);
        return toProvider(row);
      });
    },
    async listProviders() {
      return (await database.selectFrom('providers').selectAll().orderBy('id').execute()).map(
        toProvider,
      );
    },
    async findProviderByName(name) {
      const row = await database
        .selectFrom('providers')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toProvider(row);
    },
    async upsertModel(input, { replace }) {
      return database.transaction().execute(async (transaction) => {
        const timestamp = now();
        const values = {
          kind: input.kind,
          price_input: input.prices.input,
          price_output: input.prices.output,
          price_cached_input: input.prices.cachedInput,
          price_per_request: input.prices.perRequest,
          context_window: input.contextWindow ?? null,
          max_output_tokens: input.maxOutputTokens ?? null,
          updated_at: timestamp,
        };
        await transaction
          .insertInto('models')
          .values({ id: input.id, created_at: timestamp, ...values })
          .onConflict((conflict) =>
            replace ? conflict.column('id').doUpdateSet(values) : conflict.column('id').doNothing(),
          )
          .execute();
        await bumpVersion(transaction);
        const row = await transaction
          .selectFrom('models')
          .selectAll()
          .where('id', '=', input.id)
          .executeTakeFirstOrThrow();
        return toModel(row);
      });
    },
    async setModelPrices(id, prices) {
      return database.transaction().execute(async (transaction) => {
        const result = await transaction
          .updateTable('models')
          .set({
            price_input: prices.input,
            price_output: prices.output,
            price_cached_input: prices.cachedInput,
            price_per_request: prices.perRequest,
            updated_at: now(),
          })
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await bumpVersion(transaction);
        return true;
      });
    },
    async findModel(id) {
      const row = await database
        .selectFrom('models')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toModel(row);
    },
    async listModels() {
      return (await database.selectFrom('models').selectAll().orderBy('id').execute()).map(toModel);
    },
    async ensureDeployment(input): Promise<DeploymentRecord> {
      return database.transaction().execute(async (transaction) => {
        await transaction
          .insertInto('deployments')
          .values({
            model_id: input.modelId,
            provider_id: input.providerId,
            upstream_model: input.upstreamModel,
            priority: input.priority,
            weight: input.weight,
            timeouts: JSON.stringify(input.timeouts),
            enabled: 1,
            created_at: now(),
          })
          .onConflict((conflict) =>
            conflict.columns(['model_id', 'provider_id', 'upstream_model']).doNothing(),
          )
          .execute();
        await bumpVersion(transaction);
        const row = await transaction
          .selectFrom('deployments')
          .selectAll()
          .where('model_id', '=', input.modelId)
          .where('provider_id', '=', input.providerId)
          .where('upstream_model', '=', input.upstreamModel)
          .executeTakeFirstOrThrow();
        return toDeployment(row);
      });
    },
    async listDeployments() {
      return (await database.selectFrom('deployments').selectAll().orderBy('id').execute()).map(
        toDeployment,
      );
    },
  };
}

/** 15 columns × 1,000 rows stays well under either database's cap on bound parameters. */
const usageRowsPerStatement = 1_000;

function usageRepository(database: Database): UsageRepository {
  return {
    async insertMany(records) {
      if (records.length === 0) return;
      const rows = records.map((record) => ({
        request_id: record.requestId,
        account_id: record.accountId,
        api_key_id: record.apiKeyId,
        model_id: record.modelId,
        deployment_id: record.deploymentId,
        prompt_tokens: record.promptTokens,
        completion_tokens: record.completionTokens,
        cached_tokens: record.cachedTokens,
        cost: record.cost,
        status: record.status,
        error_code: record.errorCode,
        latency_ms: record.latencyMilliseconds,
        first_token_ms: record.firstTokenMilliseconds,
        stream: record.stream ? 1 : 0,
        created_at: record.createdAt,
      }));
      // One statement binds every column of every row as a parameter, and both databases cap
      // those (SQLite 32,766, PostgreSQL 65,535): a large batch goes in slices, one transaction.
      await database.transaction().execute(async (transaction) => {
        for (let start = 0; start < rows.length; start += usageRowsPerStatement) {
          await transaction
            .insertInto('usage_records')
            .values(rows.slice(start, start + usageRowsPerStatement))
            .onConflict((conflict) => conflict.column('request_id').doNothing())
            .execute();
        }
      });
    },
    async list(query = {}) {
      // Newest by the time of the request, not of the write: instances flush their batches
      // independently, so ids do not follow time. (created_at also leads the indexes.)
      let select = database
        .selectFrom('usage_records')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc');
      if (query.accountId !== undefined) select = select.where('account_id', '=', query.accountId);
      if (query.apiKeyId !== undefined) select = select.where('api_key_id', '=', query.apiKeyId);
      if (query.modelId !== undefined) select = select.where('model_id', '=', query.modelId);
      return (await select.limit(query.limit ?? 100).execute()).map(toUsageRecord);
    },
  };
}

const maximumMigrationAttempts = 3;

/** The one implementation of the storage contract; dialects differ only in how they connect. */
export function createKyselyStore(
  database: Database,
  dialect: Dialect,
  options: { now?: () => number; onClose?: () => Promise<void> } = {},
): Store {
  const now = options.now ?? Date.now;
  return {
    dialect,
    accounts: accountRepository(database, now),
    apiKeys: apiKeyRepository(database, now),
    catalog: catalogRepository(database, now),
    usage: usageRepository(database),
    async migrate() {
      const migrator = new Migrator({ db: database, provider: migrationProvider(dialect) });
      // Two processes starting on a fresh database (the gateway and a CLI command) can both see
      // a migration as pending; the loser's transaction fails and rolls back, and a second look
      // finds the migration applied. A migration that is itself broken fails every attempt.
      for (let attempt = 1; ; attempt++) {
        const { error, results } = await migrator.migrateToLatest();
        if (!error) return;
        if (attempt < maximumMigrationAttempts) continue;
        const failed = results?.find((result) => result.status === 'Error')?.migrationName;
        throw new Error(
          `Database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
          { cause: error },
        );
      }
    },
    async ping() {
      try {
        await sql`select 1`.execute(database);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await database.destroy();
      await options.onClose?.();
    },
  };
}
