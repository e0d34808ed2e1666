import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/api-keys.js';
import { issueRechargeCodes } from '../../src/billing/recharge-codes.js';
import type { AccountRecord } from '../../src/store/records.js';
import { DocumentedSchemas } from './documented-schemas.js';
import { adminToken, startManageHarness, type Auth, type ManageHarness } from './manage-harness.js';

// Every management route, run as every kind of caller, with the exact status each must get.
// The target of account-scoped routes is agent A's user: agent A manages it, agent B and B's user
// must not even learn that it exists (404), and the user itself can look but not touch (403).

const roles = [
  'adminToken',
  'adminSession',
  'agentA',
  'agentB',
  'userA',
  'userB',
  'anonymous',
] as const;
type RoleName = (typeof roles)[number];

interface Request {
  method: string;
  path: string;
  body?: unknown;
  /** Replaces the role's usual credentials (a fresh session to end, say). */
  auth?: Auth;
}

interface Row {
  /** The route as registered: method and path template. */
  route: string;
  request: (role: RoleName) => Promise<Request> | Request;
  /** Statuses in the order of `roles`. */
  expect: readonly [number, number, number, number, number, number, number];
}

let harness: ManageHarness;
let auth: Record<RoleName, Auth>;
let accountOf: Record<Exclude<RoleName, 'anonymous' | 'adminToken'>, AccountRecord>;
let userA: AccountRecord;
let keyOfUserA: number;
let requestOfUserA: string;
let mockProviderId: number;
let mockDeploymentId: number;
let counter = 0;
let documented: DocumentedSchemas;

async function keyFor(account: AccountRecord): Promise<number> {
  const { record: key } = await issueApiKey(harness.gateway.gateway.store.apiKeys, {
    accountId: account.id,
    name: 'fixture',
  });
  return key.id;
}

beforeAll(async () => {
  harness = await startManageHarness();
  const { cast } = harness;
  userA = cast.userA;
  accountOf = {
    adminSession: cast.admin,
    agentA: cast.agentA,
    agentB: cast.agentB,
    userA: cast.userA,
    userB: cast.userB,
  };
  auth = {
    adminToken: { kind: 'token', token: adminToken },
    adminSession: await harness.sessionFor(cast.admin),
    agentA: await harness.sessionFor(cast.agentA),
    agentB: await harness.sessionFor(cast.agentB),
    userA: await harness.sessionFor(cast.userA),
    userB: await harness.sessionFor(cast.userB),
    anonymous: { kind: 'none' },
  };
  await harness.fund(cast.agentA, 100_000_000);
  await harness.fund(cast.agentB, 100_000_000);
  keyOfUserA = await keyFor(userA);
  requestOfUserA = 'req_roles_user_a';
  const store = harness.gateway.gateway.store;
  await store.usage.insertMany([
    {
      requestId: requestOfUserA,
      accountId: userA.id,
      apiKeyId: keyOfUserA,
      modelId: 'mock-chat',
      deploymentId: null,
      promptTokens: 10,
      completionTokens: 5,
      cachedTokens: 0,
      cost: 25,
      status: 200,
      errorCode: null,
      latencyMilliseconds: 12,
      firstTokenMilliseconds: null,
      stream: false,
      createdAt: Date.now(),
    },
  ]);
  const mock = await store.catalog.findProviderByName('mock');
  if (!mock) throw new Error('the test gateway has no mock provider');
  mockProviderId = mock.id;
  const [deployment] = (await store.catalog.listDeployments()).filter(
    (candidate) => candidate.providerId === mock.id,
  );
  if (!deployment) throw new Error('the test gateway has no mock deployment');
  mockDeploymentId = deployment.id;
  const document = await harness.call({ kind: 'none' }, 'GET', '/openapi.json');
  documented = new DocumentedSchemas(
    document.body as unknown as ConstructorParameters<typeof DocumentedSchemas>[0],
  );
});

afterAll(async () => {
  await harness.close();
});

const unique = (prefix: string) => `${prefix}-${++counter}`;
const a = () => `/accounts/${userA.id}`;

