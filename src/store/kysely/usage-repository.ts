import { sql } from 'kysely';
import type { UsageQuery, UsageRepository, UsageSummaryQuery } from '../contract.js';
import type { UsageRecord } from '../records.js';
import type { Database } from './executor.js';
import { toUsageRecord } from './row-parsers.js';

/** 15 columns × 1,000 rows stays well under either database's cap on bound parameters. */
const usageRowsPerStatement = 1_000;
const millisecondsPerDay = 86_400_000;

/** A usage record as a row of `usage_records`. */
export function usageRow(record: UsageRecord) {
  return {
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
  };
}

type Filterable = Pick<
  UsageQuery,
  'accountId' | 'accountIds' | 'apiKeyId' | 'modelId' | 'from' | 'to'
>;

/** Usage records over Kysely. */
export function usageRepository(database: Database): UsageRepository {
  function filtered(query: Filterable) {
    let select = database.selectFrom('usage_records');
    if (query.accountId !== undefined) select = select.where('account_id', '=', query.accountId);
    if (query.accountIds !== undefined) {
      // An empty list means "none of them", never "everyone".
      select = select.where(
        'account_id',
        'in',
        query.accountIds.length > 0 ? [...query.accountIds] : [-1],
      );
    }
    if (query.apiKeyId !== undefined) select = select.where('api_key_id', '=', query.apiKeyId);
    if (query.modelId !== undefined) select = select.where('model_id', '=', query.modelId);
    if (query.from !== undefined) select = select.where('created_at', '>=', query.from);
    if (query.to !== undefined) select = select.where('created_at', '<', query.to);
    return select;
  }

  return {
    async insertMany(records) {
      if (records.length === 0) return;
      const rows = records.map(usageRow);
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
      let select = filtered(query)
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('request_id', 'desc');
      if (query.outcome === 'ok') select = select.where('status', '=', 200);
      if (query.outcome === 'error') select = select.where('status', '<>', 200);
      if (query.before !== undefined) {
        const { createdAt, requestId } = query.before;
        select = select.where((expression) =>
          expression.or([
            expression('created_at', '<', createdAt),
            expression.and([
              expression('created_at', '=', createdAt),
              expression('request_id', '<', requestId),
            ]),
          ]),
        );
      }
      return (await select.limit(query.limit ?? 100).execute()).map(toUsageRecord);
    },

    async findByRequestId(requestId) {
      const row = await database
        .selectFrom('usage_records')
        .selectAll()
        .where('request_id', '=', requestId)
        .executeTakeFirst();
      return row && toUsageRecord(row);
    },

    async summarize(query: UsageSummaryQuery) {
      // Integer division of epoch milliseconds gives the UTC day in both dialects. The divisor is
      // a literal: better-sqlite3 binds every JS number as a REAL, and a REAL divisor would make
      // SQLite divide exactly, giving each millisecond its own "day".
      const bucket =
        query.groupBy === 'day'
          ? sql<string | number>`created_at / ${sql.lit(millisecondsPerDay)}`
          : query.groupBy === 'model'
            ? sql<string | number>`model_id`
            : sql<string | number>`api_key_id`;
      const rows = await filtered(query)
        .select([
          bucket.as('bucket'),
          (expression) => expression.fn.countAll<number>().as('requests'),
          sql<number>`sum(case when status = 200 then 0 else 1 end)`.as('errors'),
          (expression) => expression.fn.sum<number>('prompt_tokens').as('prompt_tokens'),
          (expression) => expression.fn.sum<number>('completion_tokens').as('completion_tokens'),
          (expression) => expression.fn.sum<number>('cost').as('cost'),
        ])
        .groupBy(sql`1`)
        .orderBy(sql`1`)
        .execute();
      return rows.map((row) => ({
        bucket:
          query.groupBy === 'day'
            ? new Date(Number(row.bucket) * millisecondsPerDay).toISOString().slice(0, 10)
            : String(row.bucket),
        requests: Number(row.requests),
        errors: Number(row.errors),
        promptTokens: Number(row.prompt_tokens),
        completionTokens: Number(row.completion_tokens),
        cost: Number(row.cost),
      }));
    },

    async deleteOlderThan(createdAt) {
      const result = await database
        .deleteFrom('usage_records')
        .where('created_at', '<', createdAt)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
