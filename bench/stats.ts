/** Percentiles of a set of durations, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of sorted values; `fraction` in [0, 1]. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Summarizes durations (ms) at full precision; autocannon's own histogram keeps whole ms only. */
export function summarize(values: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
  };
}

/** Median of a list of numbers; NaN when empty. */
export function median(values: readonly number[]): number {
  return summarize(values).p50;
}

/** Collects samples up to a fixed count, so a long run cannot grow memory without bound. */
export class SampleBuffer {
  readonly values: number[] = [];
  dropped = 0;

  constructor(private readonly capacity = 2_000_000) {}

  add(value: number): void {
    if (this.values.length < this.capacity) this.values.push(value);
    else this.dropped += 1;
  }
}
