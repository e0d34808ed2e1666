/** Where a moment falls in the day and month windows of `rpd`, `dailySpend` and `tokenQuota`. */
export interface CalendarPosition {
  /** Days since the epoch, counted from the offset's midnight: the id of today's window. */
  dayIndex: number;
  /** Epoch ms of the next day boundary. */
  dayResetAt: number;
  /** `YYYY-MM` of the current month, at the same offset: the id of this month's window. */
  monthPeriod: string;
  /** Epoch ms of the first of the next month at the offset's midnight. */
  monthResetAt: number;
}

const dayMs = 86_400_000;

/** Throws unless `minutes` is a whole number of minutes strictly within a day either way. */
export function checkDayOffset(minutes: number): void {
  if (!Number.isInteger(minutes) || Math.abs(minutes) >= 1440) {
    throw new RangeError(
      `dayOffsetMinutes must be a whole number from -1439 to 1439, not ${minutes}`,
    );
  }
}

/**
 * The day and month windows of `now`. A day starts at midnight of UTC+`offsetMinutes`, so 480
 * (UTC+8) puts the boundary at 16:00 UTC; shifting the clock by the offset and then using UTC
 * calendar arithmetic gives exactly that, with no time-zone database and no daylight saving.
 */
export function calendarPosition(now: number, offsetMinutes: number): CalendarPosition {
  const offsetMs = offsetMinutes * 60_000;
  const shifted = now + offsetMs;
  const dayIndex = Math.floor(shifted / dayMs);
  const local = new Date(shifted);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  return {
    dayIndex,
    dayResetAt: (dayIndex + 1) * dayMs - offsetMs,
    monthPeriod: `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}`,
    monthResetAt: Date.UTC(year, month + 1, 1) - offsetMs,
  };
}
