import { sql } from 'kysely';
import type { UsageQuery } from '../contract.js';
import type { DatabaseSchema } from '../database-schema.js';
import type { UsageRecord } from '../records.js';
import type { Executor } from './executor.js';
import { slices } from './ledger-lines.js';

export const millisecondsPerDay = 86_400_000;

/** What a usage record adds to its day's totals. */
export type DailyUsageInput = Pick<
  UsageRecord,
  | 'accountId'
  | 'apiKeyId'
  | 'modelId'
  | 'status'
  | 'promptTokens'
  | 'completionTokens'
  | 'cost'
  | 'createdAt'
>;

type DailyRow = DatabaseSchema['usage_daily'];

export type DailyFilter = Pick<UsageQuery, 'accountId' | 'accountIds' | 'apiKeyId' | 'modelId'>;

function compareRows(left: DailyRow, right: DailyRow): number {
  return (
    left.day - right.day ||
    left.account_id - right.account_id ||
    left.api_key_id - right.api_key_id ||
    (left.model_id < right.model_id ? -1 : left.model_id > right.model_id ? 1 : 0)
  );
}

/**
 * Adds records to the daily totals, in the transaction that writes them. Rows are upserted in
 * key order, so two instances adding to the same days lock those rows in the same order and
 * cannot deadlock.
 */
export async function addDailyUsage(
  executor: Executor,
  records: readonly DailyUsageInput[],
): Promise<void> {
  const rows = new Map<string, DailyRow>();
  for (const record of records) {
    const day = Math.floor(record.createdAt / millisecondsPerDay);
    const key = `${day}\u0000${record.accountId}\u0000${record.apiKeyId}\u0000${record.modelId}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        day,
        account_id: record.accountId,
        api_key_id: record.apiKeyId,
        model_id: record.modelId,
        requests: 0,
        errors: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        cost: 0,
      };
      rows.set(key, row);
    }
    row.requests += 1;
    if (record.status !== 200) row.errors += 1;
    row.prompt_tokens += record.promptTokens;
    row.completion_tokens += record.completionTokens;
    row.cost += record.cost;
  }
  for (const slice of slices([...rows.values()].sort(compareRows))) {
    await executor
      .insertInto('usage_daily')
      .values(slice)
      .onConflict((conflict) =>
        conflict.columns(['day', 'account_id', 'api_key_id', 'model_id']).doUpdateSet({
          requests: sql<number>`usage_daily.requests + excluded.requests`,
          errors: sql<number>`usage_daily.errors + excluded.errors`,
          prompt_tokens: sql<number>`usage_daily.prompt_tokens + excluded.prompt_tokens`,
          completion_tokens: sql<number>`usage_daily.completion_tokens + excluded.completion_tokens`,
          cost: sql<number>`usage_daily.cost + excluded.cost`,
        }),
      )
      .execute();
  }
}

/** Daily rows matching the filter, within [firstDay, endDay); no first day means from the start. */
export function dailyRows(
  executor: Executor,
  filter: DailyFilter,
  firstDay: number | undefined,
  endDay: number,
) {
  let select = executor.selectFrom('usage_daily').where('day', '<', endDay);
  if (firstDay !== undefined) select = select.where('day', '>=', firstDay);
  if (filter.accountId !== undefined) select = select.where('account_id', '=', filter.accountId);
  if (filter.accountIds !== undefined) {
    select = select.where(
      'account_id',
      'in',
      filter.accountIds.length > 0 ? [...filter.accountIds] : [-1],
    );
  }
  if (filter.apiKeyId !== undefined) select = select.where('api_key_id', '=', filter.apiKeyId);
  if (filter.modelId !== undefined) select = select.where('model_id', '=', filter.modelId);
  return select;
}

/**
 * Where a page of the request log can start looking, newest first: the start of the latest day
 * such that the whole days between it and the page's upper bound already hold `limit` matching
 * records. Bounding the scan by time keeps a page of a sparse filter (an agent's few users among
 * millions of records, a rare model, errors only) from walking the whole table. The upper
 * bound's own day is always included whole, as the daily totals cannot tell which of its records
 * lie past the cursor. Answers null when the filter matches nothing at all before the bound, and
 * `from` (or 0) when there are fewer than `limit` such records.
 */
export async function pageWindowStart(
  executor: Executor,
  query: UsageQuery,
  upperBound: number,
  limit: number,
): Promise<number | null> {
  const upperDay = Math.floor(upperBound / millisecondsPerDay);
  const firstDay =
    query.from === undefined ? undefined : Math.floor(query.from / millisecondsPerDay);
  const counted =
    query.outcome === 'error'
      ? sql<number>`sum(errors)`
      : query.outcome === 'ok'
        ? sql<number>`sum(requests - errors)`
        : sql<number>`sum(requests)`;
  const days = await dailyRows(executor, query, firstDay, upperDay + 1)
    .select(['day', counted.as('matching')])
    .groupBy('day')
    .orderBy('day', 'desc')
    .execute();
  let seen = 0;
  let earliest: number | null = null;
  for (const row of days) {
    const matching = Number(row.matching);
    if (matching === 0) continue;
    earliest = Number(row.day);
    if (earliest === upperDay) continue;
    seen += matching;
    if (seen >= limit) return earliest * millisecondsPerDay;
  }
  return earliest === null ? null : earliest * millisecondsPerDay;
}
