import { randomUUID } from 'node:crypto';

/**
 * A request id clients can quote: `req_` and 32 hex digits, unguessable and unique across
 * instances. The first 12 digits are the time in milliseconds and the other 20 are random (80
 * bits), the layout of a UUIDv7. Time comes first so that ids sort by when they were made: the
 * id is also the key of the request's hold, usage record and ledger charge, and keys that arrive
 * in order go to the end of each index instead of to a random page of it. Scattered inserts
 * rewrite a different page each (a settlement batch touched a page per request, per index).
 */
export function newRequestId(now: number = Date.now()): string {
  // randomUUID draws from a cached entropy pool, so it is cheaper per call than randomBytes.
  // Its version and variant digits (the 13th and 17th) are not random, so they are left out.
  const random = randomUUID().replaceAll('-', '');
  const bits = `${random.slice(0, 12)}${random.slice(13, 16)}${random.slice(17)}`.slice(0, 20);
  return `req_${now.toString(16).padStart(12, '0')}${bits}`;
}
