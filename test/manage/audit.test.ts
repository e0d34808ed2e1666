import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { adminToken, startManageHarness, type Auth, type ManageHarness } from './manage-harness.js';

interface AuditEvent {
  id: number;
  actorAccountId: number | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
}

const providerSecret = 'sk-provider-secret-for-audit-test';
const userPassword = 'an-audited-password-123';
let harness: ManageHarness;
let admin: Auth;
let agentA: Auth;
let createdKey: string;

beforeAll(async () => {
  harness = await startManageHarness();
  admin = { kind: 'token', token: adminToken };
  agentA = await harness.sessionFor(harness.cast.agentA);
  await harness.fund(harness.cast.agentA, 10_000_000);
  const { userA } = harness.cast;
  // One change of every kind, by the admin token and by agent A.
  const changes: Array<[Auth, string, string, unknown]> = [
    [agentA, 'POST', '/accounts', { username: 'audited-user', password: userPassword }],
    [agentA, 'PATCH', `/accounts/${userA.id}`, { email: 'a@example.com' }],
    [admin, 'POST', `/accounts/${userA.id}/wallet/topup`, { amount: '3' }],
    [admin, 'POST', `/accounts/${userA.id}/wallet/adjust`, { amount: '-1', reason: 'fix' }],
    [agentA, 'POST', `/accounts/${userA.id}/wallet/transfer`, { amount: '1.5' }],
    [agentA, 'POST', `/accounts/${userA.id}/wallet/suspend`, { reason: 'late' }],
    [agentA, 'POST', `/accounts/${userA.id}/wallet/resume`, undefined],
    [
      admin,
      'POST',
      '/providers',
      { name: 'audited', baseUrl: 'http://127.0.0.1:9/v1', apiKey: providerSecret },
    ],
    [admin, 'POST', '/models', { id: 'audited-model', prices: { input: '1' } }],
    [admin, 'PATCH', '/models/audited-model', { prices: { output: '2' } }],
  ];
  for (const [auth, method, path, body] of changes) {
    const answer = await harness.call(auth, method, path, body);
    expect(answer.status, `${method} ${path}: ${answer.text}`).toBeLessThan(300);
  }
  const key = await harness.call(agentA, 'POST', '/keys', { accountId: userA.id, name: 'audited' });
  createdKey = key.body.key as string;
  const keyId = key.body.id as number;
  await harness.call(agentA, 'PATCH', `/keys/${keyId}`, { status: 'disabled' });
  await harness.call(agentA, 'DELETE', `/keys/${keyId}`);
  const providers = await harness.call(admin, 'GET', '/providers');
  const audited = (providers.body.data as Array<{ id: number; name: string }>).find(
    (provider) => provider.name === 'audited',
  );
  await harness.call(admin, 'PATCH', `/providers/${audited?.id ?? 0}`, {
    apiKey: `${providerSecret}-2`,
  });
  await harness.call(admin, 'PATCH', `/accounts/${userA.id}`, { password: 'reset-by-the-admin-1' });
});

afterAll(async () => {
  await harness.close();
});

async function events(): Promise<{ list: AuditEvent[]; text: string }> {
  const answer = await harness.call(admin, 'GET', '/audit?limit=200');
  expect(answer.status).toBe(200);
  return { list: answer.body.data as AuditEvent[], text: answer.text };
}

describe('the audit log', () => {
  it('has an event for every change, with who made it', async () => {
    const { list } = await events();
    const actions = list.map((event) => event.action);
    for (const action of [
      'account.create',
      'account.update',
      'wallet.topup',
      'wallet.adjust',
      'wallet.transfer',
      'wallet.suspend',
      'wallet.resume',
      'api_key.create',
      'api_key.update',
      'api_key.delete',
      'provider.create',
      'provider.update',
      'model.create',
      'model.update',
    ]) {
      expect(actions, action).toContain(action);
    }
    const transfer = list.find((event) => event.action === 'wallet.transfer');
    expect(transfer).toMatchObject({
      actorAccountId: harness.cast.agentA.id,
      actorLabel: 'agent-a',
      targetType: 'wallet',
      targetId: String(harness.cast.userA.id),
      after: { amount: '1.500000', to: { accountId: harness.cast.userA.id } },
    });
    const topup = list.find((event) => event.action === 'wallet.topup');
    expect(topup).toMatchObject({ actorAccountId: null, actorLabel: 'admin token' });
    expect(topup?.before).toMatchObject({ balanceMicros: expect.any(Number) as number });
    const update = list.find(
      (event) => event.action === 'account.update' && event.actorLabel === 'agent-a',
    );
    expect(update).toMatchObject({ before: { email: null }, after: { email: 'a@example.com' } });
    const reset = list.find(
      (event) => event.action === 'account.update' && event.actorLabel === 'admin token',
    );
    expect(reset?.after).toMatchObject({ passwordChanged: true });
  });

  it('never holds secrets, keys, hashes or passwords', async () => {
    const { text } = await events();
    const store = harness.gateway.gateway.store;
    const account = await store.accounts.findByUsername('audited-user');
    for (const forbidden of [
      providerSecret,
      createdKey,
      hashApiKey(createdKey),
      userPassword,
      'reset-by-the-admin-1',
      account?.passwordHash ?? 'scrypt$',
      'scrypt$',
      'apiKeyEncrypted',
      'keyHash',
      'passwordHash',
    ]) {
      expect(text).not.toContain(forbidden);
    }
  });

  it('pages with a cursor, newest first', async () => {
    const first = await harness.call(admin, 'GET', '/audit?limit=2');
    const page = first.body.data as AuditEvent[];
    expect(page).toHaveLength(2);
    expect(page[0]?.id).toBeGreaterThan(page[1]?.id ?? Infinity);
    const next = await harness.call(
      admin,
      'GET',
      `/audit?limit=2&cursor=${String(first.body.nextCursor)}`,
    );
    expect((next.body.data as AuditEvent[])[0]?.id).toBeLessThan(page[1]?.id ?? 0);
  });

  it('is for admins only', async () => {
    expect((await harness.call(agentA, 'GET', '/audit')).status).toBe(403);
  });
});
