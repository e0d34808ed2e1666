import type { ApiKeyRepository } from '../contract.js';
import { bumpVersion, type Database } from './executor.js';
import { toApiKey } from './row-parsers.js';

/** API keys over Kysely; every change bumps the catalog version so caches drop the key. */
export function apiKeyRepository(database: Database, now: () => number): ApiKeyRepository {
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
    async update(id, patch) {
      return database.transaction().execute(async (transaction) => {
        const changes = {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.allowedModels !== undefined
            ? {
                allowed_models:
                  patch.allowedModels === null ? null : JSON.stringify(patch.allowedModels),
              }
            : {}),
          ...(patch.expiresAt !== undefined ? { expires_at: patch.expiresAt } : {}),
          ...(patch.limits !== undefined ? { limits: JSON.stringify(patch.limits) } : {}),
        };
        if (Object.keys(changes).length > 0) {
          const result = await transaction
            .updateTable('api_keys')
            .set(changes)
            .where('id', '=', id)
            .executeTakeFirst();
          // No key, no change: every cache in the cluster would reload the catalog for nothing.
          if (Number(result.numUpdatedRows) > 0) await bumpVersion(transaction);
        }
        const row = await transaction
          .selectFrom('api_keys')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        return row && toApiKey(row);
      });
    },
    async delete(id) {
      return database.transaction().execute(async (transaction) => {
        const result = await transaction
          .deleteFrom('api_keys')
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) return false;
        await bumpVersion(transaction);
        return true;
      });
    },
    async touch(lastUsed) {
      if (lastUsed.size === 0) return;
      // Not a change anyone caches: no version bump, or every busy second would reload the catalog.
      await database.transaction().execute(async (transaction) => {
        for (const [id, at] of lastUsed) {
          await transaction
            .updateTable('api_keys')
            .set({ last_used_at: at })
            .where('id', '=', id)
            .where((expression) =>
              expression.or([
                expression('last_used_at', 'is', null),
                expression('last_used_at', '<', at),
              ]),
            )
            .execute();
        }
      });
    },
  };
}
