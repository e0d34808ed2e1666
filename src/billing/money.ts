/** One currency unit (a dollar, a yuan) is a million micro-units; money is never a float. */
export const microUnitsPerUnit = 1_000_000;

const decimalPattern = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/**
 * Parses a decimal amount of currency ("0.27", "12", 3.5) into integer micro-units, exactly.
 * Numbers are accepted for convenience in YAML, but go through their decimal text, never through
 * float arithmetic, so "0.1" is 100000 and not 99999.
 */
export function parseMoney(value: string | number): number {
  const text = typeof value === 'number' ? numberToPlainText(value) : value.trim();
  const match = decimalPattern.exec(text);
  if (!match) {
    throw new RangeError(
      `'${String(value)}' is not an amount of money: use a non-negative decimal with at most 6 digits after the point, like 0.27`,
    );
  }
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  return whole * microUnitsPerUnit + fraction;
}

function numberToPlainText(value: number): string {
  if (!Number.isFinite(value) || value < 0) return String(value);
  // toFixed(6) is exact for the short decimals people write and never uses exponent notation;
  // a number it would round is sent on as it is, so the pattern rejects it like the same string.
  const fixed = value.toFixed(6).replace(/\.?0+$/, '');
  return Number(fixed) === value ? fixed : value.toFixed(12);
}

/** Formats micro-units as a decimal string with six places, e.g. 270000 → "0.270000". */
export function formatMoney(microUnits: number): string {
  const sign = microUnits < 0 ? '-' : '';
  const absolute = Math.abs(microUnits);
  const whole = Math.floor(absolute / microUnitsPerUnit);
  const fraction = String(absolute % microUnitsPerUnit).padStart(6, '0');
  return `${sign}${whole}.${fraction}`;
}
