import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, hashSessionToken } from '../../src/auth/sessions.js';
import { adminToken, startManageHarness, type Auth, type ManageHarness } from './manage-harness.js';

// Signing in with a real password costs about a second of scrypt here, so this file signs in
// as the bootstrap admin (whose password the test gateway sets) a few times only.

const adminPassword = 'test-admin-password';
let harness: ManageHarness;

beforeAll(async () => {
  harness = await startManageHarness({ environment: { SWITCHYARD_TRUST_PROXY: 'true' } });
});

afterAll(async () => {
  await harness.close();
});

async function signIn(
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${harness.gateway.url}/api/manage/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });
}

function cookieToken(response: Response): string {
  const cookie = response.headers.get('set-cookie') ?? '';
  const match = /^switchyard_session=([^;]+);/.exec(cookie);
  expect(match, cookie).not.toBeNull();
  return match?.[1] ?? '';
}

describe('signing in', () => {
  let token: string;
  let csrfToken: string;

  it('sets an HttpOnly, SameSite=Lax session cookie and answers the account and CSRF token', async () => {
    const response = await signIn('admin', adminPassword);
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain(`Max-Age=${7 * 24 * 3600}`);
    // Plain HTTP: a Secure cookie would never come back.
    expect(cookie).not.toContain('Secure');
    const body = (await response.json()) as {
      account: { username: string; role: string };
      csrfToken: string;
    };
    expect(body.account).toMatchObject({ username: 'admin', role: 'admin' });
    expect(body.account).not.toHaveProperty('passwordHash');
    token = cookieToken(response);
    csrfToken = body.csrfToken;
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('stores the session token only as its SHA-256', async () => {
    const store = harness.gateway.gateway.store;
    expect(await store.sessions.find(hashSessionToken(token))).toMatchObject({ csrfToken });
    expect(await store.sessions.find(token)).toBe(undefined);
  });

  it('answers who is signed in, with the same CSRF token', async () => {
    const auth: Auth = { kind: 'session', token, csrfToken, sendCsrf: false };
    const answer = await harness.call(auth, 'GET', '/session');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      authenticatedBy: 'session',
      role: 'admin',
      csrfToken,
      account: { username: 'admin' },
    });
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('marks the cookie Secure when the request came over HTTPS through a trusted proxy', async () => {
    const response = await signIn('admin', adminPassword, { 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const auth: Auth = { kind: 'session', token, csrfToken };
    const answer = await harness.call(auth, 'DELETE', '/session');
    expect(answer.status).toBe(204);
    expect(answer.headers.get('set-cookie')).toContain('Max-Age=0');
    const after = await harness.call(auth, 'GET', '/session');
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ error: { code: 'authentication_required' } });
  });

  it('refuses a wrong password and an unknown username with the same answer', async () => {
    const [wrong, unknown] = await Promise.all([
      signIn('admin', 'not-the-password'),
      signIn('nobody-at-all', 'whatever-password'),
    ]);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [wrongBody, unknownBody] = (await Promise.all([wrong.json(), unknown.json()])) as [
      { error: { code: string; message: string } },
      { error: { code: string; message: string } },
    ];
    expect(wrongBody.error.code).toBe('invalid_credentials');
    expect(unknownBody.error).toEqual(wrongBody.error);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });
});

describe('login throttling', () => {
  it('answers 429 with Retry-After after 5 failed sign-ins for a username, even with the right password', async () => {
    // An account whose password is the admin's, without paying for another hash.
    const store = harness.gateway.gateway.store;
    await store.accounts.create({
      username: 'throttled-user',
      role: 'user',
      passwordHash: harness.cast.admin.passwordHash,
    });
    const failures = await Promise.all(
      [1, 2, 3, 4, 5].map(() => signIn('throttled-user', 'wrong-password-guess')),
    );
    expect(failures.map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);
    const locked = await signIn('throttled-user', 'wrong-password-guess');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await locked.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('too_many_login_attempts');
    expect(body.error.message).toMatch(/Try again in \d+ seconds/);
    const right = await signIn('throttled-user', adminPassword);
    expect(right.status).toBe(429);
    expect(right.headers.get('set-cookie')).toBeNull();
  });
});

describe('CSRF protection of cookie sessions', () => {
  let session: Extract<Auth, { kind: 'session' }>;

  beforeAll(async () => {
    const issued = await createSession(
      harness.gateway.gateway.store.sessions,
      harness.cast.agentA.id,
      Date.now(),
    );
    session = { kind: 'session', token: issued.token, csrfToken: issued.record.csrfToken };
  });

  const change = () => ({ username: `csrf-user-${Math.random().toString(36).slice(2, 8)}` });

  it('refuses a change without the x-csrf-token header (403)', async () => {
    const answer = await harness.call(
      { ...session, sendCsrf: false },
      'POST',
      '/accounts',
      change(),
    );
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ error: { code: 'csrf_token_invalid' } });
  });

  it('refuses a change with a wrong token (403)', async () => {
    const answer = await harness.call(
      { ...session, csrfToken: 'x'.repeat(43) },
      'PATCH',
      `/accounts/${harness.cast.userA.id}`,
      { email: 'x@example.com' },
    );
    expect(answer.status).toBe(403);
  });

  it('accepts the change with the session’s token', async () => {
    const answer = await harness.call(session, 'PATCH', `/accounts/${harness.cast.userA.id}`, {
      email: 'csrf-ok@example.com',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ email: 'csrf-ok@example.com' });
  });

  it('needs no token to read, nor for the admin token', async () => {
    expect((await harness.call({ ...session, sendCsrf: false }, 'GET', '/accounts')).status).toBe(
      200,
    );
    const answer = await harness.call(
      { kind: 'token', token: adminToken },
      'PATCH',
      `/accounts/${harness.cast.userA.id}`,
      { email: 'token@example.com' },
    );
    expect(answer.status).toBe(200);
  });
});

describe('credentials that do not work', () => {
  it('refuses a wrong admin token and an API key with invalid_credentials', async () => {
    for (const token of ['wrong-token', `sk-${'a'.repeat(43)}`]) {
      const answer = await harness.call({ kind: 'token', token }, 'GET', '/accounts');
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ error: { code: 'invalid_credentials' } });
    }
  });

  it('refuses an expired session and the session of a disabled account', async () => {
    const store = harness.gateway.gateway.store;
    const eightDaysAgo = Date.now() - 8 * 24 * 3600 * 1000;
    const expired = await createSession(store.sessions, harness.cast.userB.id, eightDaysAgo);
    const expiredAnswer = await harness.call(
      { kind: 'session', token: expired.token, csrfToken: expired.record.csrfToken },
      'GET',
      '/session',
    );
    expect(expiredAnswer.status).toBe(401);

    const account = await harness.account('soon-disabled', 'user');
    const auth = await harness.sessionFor(account);
    expect((await harness.call(auth, 'GET', '/session')).status).toBe(200);
    await store.accounts.update(account.id, { status: 'disabled' });
    expect((await harness.call(auth, 'GET', '/session')).status).toBe(401);
  });

  it('answers anonymous callers 401 authentication_required, naming how to sign in', async () => {
    const answer = await harness.call({ kind: 'none' }, 'GET', '/accounts');
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'authentication_required' } });
    expect(JSON.stringify(answer.body)).toContain('POST /api/manage/session');
  });

  it('answers unknown management routes in the envelope, pointing at the document', async () => {
    const answer = await harness.call({ kind: 'none' }, 'GET', '/nothing-here');
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: 'route_not_found' } });
    expect(JSON.stringify(answer.body)).toContain('/api/manage/openapi.json');
  });
});
