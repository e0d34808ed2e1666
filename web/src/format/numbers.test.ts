import { describe, expect, it } from 'vitest';
import { formatDuration, formatTokens } from './numbers';
import { toCsv } from './csv';

describe('formatTokens', () => {
  it('is exact below ten thousand and compact above', () => {
    expect(formatTokens(7)).toBe('7');
    expect(formatTokens(9_999)).toBe('9,999');
    expect(formatTokens(12_345)).toBe('12.3K');
    expect(formatTokens(4_560_000)).toBe('4.56M');
    expect(formatTokens(1_200_000_000)).toBe('1.20B');
    expect(formatTokens(250_000)).toBe('250K');
  });
});

describe('formatDuration', () => {
  it('shows milliseconds below a second', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(2_400)).toBe('2.4 s');
  });
});

describe('toCsv', () => {
  it('quotes fields with commas, quotes or line breaks', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [null, 3],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n,3\r\n');
  });
});
