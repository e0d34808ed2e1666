import { describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from './money.js';

describe('parseMoney', () => {
  it.each([
    ['0.27', 270_000],
    ['12', 12_000_000],
    ['0.1', 100_000],
    ['0.000001', 1],
    [3.5, 3_500_000],
    [0.1, 100_000],
    [0.075, 75_000],
  ])('parses %s exactly', (input, expected) => {
    expect(parseMoney(input)).toBe(expected);
  });

  it.each(['-1', 'abc', '0.0000001', '1e3', ''])('rejects %s with a message naming it', (input) => {
    expect(() => parseMoney(input)).toThrow(/not an amount of money/);
  });
});

describe('formatMoney', () => {
  it('formats micro-units with six decimals', () => {
    expect(formatMoney(270_000)).toBe('0.270000');
    expect(formatMoney(12_000_001)).toBe('12.000001');
    expect(formatMoney(-5)).toBe('-0.000005');
  });
});
