import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite-store.js';
import {
  createSession,
  endSession,
  findSession,
  hashSessionToken,
  secretsEqual,
  sessionLifetimeMilliseconds,
} from './sessions.js';

let store: Store;
let accountId: number;

beforeAll(async () => {
  store = openSqliteStore(':memory:');
  await store.migrate();
  accountId = (await store.accounts.create({ username: 'someone', role: 'user' })).id;
});

afterAll(async () => {
  await store.close();
});

describe('sessions', () => {
  it('issues a 32-byte token and stores only its SHA-256', async () => {
    const now = 1_700_000_000_000;
    const { token, record } = await createSession(store.sessions, accountId, now);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(record.tokenHash).toBe(hashSessionToken(token));
    expect(record.tokenHash).not.toContain(token);
    expect(Buffer.from(record.csrfToken, 'base64url')).toHaveLength(32);
    expect(record.expiresAt).toBe(now + sessionLifetimeMilliseconds);
    const stored = await store.sessions.find(record.tokenHash);
    expect(stored).toEqual(record);
  });

  it('finds a live session by its token, and not after seven days', async () => {
    const now = 1_700_000_000_000;
    const { token, record } = await createSession(store.sessions, accountId, now);
    expect(await findSession(store.sessions, token, now + 1000)).toEqual(record);
    expect(await findSession(store.sessions, token, now + sessionLifetimeMilliseconds)).toBe(
      undefined,
    );
  });

  it('does not find malformed or unknown tokens', async () => {
    expect(await findSession(store.sessions, 'short', 0)).toBe(undefined);
    expect(await findSession(store.sessions, 'a'.repeat(43), 0)).toBe(undefined);
  });

  it('ends a session', async () => {
    const { token } = await createSession(store.sessions, accountId, 0);
    await endSession(store.sessions, token);
    expect(await findSession(store.sessions, token, 1)).toBe(undefined);
  });

  it('compares secrets of any length', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abd')).toBe(false);
    expect(secretsEqual('abc', 'abcd')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });
});
