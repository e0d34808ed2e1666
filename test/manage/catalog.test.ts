import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { adminToken, startManageHarness, type Auth, type ManageHarness } from './manage-harness.js';

const secret = 'sk-upstream-secret-that-must-never-come-back';
let upstream: MockUpstream;
let harness: ManageHarness;
let admin: Auth;
let userA: Auth;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream();
  harness = await startManageHarness({ upstreamBaseUrl: upstream.baseUrl });
  admin = { kind: 'token', token: adminToken };
  userA = await harness.sessionFor(harness.cast.userA);
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

describe('providers', () => {
  let providerId: number;

  it('creates a provider with its secret sealed, and never returns the secret', async () => {
    const created = await harness.call(admin, 'POST', '/providers', {
      name: 'second-mock',
      baseUrl: upstream.baseUrl,
      apiKey: secret,
      headers: { 'x-org': 'org-secret-value' },
    });
    expect(created.status).toBe(201);
    providerId = created.body.id as number;
    expect(created.body).toMatchObject({
      name: 'second-mock',
      hasApiKey: true,
      headerNames: ['x-org'],
      streamUsage: true,
      maxTokensField: 'max_tokens',
    });
    const listed = await harness.call(admin, 'GET', '/providers');
    for (const text of [created.text, listed.text]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('org-secret-value');
      expect(text).not.toContain('apiKeyEncrypted');
    }
    const stored = await harness.gateway.gateway.store.catalog.findProviderByName('second-mock');
    expect(stored?.apiKeyEncrypted).toMatch(/^v1:/);
    expect(stored?.apiKeyEncrypted).not.toContain(secret);
  });

  it('refuses a duplicate name (409) and a base URL that is not http(s) (400)', async () => {
    const duplicate = await harness.call(admin, 'POST', '/providers', {
      name: 'second-mock',
      baseUrl: upstream.baseUrl,
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ error: { code: 'already_exists', param: 'name' } });
    const badUrl = await harness.call(admin, 'POST', '/providers', {
      name: 'bad',
      baseUrl: 'ftp://example.com',
    });
    expect(badUrl.body).toMatchObject({ error: { code: 'invalid_value', param: 'baseUrl' } });
  });

  it('updates a provider, removing its secret with null', async () => {
    const updated = await harness.call(admin, 'PATCH', `/providers/${providerId}`, {
      apiKey: null,
      streamUsage: false,
    });
    expect(updated.body).toMatchObject({ hasApiKey: false, streamUsage: false });
    const restored = await harness.call(admin, 'PATCH', `/providers/${providerId}`, {
      apiKey: secret,
      streamUsage: true,
    });
    expect(restored.body).toMatchObject({ hasApiKey: true });
    expect((await harness.call(admin, 'PATCH', '/providers/99999', {})).status).toBe(404);
  });
});

