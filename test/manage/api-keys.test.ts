import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { adminToken, startManageHarness, type Auth, type ManageHarness } from './manage-harness.js';

let upstream: MockUpstream;
let harness: ManageHarness;
let admin: Auth;
let agentA: Auth;
let userA: Auth;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream();
  harness = await startManageHarness({ upstreamBaseUrl: upstream.baseUrl });
  admin = { kind: 'token', token: adminToken };
  agentA = await harness.sessionFor(harness.cast.agentA);
  userA = await harness.sessionFor(harness.cast.userA);
  await harness.fund(harness.cast.userA, 10_000_000);
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

async function chat(key: string): Promise<{ status: number; code: unknown }> {
  const response = await fetch(`${harness.gateway.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-chat', messages: [{ role: 'user', content: 'Hi' }] }),
  });
  const body = (await response.json()) as { error?: { code: unknown } };
  return { status: response.status, code: body.error?.code };
}

describe('API keys through the management API', () => {
  let key: string;
  let keyId: number;

  it('creates a key for yourself; the key is shown once and works on the relay at once', async () => {
    const created = await harness.call(userA, 'POST', '/keys', {
      name: 'laptop',
      models: ['mock-chat'],
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(created.status).toBe(201);
    key = created.body.key as string;
    keyId = created.body.id as number;
    expect(key).toMatch(/^sk-[0-9A-Za-z]{43}$/);
    expect(created.body).toMatchObject({
      accountId: harness.cast.userA.id,
      name: 'laptop',
      prefix: key.slice(0, 10),
      status: 'active',
      models: ['mock-chat'],
    });
    expect(created.text).not.toContain(hashApiKey(key));
    expect((await chat(key)).status).toBe(200);

    const shown = await harness.call(userA, 'GET', `/keys/${keyId}`);
    const listed = await harness.call(userA, 'GET', '/keys');
    for (const answer of [shown, listed]) {
      expect(answer.text).not.toContain(key);
      expect(answer.text).not.toContain(hashApiKey(key));
      expect(answer.text).not.toMatch(/keyHash|key_hash/);
    }
    expect(listed.body.data).toEqual([expect.objectContaining({ id: keyId })]);
  });

  it('disabling a key stops it at once; enabling brings it back', async () => {
    const disabled = await harness.call(userA, 'PATCH', `/keys/${keyId}`, { status: 'disabled' });
    expect(disabled.body).toMatchObject({ status: 'disabled' });
    expect(await chat(key)).toEqual({ status: 401, code: 'api_key_disabled' });
    await harness.call(userA, 'PATCH', `/keys/${keyId}`, { status: 'active' });
    expect((await chat(key)).status).toBe(200);
  });

  it('changing the allowlist applies at once', async () => {
    await harness.call(userA, 'PATCH', `/keys/${keyId}`, { models: ['mock-embed'] });
    expect(await chat(key)).toEqual({ status: 403, code: 'model_not_allowed' });
    const all = await harness.call(userA, 'PATCH', `/keys/${keyId}`, { models: null });
    expect(all.body).toMatchObject({ models: null });
    expect((await chat(key)).status).toBe(200);
  });

  it('deleting a key stops it at once', async () => {
    const deleted = await harness.call(userA, 'DELETE', `/keys/${keyId}`);
    expect(deleted.status).toBe(204);
    expect(await chat(key)).toEqual({ status: 401, code: 'invalid_api_key' });
    expect((await harness.call(userA, 'GET', `/keys/${keyId}`)).status).toBe(404);
  });

  it('checks model ids, expiry and names', async () => {
    const unknownModel = await harness.call(userA, 'POST', '/keys', {
      models: ['mock-chat', 'no-such-model'],
    });
    expect(unknownModel.body).toMatchObject({
      error: { code: 'invalid_value', param: 'models[1]' },
    });
    const past = await harness.call(userA, 'POST', '/keys', { expiresAt: '2020-01-01' });
    expect(past.body).toMatchObject({ error: { code: 'invalid_value', param: 'expiresAt' } });
    const badTime = await harness.call(userA, 'POST', '/keys', { expiresAt: 'tomorrow' });
    expect(badTime.body).toMatchObject({ error: { param: 'expiresAt' } });
    const empty = await harness.call(userA, 'POST', '/keys', { models: [] });
    expect(empty.body).toMatchObject({ error: { param: 'models' } });
  });

  it('lets an agent set limits on its user’s keys, but not a user on its own', async () => {
    const byUser = await harness.call(userA, 'POST', '/keys', { limits: { rpm: 100000 } });
    expect(byUser.status).toBe(403);
    const byAgent = await harness.call(agentA, 'POST', '/keys', {
      accountId: harness.cast.userA.id,
      limits: { rpm: 60, dailySpend: '5.00' },
    });
    expect(byAgent.status).toBe(201);
    expect(byAgent.body).toMatchObject({
      limits: { rpm: 60, dailySpend: '5.000000', dailySpendMicros: 5_000_000 },
    });
    const ownKeyOfAgent = await harness.call(agentA, 'POST', '/keys', { limits: { rpm: 1 } });
    expect(ownKeyOfAgent.status).toBe(403);
    // A user's account without default limits has none to share among its keys.
    const change = await harness.call(userA, 'PATCH', `/keys/${byAgent.body.id as number}`, {
      limits: { rpm: 60 },
    });
    expect(change.status).toBe(403);
  });

  it('needs an accountId from the admin token, which has no account of its own', async () => {
    const answer = await harness.call(admin, 'POST', '/keys', { name: 'x' });
    expect(answer.body).toMatchObject({
      error: { code: 'missing_required_parameter', param: 'accountId' },
    });
    const everything = await harness.call(admin, 'GET', '/keys');
    expect((everything.body.data as unknown[]).length).toBeGreaterThan(0);
  });

  it('lists only your own keys unless you name a managed account', async () => {
    const ownKeys = await harness.call(agentA, 'GET', '/keys');
    expect(ownKeys.body.data).toEqual([]);
    const userKeys = await harness.call(agentA, 'GET', `/keys?accountId=${harness.cast.userA.id}`);
    expect((userKeys.body.data as unknown[]).length).toBeGreaterThan(0);
  });
});
