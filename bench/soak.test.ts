import { describe, expect, it } from 'vitest';
import { growthPerTenMinutes, metricValue } from './soak.js';

describe('soak arithmetic', () => {
  it('fits growth per 10 minutes through noisy samples', () => {
    // 0.5 MB a minute, with ±1 MB of alternating noise, which tilts the fit by -40/42 MB.
    const points = [0, 1, 2, 3, 4, 5, 6, 7].map(
      (minute) => [minute, 100 + minute * 0.5 + (minute % 2 === 0 ? 1 : -1)] as const,
    );
    expect(growthPerTenMinutes(points)).toBeCloseTo(5 - 40 / 42, 5);
    expect(
      growthPerTenMinutes([
        [1, 80],
        [2, 80],
        [3, 80],
      ]),
    ).toBe(0);
    expect(growthPerTenMinutes([[1, 80]])).toBe(0);
  });

  it('reads a metric from Prometheus text, summing its label sets', () => {
    const text = [
      '# HELP switchyard_open_holds Holds not yet settled.',
      'switchyard_open_holds 3',
      'switchyard_open_holds_total 99',
      'nodejs_heap_size_used_bytes 1048576',
      'switchyard_usage_queue_depth{store="sqlite"} 2',
      'switchyard_usage_queue_depth{store="redis"} 5',
    ].join('\n');
    expect(metricValue(text, 'switchyard_open_holds')).toBe(3);
    expect(metricValue(text, 'nodejs_heap_size_used_bytes')).toBe(1_048_576);
    expect(metricValue(text, 'switchyard_usage_queue_depth')).toBe(7);
    expect(metricValue(text, 'switchyard_missing')).toBeUndefined();
  });
});
