import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionRepository } from '../store/money-contract.js';
import type { SessionRecord } from '../store/money-records.js';

/** How long a dashboard session lasts from login; there is no sliding renewal. */
export const sessionLifetimeMilliseconds = 7 * 24 * 60 * 60 * 1000;

/** A session as the browser holds it: the token goes in the cookie, the CSRF token in headers. */
export interface IssuedSession {
  token: string;
  record: SessionRecord;
}

/**
 * SHA-256 of a session token. Tokens carry 256 random bits, so a fast hash is enough: a copy of
 * the sessions table alone cannot be replayed as cookies.
 */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Starts a session for an account: 32 random bytes of token, stored only as its hash. */
export async function createSession(
  sessions: SessionRepository,
  accountId: number,
  now: number,
): Promise<IssuedSession> {
  const token = randomBytes(32).toString('base64url');
  const record: SessionRecord = {
    tokenHash: hashSessionToken(token),
    accountId,
    csrfToken: randomBytes(32).toString('base64url'),
    expiresAt: now + sessionLifetimeMilliseconds,
    createdAt: now,
  };
  await sessions.create(record);
  return { token, record };
}

/** The live session a token names; undefined when unknown or expired. */
export async function findSession(
  sessions: SessionRepository,
  token: string,
  now: number,
): Promise<SessionRecord | undefined> {
  // A token is 43 base64url characters; anything else cannot be one, so skip the database.
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const record = await sessions.find(hashSessionToken(token));
  if (!record || record.expiresAt <= now) return undefined;
  return record;
}

/** Ends the session a token names, if there is one. */
export async function endSession(sessions: SessionRepository, token: string): Promise<void> {
  await sessions.delete(hashSessionToken(token));
}

/** Compares two secrets in constant time; lengths are hidden by hashing both first. */
export function secretsEqual(presented: string, expected: string): boolean {
  const left = createHash('sha256').update(presented).digest();
  const right = createHash('sha256').update(expected).digest();
  return timingSafeEqual(left, right);
}
