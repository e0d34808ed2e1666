import { MalformedUpstreamError } from './contract.js';

/** A JSON object as it came from outside: every value unknown until looked at. */
export type JsonObject = Record<string, unknown>;

/** True for plain JSON objects (not arrays, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses upstream JSON text that must be an object, or throws `MalformedUpstreamError`. */
export function parseUpstreamObject(text: string, what: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MalformedUpstreamError(`the upstream sent ${what} that is not valid JSON`);
  }
  if (!isJsonObject(parsed)) {
    throw new MalformedUpstreamError(`the upstream sent ${what} that is not a JSON object`);
  }
  return parsed;
}

/** A non-negative integer field, or 0 when absent or of the wrong type. */
export function countField(object: JsonObject | undefined, field: string): number {
  const value = object?.[field];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}
