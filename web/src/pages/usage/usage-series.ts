import type { UsageSummaryRow } from '../../api/api-types';
import { microsToUnits } from '../../format/money';

/** One day of a usage chart. */
export interface DayPoint {
  /** YYYY-MM-DD (UTC), as the API buckets days. */
  day: string;
  /** "Mar 4" for the axis. */
  label: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  /** Currency units as a float: only for drawing. Tooltips show `costText`. */
  cost: number;
  costMicros: number;
}

const labelFormat = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

/**
 * The API returns only days that had requests; a chart needs every day of the window, so days
 * without a row are filled with zeros. `firstDay` is the window's first UTC day.
 */
export function fillDays(
  rows: readonly UsageSummaryRow[],
  firstDay: string,
  days: number,
): DayPoint[] {
  const byDay = new Map(rows.map((row) => [row.bucket, row]));
  const start = Date.parse(`${firstDay}T00:00:00Z`);
  const points: DayPoint[] = [];
  for (let index = 0; index < days; index += 1) {
    const time = start + index * 86_400_000;
    const day = new Date(time).toISOString().slice(0, 10);
    const row = byDay.get(day);
    points.push({
      day,
      label: labelFormat.format(time),
      requests: row?.requests ?? 0,
      errors: row?.errors ?? 0,
      promptTokens: row?.promptTokens ?? 0,
      completionTokens: row?.completionTokens ?? 0,
      cost: microsToUnits(row?.costMicros ?? 0),
      costMicros: row?.costMicros ?? 0,
    });
  }
  return points;
}
