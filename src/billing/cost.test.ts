import { describe, expect, it } from 'vitest';
import { computeCost } from './cost.js';

const prices = { input: 270_000, output: 1_100_000, cachedInput: 70_000, perRequest: 0 };

describe('computeCost', () => {
  it('rounds the total up to the next micro-unit', () => {
    // 10 × 0.27 + 5 × 1.10 = 8.2 micro-units → 9
    expect(computeCost({ promptTokens: 10, completionTokens: 5, cachedTokens: 0 }, prices)).toBe(9);
  });

  it('is exact when the total is a whole number of micro-units', () => {
    expect(
      computeCost({ promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 0 }, prices),
    ).toBe(270_000);
  });

  it('bills cached prompt tokens at the cached price, not twice', () => {
    const usage = { promptTokens: 1_000_000, completionTokens: 0, cachedTokens: 400_000 };
    expect(computeCost(usage, prices)).toBe(600_000 * 0.27 + 400_000 * 0.07);
  });

  it('adds the per-request fee after rounding', () => {
    const usage = { promptTokens: 1, completionTokens: 0, cachedTokens: 0 };
    expect(computeCost(usage, { ...prices, perRequest: 100 })).toBe(101);
  });

  it('costs nothing for nothing', () => {
    expect(computeCost({ promptTokens: 0, completionTokens: 0, cachedTokens: 0 }, prices)).toBe(0);
  });
});
