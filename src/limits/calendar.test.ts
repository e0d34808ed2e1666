import { describe, expect, it } from 'vitest';
import { calendarPosition, checkDayOffset } from './calendar.js';

describe('calendarPosition', () => {
  it('puts UTC days and months at UTC midnight by default', () => {
    const now = Date.UTC(2026, 10, 26, 10);
    expect(calendarPosition(now, 0)).toEqual({
      dayIndex: Math.floor(now / 86_400_000),
      dayResetAt: Date.UTC(2026, 10, 27),
      monthPeriod: '2026-11',
      monthResetAt: Date.UTC(2026, 11, 1),
    });
  });

  it('moves both boundaries to midnight of UTC+offset', () => {
    // 16:00 UTC on Nov 30 is already December 1 in UTC+8.
    const before = calendarPosition(Date.UTC(2026, 10, 30, 15, 59, 59, 999), 480);
    const after = calendarPosition(Date.UTC(2026, 10, 30, 16), 480);
    expect(before).toMatchObject({
      dayResetAt: Date.UTC(2026, 10, 30, 16),
      monthPeriod: '2026-11',
      monthResetAt: Date.UTC(2026, 10, 30, 16),
    });
    expect(after.dayIndex).toBe(before.dayIndex + 1);
    expect(after).toMatchObject({
      monthPeriod: '2026-12',
      monthResetAt: Date.UTC(2026, 11, 31, 16),
    });
  });

  it('handles negative offsets, year ends and leap years', () => {
    expect(calendarPosition(Date.UTC(2027, 0, 1, 4), -300)).toMatchObject({
      monthPeriod: '2026-12',
      dayResetAt: Date.UTC(2027, 0, 1, 5),
      monthResetAt: Date.UTC(2027, 0, 1, 5),
    });
    expect(calendarPosition(Date.UTC(2028, 1, 29, 12), 0)).toMatchObject({
      monthPeriod: '2028-02',
      monthResetAt: Date.UTC(2028, 2, 1),
    });
  });

  it('accepts whole-minute offsets within a day either way', () => {
    expect(() => checkDayOffset(-1439)).not.toThrow();
    expect(() => checkDayOffset(1439)).not.toThrow();
    expect(() => checkDayOffset(1440)).toThrow(RangeError);
    expect(() => checkDayOffset(Number.NaN)).toThrow(RangeError);
  });
});
