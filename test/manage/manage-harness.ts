import { createSession } from '../../src/auth/sessions.js';
import type { AccountRecord, Role } from '../../src/store/records.js';
import {
  startTestGateway,
  type TestGateway,
  type TestGatewayOptions,
} from '../support/test-gateway.js';

/** How a test request authenticates. */
export type Auth =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  | { kind: 'session'; token: string; csrfToken: string; sendCsrf?: boolean };

export interface Answer {
  status: number;
  headers: Headers;
  // Tests read whatever shape the route answers with.
  body: Record<string, unknown>;
  text: string;
}

/** The cast of the role tests: admin, two agents, each with one user. */
export interface Cast {
  admin: AccountRecord;
  agentA: AccountRecord;
  agentB: AccountRecord;
  userA: AccountRecord;
  userB: AccountRecord;
}

export const adminToken = 'test-admin-token-0123456789abcdef0123456789';

export interface ManageHarness {
  gateway: TestGateway;
  cast: Cast;
  /** Sends a management request; `path` is relative to /api/manage. */
  call(auth: Auth, method: string, path: string, body?: unknown): Promise<Answer>;
  /** A fresh session for an account, made directly in the store (no password hashing). */
  sessionFor(account: AccountRecord): Promise<Auth>;
  /** Creates an account directly in the store. */
  account(username: string, role: Role, parentId?: number | null): Promise<AccountRecord>;
  /** Puts credit into a wallet directly in the store. */
  fund(account: AccountRecord, micros: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a gateway with the admin token set, and the cast of accounts. */
export async function startManageHarness(
  options: Partial<TestGatewayOptions> = {},
): Promise<ManageHarness> {
  const gateway = await startTestGateway({
    upstreamBaseUrl: 'http://127.0.0.1:9/v1',
    ...options,
    environment: { SWITCHYARD_ADMIN_TOKEN: adminToken, ...options.environment },
  });
  const store = gateway.gateway.store;
  const account = (username: string, role: Role, parentId: number | null = null) =>
    store.accounts.create({ username, role, parentId });
  const admin = await store.accounts.findByUsername('admin');
  if (!admin) throw new Error('the test gateway made no admin account');
  const agentA = await account('agent-a', 'agent');
  const agentB = await account('agent-b', 'agent');
  const cast: Cast = {
    admin,
    agentA,
    agentB,
    userA: await account('user-a', 'user', agentA.id),
    userB: await account('user-b', 'user', agentB.id),
  };
  return {
    gateway,
    cast,
    async call(auth, method, path, body) {
      const headers: Record<string, string> = {};
      if (auth.kind === 'token') headers.authorization = `Bearer ${auth.token}`;
      if (auth.kind === 'session') {
        headers.cookie = `switchyard_session=${auth.token}`;
        if (auth.sendCsrf !== false) headers['x-csrf-token'] = auth.csrfToken;
      }
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${gateway.url}/api/manage${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      const parsed: unknown = text.length > 0 ? JSON.parse(text) : {};
      return {
        status: response.status,
        headers: response.headers,
        body: parsed as Record<string, unknown>,
        text,
      };
    },
    async sessionFor(target) {
      const { token, record } = await createSession(store.sessions, target.id, Date.now());
      return { kind: 'session', token, csrfToken: record.csrfToken };
    },
    account,
    async fund(target, micros) {
      await store.wallets.move({
        accountId: target.id,
        amount: micros,
        kind: 'topup',
        actorAccountId: null,
        reason: 'test funds',
      });
    },
    close: () => gateway.close(),
  };
}