describe('models', () => {
  it('lists models with prices as decimal strings and micro-units; deployments for admins only', async () => {
    const asUser = await harness.call(userA, 'GET', '/models');
    const chat = (asUser.body.data as Array<Record<string, unknown>>).find(
      (model) => model.id === 'mock-chat',
    );
    expect(chat).toMatchObject({
      kind: 'chat',
      prices: { input: '1.500000', output: '2.000000', cachedInput: '0.500000' },
      pricesMicros: { input: 1_500_000, output: 2_000_000 },
    });
    expect(chat).not.toHaveProperty('deployments');
    const asAdmin = await harness.call(admin, 'GET', '/models');
    const adminChat = (asAdmin.body.data as Array<Record<string, unknown>>).find(
      (model) => model.id === 'mock-chat',
    );
    expect(adminChat?.deployments).toEqual([
      expect.objectContaining({ providerName: 'mock', upstreamModel: 'upstream-chat' }),
    ]);
  });

  it('creates a model routed to a provider; the relay serves it at once', async () => {
    const created = await harness.call(admin, 'POST', '/models', {
      id: 'vendor/new-model',
      prices: { input: '0.27', output: '1.10' },
      contextWindow: 64000,
      deployments: [{ provider: 'second-mock', upstreamModel: 'upstream-chat' }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'vendor/new-model',
      prices: { input: '0.270000', output: '1.100000', cachedInput: '0.270000' },
      pricesMicros: { input: 270_000 },
      contextWindow: 64000,
      deployments: [expect.objectContaining({ providerName: 'second-mock', priority: 0 })],
    });
    await harness.fund(harness.cast.userA, 5_000_000);
    const { key } = await harness.gateway.createKey({ username: 'user-a' });
    const response = await fetch(`${harness.gateway.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'vendor/new-model',
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    });
    expect(response.status).toBe(200);
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${secret}`);
  });

  it('changes only the prices given, addressing a model id with a slash URL-encoded', async () => {
    const updated = await harness.call(admin, 'PATCH', '/models/vendor%2Fnew-model', {
      prices: { output: '2.20' },
      maxOutputTokens: 8000,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      prices: { input: '0.270000', output: '2.200000' },
      maxOutputTokens: 8000,
      contextWindow: 64000,
    });
  });

  it('adds or updates a deployment', async () => {
    const added = await harness.call(admin, 'POST', '/models/vendor%2Fnew-model/deployments', {
      provider: 'mock',
      upstreamModel: 'upstream-chat',
      priority: 5,
      weight: 2,
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ providerName: 'mock', priority: 5, weight: 2 });
    const changed = await harness.call(admin, 'POST', '/models/vendor%2Fnew-model/deployments', {
      provider: 'mock',
      upstreamModel: 'upstream-chat',
      priority: 1,
    });
    expect(changed.body).toMatchObject({ id: added.body.id, priority: 1, weight: 1 });
  });

  it('refuses duplicates, unknown providers and unknown models', async () => {
    const duplicate = await harness.call(admin, 'POST', '/models', {
      id: 'mock-chat',
      prices: {},
    });
    expect(duplicate.status).toBe(409);
    const unknownProvider = await harness.call(admin, 'POST', '/models', {
      id: 'orphan',
      prices: {},
      deployments: [{ provider: 'nowhere' }],
    });
    expect(unknownProvider.body).toMatchObject({
      error: { code: 'invalid_value', param: 'deployments[0].provider' },
    });
    expect(await harness.gateway.gateway.store.catalog.findModel('orphan')).toBe(undefined);
    const missing = await harness.call(admin, 'PATCH', '/models/no-such-model', { kind: 'chat' });
    expect(missing.status).toBe(404);
    const badPrice = await harness.call(admin, 'PATCH', '/models/mock-chat', {
      prices: { input: 0.5 },
    });
    expect(badPrice.body).toMatchObject({ error: { param: 'prices.input' } });
  });
});

describe('testing a provider’s connection', () => {
  async function providerAt(name: string, baseUrl: string, apiKey?: string): Promise<number> {
    const created = await harness.call(admin, 'POST', '/providers', {
      name,
      baseUrl,
      ...(apiKey === undefined ? {} : { apiKey }),
    });
    expect(created.status).toBe(201);
    return created.body.id as number;
  }

  it('reaches the provider, lists its models, and says so', async () => {
    const id = await providerAt('reachable', upstream.baseUrl, 'sk-any');
    const answer = await harness.call(admin, 'POST', `/providers/${id}/test`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, status: 200 });
    expect(answer.body.models).toBeGreaterThan(0);
    expect(answer.body.message).toContain('accepted the key');
  });

  it('reports a refused key as a failed test naming the key, without the key itself', async () => {
    const guarded = await startMockOpenAIUpstream({ requireApiKey: 'sk-the-right-one' });
    try {
      const id = await providerAt('wrong-key', guarded.baseUrl, secret);
      const answer = await harness.call(admin, 'POST', `/providers/${id}/test`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ ok: false, status: 401, models: null });
      expect(answer.body.message).toContain('Check the provider’s API key');
      expect(answer.text).not.toContain(secret);
    } finally {
      await guarded.close();
    }
  });

  it('reports an unreachable host as a failed test without a status', async () => {
    const id = await providerAt('unreachable', 'http://127.0.0.1:9/v1');
    const answer = await harness.call(admin, 'POST', `/providers/${id}/test`);
    expect(answer.body).toMatchObject({ ok: false, status: null, models: null });
    expect(answer.body.message).toContain('Could not connect');
  });

  it('answers 404 for an unknown provider', async () => {
    const answer = await harness.call(admin, 'POST', '/providers/987654/test');
    expect(answer.status).toBe(404);
  });
});

describe('editing a deployment', () => {
  it('disables a deployment so the relay stops using it, and enables it again', async () => {
    const store = harness.gateway.gateway.store;
    const mock = await store.catalog.findProviderByName('mock');
    const deployment = (await store.catalog.listDeployments()).find(
      (candidate) => candidate.modelId === 'mock-chat' && candidate.providerId === mock?.id,
    );
    if (!deployment) throw new Error('no mock-chat deployment');
    const { key } = await harness.gateway.createKey();
    const client = harness.gateway.client(key);
    const ask = () =>
      client.chat.completions.create({
        model: 'mock-chat',
        messages: [{ role: 'user', content: 'hi' }],
      });

    const disabled = await harness.call(admin, 'PATCH', `/deployments/${deployment.id}`, {
      enabled: false,
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({
      id: deployment.id,
      enabled: false,
      providerName: 'mock',
    });
    await expect(ask()).rejects.toMatchObject({ status: 502 });

    const enabled = await harness.call(admin, 'PATCH', `/deployments/${deployment.id}`, {
      enabled: true,
      weight: 3,
    });
    expect(enabled.body).toMatchObject({ enabled: true, weight: 3, priority: deployment.priority });
    expect((await ask()).choices[0]?.message.content).toBeTruthy();
  });

  it('refuses an empty change and answers 404 for an unknown deployment', async () => {
    const empty = await harness.call(admin, 'PATCH', '/deployments/1', {});
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ error: { code: 'invalid_value' } });
    const unknown = await harness.call(admin, 'PATCH', '/deployments/987654', { weight: 2 });
    expect(unknown.status).toBe(404);
  });
});

describe('settings', () => {
  it('shows every setting with its source, and withholds secrets', async () => {
    const answer = await harness.call(admin, 'GET', '/settings');
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain(adminToken);
    const settings = (
      answer.body.sections as Array<{ settings: Array<Record<string, unknown>> }>
    ).flatMap((section) => section.settings);
    expect(settings.find((setting) => setting.key === 'adminToken')).toEqual({
      key: 'adminToken',
      value: '[set]',
      source: 'environment',
      environmentVariable: 'SWITCHYARD_ADMIN_TOKEN',
    });
    expect(settings.find((setting) => setting.key === 'limits.defaults.rpm')).toMatchObject({
      value: 600,
      source: 'default',
      environmentVariable: 'SWITCHYARD_DEFAULT_RPM',
    });
    expect(answer.body).toMatchObject({
      database: { kind: 'sqlite' },
      redis: { configured: false },
    });
    expect(answer.body.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
