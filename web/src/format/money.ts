/**
 * Money arrives as decimal text with six places ("1234.500000") or as integer micro-units
 * (1 unit = 1,000,000). Formatting works on the digits, never through a float, so what is shown
 * is exactly what the ledger holds.
 */

const microsPerUnit = 1_000_000;

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * "1234.500000" → "1,234.50"; "0.000123" → "0.000123"; "-3.000000" → "-3.00". Keeps at least two
 * decimals and every significant one after that, so a tiny per-request cost is not shown as 0.00.
 */
export function formatMoney(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return text;
  const [, sign = '', whole = '0', fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '').padEnd(2, '0');
  const isZero = /^0*$/.test(whole) && /^0*$/.test(trimmed);
  const wholeDigits = whole.replace(/^0+(?=\d)/, '');
  return `${isZero ? '' : sign}${groupThousands(wholeDigits)}.${trimmed}`;
}

/** Integer micro-units as decimal text with six places, like the API's own money text. */
export function microsToText(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const absolute = Math.abs(Math.trunc(micros));
  const whole = Math.floor(absolute / microsPerUnit);
  const fraction = String(absolute % microsPerUnit).padStart(6, '0');
  return `${sign}${whole}.${fraction}`;
}

/** Integer micro-units formatted for display. */
export function formatMicros(micros: number): string {
  return formatMoney(microsToText(micros));
}

/** Micro-units as a plain number of currency units, for charts (where float rounding is fine). */
export function microsToUnits(micros: number): number {
  return micros / microsPerUnit;
}

const amountPattern = /^\d{1,12}(\.\d{1,6})?$/;

/**
 * Checks an amount a person typed. Returns the text to send (the API takes decimal strings) or a
 * message saying what to fix.
 */
export function parseAmountInput(
  raw: string,
  options: { allowNegative?: boolean } = {},
): { ok: true; amount: string } | { ok: false; message: string } {
  const text = raw.trim().replace(/,/g, '');
  const negative = options.allowNegative === true && text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  if (!amountPattern.test(digits)) {
    return {
      ok: false,
      message: options.allowNegative
        ? 'Enter an amount like 12.50, or -3.50 to debit (at most 6 decimals).'
        : 'Enter an amount like 12.50 (at most 6 decimals).',
    };
  }
  if (/^0*(\.0*)?$/.test(digits)) return { ok: false, message: 'The amount must not be 0.' };
  return { ok: true, amount: negative ? `-${digits}` : digits };
}
