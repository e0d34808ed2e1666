/** A check of form input: the value to send, or the field at fault and what to fix. */
export type Checked<Value> =
  { ok: true; value: Value } | { ok: false; field: string; message: string };

/** Prices are decimal currency units per 1M tokens (or per request), up to six places. */
const pricePattern = /^\d{1,12}(\.\d{1,6})?$/;

/**
 * Checks a price a person typed. Unlike an amount, 0 is a valid price (free models, no fee).
 * Returns the text to send (the API refuses JSON numbers for money) or what to fix.
 */
export function parsePriceInput(
  raw: string,
): { ok: true; price: string } | { ok: false; message: string } {
  const text = raw.trim().replace(/,/g, '');
  if (text === '') return { ok: true, price: '0' };
  if (!pricePattern.test(text)) {
    return {
      ok: false,
      message: 'Enter a price like 0.27 (at most 6 decimals, no currency sign).',
    };
  }
  return { ok: true, price: text };
}

/** A token count field: empty means "not set" (null), else a whole number from 1 to 100M. */
export function parseTokenCount(
  raw: string,
): { ok: true; tokens: number | null } | { ok: false; message: string } {
  const text = raw.trim().replace(/[,_ ]/g, '');
  if (text === '') return { ok: true, tokens: null };
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1 || Number(text) > 100_000_000) {
    return {
      ok: false,
      message: 'Enter a whole number of tokens from 1 to 100,000,000, or leave it empty.',
    };
  }
  return { ok: true, tokens: Number(text) };
}

/** A whole number in a range, for priorities and weights. */
export function parseInteger(
  raw: string,
  minimum: number,
  maximum: number,
): { ok: true; value: number } | { ok: false; message: string } {
  const text = raw.trim();
  if (!/^\d{1,9}$/.test(text) || Number(text) < minimum || Number(text) > maximum) {
    return { ok: false, message: `Enter a whole number from ${minimum} to ${maximum}.` };
  }
  return { ok: true, value: Number(text) };
}

/**
 * A timeout typed in seconds (people think in seconds; the API takes milliseconds). Decimals
 * are allowed down to the millisecond.
 */
export function parseSeconds(
  raw: string,
  maximumSeconds: number,
): { ok: true; milliseconds: number } | { ok: false; message: string } {
  const text = raw.trim();
  const milliseconds = /^\d{1,7}(\.\d{1,3})?$/.test(text) ? Math.round(Number(text) * 1000) : NaN;
  if (!(milliseconds >= 1 && milliseconds <= maximumSeconds * 1000)) {
    return { ok: false, message: `Enter seconds from 0.001 to ${maximumSeconds}, like 30 or 2.5.` };
  }
  return { ok: true, milliseconds };
}

/** Milliseconds as the text of a seconds field: 120000 → "120", 2500 → "2.5". */
export function secondsText(milliseconds: number): string {
  return String(milliseconds / 1000);
}
