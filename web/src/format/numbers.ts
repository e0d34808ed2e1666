const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count with thousands separators: 1234567 → "1,234,567". */
export function formatCount(value: number): string {
  return integerFormat.format(value);
}

/** Token counts in tables and totals: exact below 10,000, then 12.3K / 4.56M / 1.2B. */
export function formatTokens(value: number): string {
  const absolute = Math.abs(value);
  if (absolute < 10_000) return formatCount(value);
  const units: readonly [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, suffix] of units) {
    if (absolute >= size) {
      const scaled = value / size;
      const digits = Math.abs(scaled) >= 100 ? 0 : Math.abs(scaled) >= 10 ? 1 : 2;
      return `${scaled.toFixed(digits)}${suffix}`;
    }
  }
  return formatCount(value);
}

/** Milliseconds as "850 ms" or "2.4 s". */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${formatCount(milliseconds)} ms`;
  return `${(milliseconds / 1000).toFixed(1)} s`;
}
