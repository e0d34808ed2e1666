import { MalformedUpstreamError } from '../providers/contract.js';
import { UpstreamTransportError } from '../upstream/upstream-client.js';
import type { FailureCategory } from './circuit.js';

/**
 * What an error raised while reading an upstream's answer says about the deployment: a category
 * to count against it, or undefined when it says nothing (the client went away, a gateway bug).
 * Errors the relay wrapped for the client are looked through to their cause.
 */
export function failureCategoryOf(error: unknown): FailureCategory | undefined {
  for (let current = error, depth = 0; current !== undefined && depth < 4; depth++) {
    if (current instanceof MalformedUpstreamError) return 'malformed_output';
    if (current instanceof UpstreamTransportError) {
      if (current.kind === 'timeout') return 'timeout';
      return current.kind === 'unavailable' ? 'connect_error' : undefined;
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

/** The category for an upstream status that is not a success and not the client's mistake. */
export function statusCategory(status: number): FailureCategory {
  if (status === 429) return 'rate_limited';
  return status >= 500 ? 'server_error' : 'rejected';
}

/**
 * How long the upstream asked to be left alone, from `retry-after-ms` (OpenAI's) or
 * `retry-after` (seconds or an HTTP date); undefined when it did not say.
 */
export function retryAfterMilliseconds(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  now: number,
): number | undefined {
  const milliseconds = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(milliseconds)) {
    return Math.max(0, milliseconds);
  }
  const value = headers['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
