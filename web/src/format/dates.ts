const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

const dateFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
});

/** An ISO time in the viewer's time zone: "Mar 4, 2025, 14:05". */
export function formatDateTime(iso: string | null): string {
  if (iso === null) return '—';
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : dateTimeFormat.format(time);
}

/** An ISO time as a date only. */
export function formatDate(iso: string | null): string {
  if (iso === null) return '—';
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : dateFormat.format(time);
}

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const steps: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "3 minutes ago", "in 2 days"; "just now" under a minute; "never" for null. */
export function formatRelative(iso: string | null, now: number = Date.now()): string {
  if (iso === null) return 'never';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const difference = time - now;
  for (const [unit, size] of steps) {
    if (Math.abs(difference) >= size) {
      return relativeFormat.format(Math.round(difference / size), unit);
    }
  }
  return 'just now';
}

/** Midnight UTC `days` days ago as YYYY-MM-DD, the start of a usage window of that many days. */
export function utcDaysAgo(days: number, now: number = Date.now()): string {
  const start = new Date(now - (days - 1) * 86_400_000);
  return start.toISOString().slice(0, 10);
}

/** A date input's value (YYYY-MM-DD, local) as the end of that day in ISO 8601 with offset. */
export function endOfLocalDay(dateInput: string): string {
  return new Date(`${dateInput}T23:59:59`).toISOString();
}
