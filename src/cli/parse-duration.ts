const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads an expiry as a duration from now (`30d`, `12h`, `90m`) or an ISO 8601 date/time.
 * Returns epoch milliseconds.
 */
export function parseExpiry(text: string, now: number): number {
  const duration = /^(\d+)([mhd])$/.exec(text.trim());
  if (duration) return now + Number(duration[1]) * (units[duration[2] as string] as number);
  const date = Date.parse(text);
  if (Number.isNaN(date)) {
    throw new RangeError(
      `'${text}' is neither a duration like 30d, 12h or 90m nor an ISO 8601 date`,
    );
  }
  return date;
}
