import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/** Model aliases: resolution, allowlists, the model list, and usage under the canonical id. */
let upstream: MockUpstream;
let harness: TestGateway;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream();
  harness = await startTestGateway({
    upstreamBaseUrl: upstream.baseUrl,
    extraYaml: `  - id: gpt-4o-mini
    aliases: [fast, mini]
    prices: { input: "0.15", output: "0.60" }
    deployments:
      - { provider: mock, upstreamModel: upstream-mini }
`,
  });
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

beforeEach(() => upstream.reset());

async function keyFor(models?: string[]) {
  const created = await harness.createKey(models === undefined ? {} : { models });
  return harness.client(created.key);
}

const messages = [{ role: 'user' as const, content: 'Hi' }];

async function refusal(promise: Promise<unknown>): Promise<APIError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(APIError);
  return caught as APIError;
}

describe('model aliases', () => {
  it('resolve to the model: its deployment, its upstream name, usage under its canonical id', async () => {
    const client = await keyFor();
    const { request_id: requestId } = await client.chat.completions
      .create({ model: 'fast', messages })
      .withResponse();
    expect((upstream.requests[0]?.body as { model?: unknown }).model).toBe('upstream-mini');
    const record = (await harness.usageRecords()).find((item) => item.requestId === requestId);
    expect(record?.modelId).toBe('gpt-4o-mini');
    expect(record?.cost).toBeGreaterThan(0);
  });

  it('are listed by GET /v1/models as entries of their own, and retrievable', async () => {
    const client = await keyFor();
    const ids = (await client.models.list()).data.map((model) => model.id);
    expect(ids).toEqual(['gpt-4o-mini', 'fast', 'mini', 'mock-chat', 'mock-embed']);
    expect(await client.models.retrieve('mini')).toMatchObject({ id: 'mini', object: 'model' });
  });

  it('an allowlist naming an alias grants the model under every name, and lists only it', async () => {
    const client = await keyFor(['fast']);
    for (const model of ['fast', 'mini', 'gpt-4o-mini']) {
      await client.chat.completions.create({ model, messages });
    }
    expect(upstream.requests).toHaveLength(3);
    const ids = (await client.models.list()).data.map((model) => model.id);
    expect(ids).toEqual(['gpt-4o-mini', 'fast', 'mini']);
    const error = await refusal(client.chat.completions.create({ model: 'mock-chat', messages }));
    expect(error.status).toBe(403);
    expect(error.code).toBe('model_not_allowed');
  });

  it('an allowlist naming the canonical id grants its aliases too', async () => {
    const client = await keyFor(['gpt-4o-mini']);
    await client.chat.completions.create({ model: 'mini', messages });
    expect(upstream.requests).toHaveLength(1);
  });

  it('a restricted key still cannot probe for names that do not exist', async () => {
    const client = await keyFor(['fast']);
    const error = await refusal(client.chat.completions.create({ model: 'no-such', messages }));
    expect(error.status).toBe(403);
  });

  it('a model id always wins over another model’s alias of the same name', async () => {
    const store = harness.gateway.store;
    const prices = { input: 0, output: 0, cachedInput: 0, perRequest: 0 };
    // Written directly (as the CLI or another tool might), bypassing the configuration's check.
    await store.catalog.upsertModel(
      { id: 'zz-shadow', kind: 'chat', prices, aliases: ['mock-chat', 'shadow'] },
      { replace: false },
    );
    await harness.gateway.catalog.refresh();
    expect(harness.gateway.catalog.model('mock-chat')?.id).toBe('mock-chat');
    expect(harness.gateway.catalog.model('shadow')?.id).toBe('zz-shadow');
    expect(harness.gateway.catalog.model('zz-shadow')?.aliases).toEqual(['shadow']);
  });
});
