import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../auth/sessions.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite-store.js';
import { authenticate } from './principal.js';

let store: Store;
const token = 'a-management-admin-token-of-32-chars-or-more';

beforeAll(async () => {
  store = openSqliteStore(':memory:');
  await store.migrate();
});

afterAll(async () => {
  await store.close();
});

function request(method: string, headers: Record<string, string>): FastifyRequest {
  return { method, headers } as unknown as FastifyRequest;
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('authenticate', () => {
  it('takes the admin token as the system admin', async () => {
    const principal = await authenticate(request('POST', { authorization: `Bearer ${token}` }), {
      store,
      adminToken: token,
      now: Date.now,
    });
    expect(principal).toMatchObject({ via: 'admin_token', role: 'admin', account: null });
  });

  it('refuses every bearer token when no admin token is configured', async () => {
    const error = await refusal(
      authenticate(request('GET', { authorization: `Bearer ${token}` }), {
        store,
        adminToken: undefined,
        now: Date.now,
      }),
    );
    expect(error.code).toBe('invalid_credentials');
  });

  it('refuses other schemes and near misses', async () => {
    for (const authorization of [
      `Basic ${token}`,
      `Bearer ${token}x`,
      `Bearer ${token.slice(1)}`,
    ]) {
      const error = await refusal(
        authenticate(request('GET', { authorization }), {
          store,
          adminToken: token,
          now: Date.now,
        }),
      );
      expect(error.code).toBe('invalid_credentials');
    }
  });

  it('takes a session cookie, and wants the CSRF token only for changes', async () => {
    const account = await store.accounts.create({ username: 'cookie-user', role: 'user' });
    const issued = await createSession(store.sessions, account.id, Date.now());
    const cookie = `other=1; switchyard_session=${issued.token}`;
    const dependencies = { store, adminToken: token, now: Date.now };
    const read = await authenticate(request('GET', { cookie }), dependencies);
    expect(read).toMatchObject({ via: 'session', role: 'user', label: 'cookie-user' });
    const unsafe = await refusal(authenticate(request('DELETE', { cookie }), dependencies));
    expect(unsafe.code).toBe('csrf_token_invalid');
    const change = await authenticate(
      request('DELETE', { cookie, 'x-csrf-token': issued.record.csrfToken }),
      dependencies,
    );
    expect(change.account?.id).toBe(account.id);
  });

  it('asks anonymous callers to sign in', async () => {
    const error = await refusal(
      authenticate(request('GET', {}), { store, adminToken: token, now: Date.now }),
    );
    expect(error.code).toBe('authentication_required');
    expect(error.status).toBe(401);
  });
});
