import type { UsageRepository } from '../contract.js';
import type { Database } from './executor.js';
import { toUsageRecord } from './row-parsers.js';

/** 15 columns × 1,000 rows stays well under either database's cap on bound parameters. */
const usageRowsPerStatement = 1_000;

/** Usage records over Kysely. */
export function usageRepository(database: Database): UsageRepository {
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
