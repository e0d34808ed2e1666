import { z } from 'zod';
import { formatMoney, parseMoney } from '../billing/money.js';

/** A numeric id in a path or query string. */
export const numericId = z
  .string()
  .regex(/^\d{1,15}$/, { error: 'expected a numeric id' })
  .transform(Number);

/** A numeric id in a JSON body. */
export const bodyId = z.number().int().positive();

/** `/…/:id` routes. */
export const idParams = z.object({ id: numericId }).strict();

/** Times in responses: ISO 8601, UTC. */
export const timestamp = z.iso.datetime().describe('ISO 8601 time, UTC');

/** Epoch milliseconds as the ISO 8601 text responses carry. */
export function isoTime(epochMilliseconds: number): string {
  return new Date(epochMilliseconds).toISOString();
}

/** A time in a request: an ISO 8601 date-time with offset, or a date (midnight UTC). */
export const timeInput = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((text) => Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text));

/** Page size of list routes. */
export const limitQuery = (maximum: number, fallback: number) =>
  z.coerce.number().int().min(1).max(maximum).default(fallback);

/** A page of a list and the cursor of the next one (null on the last page). */
export function pageOf<Item extends z.ZodType>(item: Item) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

/** A whole list. */
export function listOf<Item extends z.ZodType>(item: Item) {
  return z.object({ data: z.array(item) });
}

/**
 * Money in requests is a decimal string of currency units with up to six places ("12.50"),
 * parsed exactly into integer micro-units; never a JSON number, which would invite floats.
 */
const decimalText = /^\d{1,12}(\.\d{1,6})?$/;

/** A positive amount of money as a decimal string, parsed to micro-units. */
export const amountInput = z
  .string()
  .regex(decimalText, { error: 'expected a decimal string of currency units, like "12.50"' })
  .transform((text) => parseMoney(text))
  .refine((micros) => micros > 0, { error: 'must be more than 0' })
  .describe('Currency units as a decimal string with up to 6 places, e.g. "12.50"');

/** A non-negative price as a decimal string, parsed to micro-units. */
export const priceInput = z
  .string()
  .regex(decimalText, { error: 'expected a decimal string of currency units, like "0.27"' })
  .transform((text) => parseMoney(text))
  .describe('Currency units per 1M tokens (or per request) as a decimal string, e.g. "0.27"');

/** A signed amount ("-3.00" debits) as a decimal string, parsed to micro-units. */
export const signedAmountInput = z
  .string()
  .regex(/^-?\d{1,12}(\.\d{1,6})?$/, {
    error: 'expected a signed decimal string of currency units, like "-3.50"',
  })
  .transform((text) => (text.startsWith('-') ? -parseMoney(text.slice(1)) : parseMoney(text)))
  .refine((micros) => micros !== 0, { error: 'must not be 0' })
  .describe('Signed currency units as a decimal string, e.g. "-3.50" debits');

/** Money in responses: decimal text with six places, next to the same amount in micro-units. */
export const moneyText = z
  .string()
  .describe('Currency units as a decimal string with six places, e.g. "12.500000"');
export const microUnits = z
  .number()
  .int()
  .describe('The same amount in integer micro-units (1 unit = 1,000,000)');

/** Formats micro-units for a response. */
export function money(micros: number): string {
  return formatMoney(micros);
}
