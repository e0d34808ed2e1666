import { describe, expect, it } from 'vitest';
import { formatMicros, formatMoney, microsToText, parseAmountInput } from './money';

describe('formatMoney', () => {
  it('keeps two decimals and every significant digit after them', () => {
    expect(formatMoney('12.500000')).toBe('12.50');
    expect(formatMoney('0.000031')).toBe('0.000031');
    expect(formatMoney('19.999969')).toBe('19.999969');
    expect(formatMoney('5')).toBe('5.00');
  });

  it('groups thousands without going through a float', () => {
    expect(formatMoney('1234567.890000')).toBe('1,234,567.89');
    expect(formatMoney('900719925474099.123456')).toBe('900,719,925,474,099.123456');
  });

  it('keeps the sign of debits, but not of zero', () => {
    expect(formatMoney('-3.500000')).toBe('-3.50');
    expect(formatMoney('-0.000000')).toBe('0.00');
  });

  it('leaves text that is not a number alone', () => {
    expect(formatMoney('n/a')).toBe('n/a');
  });
});

describe('micro-units', () => {
  it('turns micro-units into the API’s six-place text', () => {
    expect(microsToText(12_500_000)).toBe('12.500000');
    expect(microsToText(31)).toBe('0.000031');
    expect(microsToText(-3_500_000)).toBe('-3.500000');
    expect(formatMicros(20_000_000 - 31)).toBe('19.999969');
  });
});

describe('parseAmountInput', () => {
  it('accepts decimal text and strips thousands separators', () => {
    expect(parseAmountInput(' 1,250.5 ')).toEqual({ ok: true, amount: '1250.5' });
  });

  it('refuses zero, too many decimals and signs unless debits are allowed', () => {
    expect(parseAmountInput('0.00').ok).toBe(false);
    expect(parseAmountInput('1.1234567').ok).toBe(false);
    expect(parseAmountInput('-3').ok).toBe(false);
    expect(parseAmountInput('-3.50', { allowNegative: true })).toEqual({
      ok: true,
      amount: '-3.50',
    });
  });
});
