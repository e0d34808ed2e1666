import { api, readEarly, type Query } from '../../api/api-client';
import type { PageOf, UsageRecord } from '../../api/api-types';
import { accountScopeFrom } from '../../hooks/account-scope';

export interface RequestLogFilters {
  /** Whose requests; undefined is everyone the viewer may see. */
  accountId: number | undefined;
  keyId: string;
  model: string;
  outcome: string;
}

const pageSize = 50;

// Spelled out, not spread: an early read is matched by its URL, parameter order included.
function recordsQuery(filters: RequestLogFilters, cursor: string | null): Query {
  return {
    accountId: filters.accountId,
    keyId: filters.keyId,
    model: filters.model,
    outcome: filters.outcome,
    limit: pageSize,
    cursor,
  };
}

export function readRecords(filters: RequestLogFilters, cursor: string | null) {
  return api.get<PageOf<UsageRecord>>('/usage/records', recordsQuery(filters, cursor));
}

/** The log's first page as the page opens (no filters yet), asked for while it loads. */
export function preloadRequestLog(search: URLSearchParams): void {
  const accountId = accountScopeFrom(search) ?? undefined;
  readEarly('/usage/records', recordsQuery({ accountId, keyId: '', model: '', outcome: '' }, null));
}