const rows: Row[] = [
  {
    route: 'GET /session',
    request: () => ({ method: 'GET', path: '/session' }),
    expect: [200, 200, 200, 200, 200, 200, 401],
  },
  {
    route: 'POST /session',
    // Public; an incomplete body shows it validates without costing a password hash per role.
    request: () => ({ method: 'POST', path: '/session', body: { username: 'nobody' } }),
    expect: [400, 400, 400, 400, 400, 400, 400],
  },
  {
    route: 'DELETE /session',
    request: async (role) => {
      const account = role === 'anonymous' || role === 'adminToken' ? null : accountOf[role];
      return {
        method: 'DELETE',
        path: '/session',
        ...(account ? { auth: await harness.sessionFor(account) } : {}),
      };
    },
    expect: [204, 204, 204, 204, 204, 204, 401],
  },
  {
    route: 'GET /accounts',
    request: () => ({ method: 'GET', path: '/accounts' }),
    expect: [200, 200, 200, 200, 200, 200, 401],
  },
  {
    route: 'POST /accounts',
    request: () => ({
      method: 'POST',
      path: '/accounts',
      body: { username: unique('created'), password: 'a-long-enough-password' },
    }),
    expect: [201, 201, 201, 201, 403, 403, 401],
  },
  {
    route: 'GET /accounts/:id',
    request: () => ({ method: 'GET', path: a() }),
    expect: [200, 200, 200, 404, 200, 404, 401],
  },
  {
    route: 'PATCH /accounts/:id',
    request: () => ({ method: 'PATCH', path: a(), body: { email: 'a@example.com' } }),
    expect: [200, 200, 200, 404, 200, 404, 401],
  },
  {
    route: 'PATCH /accounts/:id',
    request: () => ({ method: 'PATCH', path: a(), body: { status: 'active' } }),
    expect: [200, 200, 403, 404, 403, 404, 401],
  },
  {
    route: 'PATCH /accounts/:id',
    request: () => ({ method: 'PATCH', path: a(), body: { defaultLimits: { rpm: 600 } } }),
    expect: [200, 200, 200, 404, 403, 404, 401],
  },
  {
    route: 'GET /accounts/:id/wallet',
    request: () => ({ method: 'GET', path: `${a()}/wallet` }),
    expect: [200, 200, 200, 404, 200, 404, 401],
  },
  {
    route: 'GET /accounts/:id/wallet/ledger',
    request: () => ({ method: 'GET', path: `${a()}/wallet/ledger?limit=5` }),
    expect: [200, 200, 200, 404, 200, 404, 401],
  },
  {
    route: 'POST /accounts/:id/wallet/topup',
    request: () => ({ method: 'POST', path: `${a()}/wallet/topup`, body: { amount: '1.00' } }),
    expect: [200, 200, 403, 404, 403, 404, 401],
  },
  {
    route: 'POST /accounts/:id/wallet/adjust',
    request: () => ({
      method: 'POST',
      path: `${a()}/wallet/adjust`,
      body: { amount: '-0.01', reason: 'correction' },
    }),
    expect: [200, 200, 403, 404, 403, 404, 401],
  },
  {
    route: 'POST /accounts/:id/wallet/transfer',
    request: () => ({
      method: 'POST',
      path: `${a()}/wallet/transfer`,
      body: { fromAccountId: harness.cast.agentA.id, amount: '0.01' },
    }),
    expect: [200, 200, 200, 404, 403, 404, 401],
  },
  {
    route: 'POST /accounts/:id/wallet/suspend',
    request: () => ({ method: 'POST', path: `${a()}/wallet/suspend` }),
    expect: [200, 200, 200, 404, 403, 404, 401],
  },
  {
    route: 'POST /accounts/:id/wallet/resume',
    request: () => ({ method: 'POST', path: `${a()}/wallet/resume`, body: {} }),
    expect: [200, 200, 200, 404, 403, 404, 401],
  },
  {
    route: 'GET /keys',
    request: () => ({ method: 'GET', path: `/keys?accountId=${userA.id}` }),
    expect: [200, 200, 200, 404, 200, 404, 401],
  },
  {
    route: 'POST /keys',
    request: () => ({ method: 'POST', path: '/keys', body: { accountId: userA.id, name: 'k' } }),
    expect: [201, 201, 201, 404, 201, 404, 401],
  },
  {
    route: 'GET /keys/:id',
    request: () => ({ method: 'GET', path: `/keys/${keyOfUserA}` }),
    expect: [200, 200, 200, 404, 200, 404, 401],
  },
  {
    route: 'PATCH /keys/:id',
    request: () => ({ method: 'PATCH', path: `/keys/${keyOfUserA}`, body: { name: 'renamed' } }),
    expect: [200, 200, 200, 404, 200, 404, 401],
  },
  {
    route: 'DELETE /keys/:id',
    request: async () => ({ method: 'DELETE', path: `/keys/${await keyFor(userA)}` }),
    expect: [204, 204, 204, 404, 204, 404, 401],
  },
  {
    route: 'GET /models',
    request: () => ({ method: 'GET', path: '/models' }),
    expect: [200, 200, 200, 200, 200, 200, 401],
  },
  {
    route: 'POST /models',
    request: () => ({
      method: 'POST',
      path: '/models',
      body: { id: unique('model'), prices: { input: '1', output: '2' } },
    }),
    expect: [201, 201, 403, 403, 403, 403, 401],
  },
  {
    route: 'PATCH /models/:id',
    request: () => ({ method: 'PATCH', path: '/models/mock-embed', body: { contextWindow: 8192 } }),
    expect: [200, 200, 403, 403, 403, 403, 401],
  },
  {
    route: 'POST /models/:id/deployments',
    request: () => ({
      method: 'POST',
      path: '/models/mock-embed/deployments',
      body: { provider: 'mock', upstreamModel: 'upstream-embed' },
    }),
    expect: [201, 201, 403, 403, 403, 403, 401],
  },
  {
    route: 'GET /providers',
    request: () => ({ method: 'GET', path: '/providers' }),
    expect: [200, 200, 403, 403, 403, 403, 401],
  },
  {
    route: 'POST /providers',
    request: () => ({
      method: 'POST',
      path: '/providers',
      body: { name: unique('provider'), baseUrl: 'http://127.0.0.1:9/v1' },
    }),
    expect: [201, 201, 403, 403, 403, 403, 401],
  },
  {
    route: 'PATCH /providers/:id',
    request: () => ({
      method: 'PATCH',
      path: `/providers/${mockProviderId}`,
      body: { streamUsage: true },
    }),
    expect: [200, 200, 403, 403, 403, 403, 401],
  },
  {
    route: 'POST /providers/:id/test',
    request: () => ({ method: 'POST', path: `/providers/${mockProviderId}/test` }),
    expect: [200, 200, 403, 403, 403, 403, 401],
  },
  {
    route: 'PATCH /deployments/:id',
    request: () => ({
      method: 'PATCH',
      path: `/deployments/${mockDeploymentId}`,
      body: { weight: 1 },
    }),
    expect: [200, 200, 403, 403, 403, 403, 401],
  },
  {
    route: 'GET /settings',
    request: () => ({ method: 'GET', path: '/settings' }),
    expect: [200, 200, 403, 403, 403, 403, 401],
  },
  {
    route: 'GET /usage/summary',
    request: () => ({ method: 'GET', path: `/usage/summary?groupBy=model&accountId=${userA.id}` }),
    expect: [200, 200, 200, 404, 200, 404, 401],
  },
  {
    route: 'GET /usage/records',
    request: () => ({ method: 'GET', path: `/usage/records?accountId=${userA.id}` }),
    expect: [200, 200, 200, 404, 200, 404, 401],
  },
  {
    route: 'GET /usage/records/:requestId',
    request: () => ({ method: 'GET', path: `/usage/records/${requestOfUserA}` }),
    expect: [200, 200, 200, 404, 200, 404, 401],
  },
  {
    route: 'GET /deployments/health',
    request: () => ({ method: 'GET', path: '/deployments/health' }),
    expect: [200, 200, 403, 403, 403, 403, 401],
  },
  {
    route: 'GET /audit',
    request: () => ({ method: 'GET', path: '/audit' }),
    expect: [200, 200, 403, 403, 403, 403, 401],
  },
  {
    route: 'POST /recharge-codes',
    request: () => ({
      method: 'POST',
      path: '/recharge-codes',
      body: {
        count: 1,
        amount: '1.00',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    }),
    // The admin token has no account to issue from; agents pay from their own funded wallets.
    expect: [403, 201, 201, 201, 403, 403, 401],
  },
  {
    route: 'GET /recharge-codes',
    request: () => ({ method: 'GET', path: '/recharge-codes' }),
    expect: [200, 200, 200, 200, 403, 403, 401],
  },
  {
    route: 'POST /recharge-codes/redeem',
    request: async () => {
      const batch = await issueRechargeCodes(harness.gateway.gateway.store, {
        issuerAccountId: accountOf.adminSession.id,
        issuerRole: 'admin',
        count: 1,
        amount: 1_000_000,
        expiresAt: Date.now() + 86_400_000,
      });
      return {
        method: 'POST',
        path: '/recharge-codes/redeem',
        body: { code: batch.codes[0]?.code },
      };
    },
    // Anyone with a wallet redeems into it; the admin token has none.
    expect: [403, 200, 200, 200, 200, 200, 401],
  },
  {
    route: 'GET /openapi.json',
    request: () => ({ method: 'GET', path: '/openapi.json' }),
    expect: [200, 200, 200, 200, 200, 200, 200],
  },
];

describe('every management route, for every role', () => {
  it('covers every route the OpenAPI document lists', async () => {
    const document = await harness.call({ kind: 'none' }, 'GET', '/openapi.json');
    const paths = document.body.paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations).map(
        (method) =>
          `${method.toUpperCase()} ${path.replace('/api/manage', '').replace(/\{(\w+)\}/g, ':$1')}`,
      ),
    );
    expect(new Set(rows.map((row) => row.route))).toEqual(new Set(documented));
  });

  describe.each(rows.map((row, index) => ({ ...row, index })))('$route (#$index)', (row) => {
    it.each(roles.map((role, index) => ({ role, status: row.expect[index] as number })))(
      '$role → $status',
      async ({ role, status }) => {
        const request = await row.request(role);
        const answer = await harness.call(
          request.auth ?? auth[role],
          request.method,
          request.path,
          request.body,
        );
        expect(answer.status, answer.text).toBe(status);
        // What was sent is what the OpenAPI document promises.
        if (status < 300) documented.check(row.route, status, answer.body);
        if (status >= 400) {
          expect(answer.body).toMatchObject({
            error: { message: expect.any(String) as string, code: expect.any(String) as string },
          });
        }
      },
    );
  });
});
