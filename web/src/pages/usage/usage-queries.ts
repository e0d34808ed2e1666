import { api, readEarly, type Query } from '../../api/api-client';
import type { UsageSummary } from '../../api/api-types';
import { utcDaysAgo } from '../../format/dates';
import { accountScopeFrom } from '../../hooks/account-scope';

/** The periods the Usage page offers, in days; the first is where it opens. */
export const usageRanges = [7, 30] as const;
export type UsageRange = (typeof usageRanges)[number];

export interface UsagePeriod {
  /** The first UTC day shown, YYYY-MM-DD. */
  firstDay: string;
  accountId: number | undefined;
}

export function usagePeriod(days: UsageRange, accountId: number | null): UsagePeriod {
  return { firstDay: utcDaysAgo(days), accountId: accountId ?? undefined };
}

function summaryQuery(groupBy: 'day' | 'model', period: UsagePeriod): Query {
  return { groupBy, from: period.firstDay, accountId: period.accountId };
}

export function readUsageSummary(groupBy: 'day' | 'model', period: UsagePeriod) {
  return api.get<UsageSummary>('/usage/summary', summaryQuery(groupBy, period));
}

/** The page's first two reads, asked for while the page is still loading. */
export function preloadUsage(search: URLSearchParams): void {
  const period = usagePeriod(usageRanges[0], accountScopeFrom(search));
  readEarly('/usage/summary', summaryQuery('day', period));
  readEarly('/usage/summary', summaryQuery('model', period));
}
