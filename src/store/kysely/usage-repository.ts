import { sql } from 'kysely';
import type { UsageQuery, UsageRepository, UsageSummaryQuery } from '../contract.js';
import type { UsageRecord } from '../records.js';
import type { Database } from './executor.js';
import { addDailyUsage, dailyRows, millisecondsPerDay, pageWindowStart } from './daily-usage.js';
import { toUsageRecord } from './row-parsers.js';

/** 15 columns × 1,000 rows stays well under either database's cap on bound parameters. */
const usageRowsPerStatement = 1_000;

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

/** A summary row before its bucket is formatted: a day number, a model id or a key id. */
interface SummaryPart {
  bucket: string | number;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

function summaryPart(
  row: {
    bucket: string | number;
    requests: number | string;
    errors: number | string;
    prompt_tokens: number | string;
    completion_tokens: number | string;
    cost: number | string;
  },
  groupBy: UsageSummaryQuery['groupBy'],
): SummaryPart {
  return {
    // PostgreSQL answers bigint sums and ids as strings; days and key ids compare as numbers.
    bucket: groupBy === 'model' ? String(row.bucket) : Number(row.bucket),
    requests: Number(row.requests),
    errors: Number(row.errors),
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    cost: Number(row.cost),
  };
}

/** Whether a query filters the log so that its matches may be sparse in time. */
function isNarrowed(query: UsageQuery): boolean {
  return (
    query.accountIds !== undefined ||
    query.apiKeyId !== undefined ||
    query.modelId !== undefined ||
    query.outcome !== undefined
  );
}

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

  function bucketOf(groupBy: UsageSummaryQuery['groupBy'], day: 'created_at' | 'day') {
    // Integer division of epoch milliseconds gives the UTC day in both dialects. The divisor is
    // a literal: better-sqlite3 binds every JS number as a REAL, and a REAL divisor would make
    // SQLite divide exactly, giving each millisecond its own "day".
    if (groupBy === 'day') {
      return day === 'day'
        ? sql<string | number>`day`
        : sql<string | number>`created_at / ${sql.lit(millisecondsPerDay)}`;
    }
    return groupBy === 'model' ? sql<string | number>`model_id` : sql<string | number>`api_key_id`;
  }

  async function recordSummary(
    query: UsageSummaryQuery,
    from: number,
    to: number,
  ): Promise<SummaryPart[]> {
    const rows = await filtered({ ...query, from, to })
      .select([
        bucketOf(query.groupBy, 'created_at').as('bucket'),
        (expression) => expression.fn.countAll<number>().as('requests'),
        sql<number>`sum(case when status = 200 then 0 else 1 end)`.as('errors'),
        (expression) => expression.fn.sum<number>('prompt_tokens').as('prompt_tokens'),
        (expression) => expression.fn.sum<number>('completion_tokens').as('completion_tokens'),
        (expression) => expression.fn.sum<number>('cost').as('cost'),
      ])
      .groupBy(sql`1`)
      .execute();
    return rows.map((row) => summaryPart(row, query.groupBy));
  }

  async function dailySummary(
    query: UsageSummaryQuery,
    firstDay: number,
    endDay: number,
  ): Promise<SummaryPart[]> {
    const rows = await dailyRows(database, query, firstDay, endDay)
      .select([
        bucketOf(query.groupBy, 'day').as('bucket'),
        (expression) => expression.fn.sum<number>('requests').as('requests'),
        (expression) => expression.fn.sum<number>('errors').as('errors'),
        (expression) => expression.fn.sum<number>('prompt_tokens').as('prompt_tokens'),
        (expression) => expression.fn.sum<number>('completion_tokens').as('completion_tokens'),
        (expression) => expression.fn.sum<number>('cost').as('cost'),
      ])
      .groupBy(sql`1`)
      .execute();
    return rows.map((row) => summaryPart(row, query.groupBy));
  }

  return {
    async insertMany(records) {
      if (records.length === 0) return;
      const byRequest = new Map(records.map((record) => [record.requestId, record]));
      // One statement binds every column of every row as a parameter, and both databases cap
      // those (SQLite 32,766, PostgreSQL 65,535): a large batch goes in slices, one transaction.
      await database.transaction().execute(async (transaction) => {
        const inserted: UsageRecord[] = [];
        for (let start = 0; start < records.length; start += usageRowsPerStatement) {
          const rows = await transaction
            .insertInto('usage_records')
            .values(records.slice(start, start + usageRowsPerStatement).map(usageRow))
            .onConflict((conflict) => conflict.column('request_id').doNothing())
            .returning('request_id')
            .execute();
          for (const row of rows) {
            const record = byRequest.get(row.request_id);
            if (record) inserted.push(record);
          }
        }
        await addDailyUsage(transaction, inserted);
      });
    },

    async list(query = {}) {
      const limit = query.limit ?? 100;
      let windowStart: number | undefined;
      if (isNarrowed(query)) {
        const upperBound = Math.min(
          query.to ?? Number.MAX_SAFE_INTEGER,
          query.before === undefined ? Number.MAX_SAFE_INTEGER : query.before.createdAt + 1,
        );
        const start = await pageWindowStart(database, query, upperBound, limit);
        if (start === null) return [];
        windowStart = start;
      }
      // Newest by the time of the request, not of the write: instances flush their batches
      // independently, so ids do not follow time. (created_at also leads the indexes.)
      let select = filtered(query)
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('request_id', 'desc');
      if (windowStart !== undefined && windowStart > (query.from ?? Number.MIN_SAFE_INTEGER)) {
        select = select.where('created_at', '>=', windowStart);
      }
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
      return (await select.limit(limit).execute()).map(toUsageRecord);
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
      // Whole UTC days come from the daily totals, a few rows each; only the partial days at
      // either end of the range are summed from the records themselves.
      const firstWholeDay = Math.ceil(query.from / millisecondsPerDay);
      const endWholeDay = Math.floor(query.to / millisecondsPerDay);
      const parts: Array<Promise<SummaryPart[]>> = [];
      if (firstWholeDay < endWholeDay) {
        parts.push(dailySummary(query, firstWholeDay, endWholeDay));
        if (query.from < firstWholeDay * millisecondsPerDay) {
          parts.push(recordSummary(query, query.from, firstWholeDay * millisecondsPerDay));
        }
        if (endWholeDay * millisecondsPerDay < query.to) {
          parts.push(recordSummary(query, endWholeDay * millisecondsPerDay, query.to));
        }
      } else {
        parts.push(recordSummary(query, query.from, query.to));
      }
      const merged = new Map<string | number, SummaryPart>();
      for (const part of (await Promise.all(parts)).flat()) {
        const total = merged.get(part.bucket);
        if (!total) {
          merged.set(part.bucket, { ...part });
          continue;
        }
        total.requests += part.requests;
        total.errors += part.errors;
        total.promptTokens += part.promptTokens;
        total.completionTokens += part.completionTokens;
        total.cost += part.cost;
      }
      return [...merged.values()]
        .sort((left, right) =>
          left.bucket < right.bucket ? -1 : left.bucket > right.bucket ? 1 : 0,
        )
        .map((part) => ({
          ...part,
          bucket:
            query.groupBy === 'day'
              ? new Date(Number(part.bucket) * millisecondsPerDay).toISOString().slice(0, 10)
              : String(part.bucket),
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
