import type { CatalogRepository } from '../contract.js';
import type { DeploymentRecord } from '../records.js';
import { bumpVersion, type Database } from './executor.js';
import { toDeployment, toModel, toProvider } from './row-parsers.js';

/** Providers, models and deployments over Kysely. */
export function catalogRepository(database: Database, now: () => number): CatalogRepository {
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
        const aliases = input.aliases === undefined ? undefined : JSON.stringify(input.aliases);
        // Callers that know nothing of aliases (a price change) leave the stored ones alone.
        const replaced = aliases === undefined ? values : { ...values, aliases };
        await transaction
          .insertInto('models')
          .values({ id: input.id, created_at: timestamp, aliases: aliases ?? '[]', ...values })
          .onConflict((conflict) =>
            replace
              ? conflict.column('id').doUpdateSet(replaced)
              : conflict.column('id').doNothing(),
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
    async ensureDeployment(input, options = {}): Promise<DeploymentRecord> {
      const settings = {
        priority: input.priority,
        weight: input.weight,
        timeouts: JSON.stringify(input.timeouts),
      };
      return database.transaction().execute(async (transaction) => {
        await transaction
          .insertInto('deployments')
          .values({
            model_id: input.modelId,
            provider_id: input.providerId,
            upstream_model: input.upstreamModel,
            ...settings,
            enabled: 1,
            created_at: now(),
          })
          .onConflict((conflict) => {
            const target = conflict.columns(['model_id', 'provider_id', 'upstream_model']);
            return options.replace ? target.doUpdateSet(settings) : target.doNothing();
          })
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
    async updateDeployment(id, changes) {
      const values = {
        ...(changes.enabled === undefined ? {} : { enabled: changes.enabled ? 1 : 0 }),
        ...(changes.priority === undefined ? {} : { priority: changes.priority }),
        ...(changes.weight === undefined ? {} : { weight: changes.weight }),
        ...(changes.timeouts === undefined ? {} : { timeouts: JSON.stringify(changes.timeouts) }),
      };
      return database.transaction().execute(async (transaction) => {
        if (Object.keys(values).length > 0) {
          const result = await transaction
            .updateTable('deployments')
            .set(values)
            .where('id', '=', id)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) === 0) return undefined;
          await bumpVersion(transaction);
        }
        const row = await transaction
          .selectFrom('deployments')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return row && toDeployment(row);
      });
    },
    async listDeployments() {
      return (await database.selectFrom('deployments').selectAll().orderBy('id').execute()).map(
        toDeployment,
      );
    },
  };
}
