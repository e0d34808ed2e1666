import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  mockEmbeddingFor,
  startMockOpenAIUpstream,
  type MockUpstream,
} from '../support/mock-openai-upstream.js';
import { assertMatchesOpenAISchema } from '../support/openai-schema.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

let upstream: MockUpstream;
let harness: TestGateway;
let key: string;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ embeddingDimensions: 16 });
  harness = await startTestGateway({
    upstreamBaseUrl: upstream.baseUrl,
    extraYaml: `  - id: org/model-with-slash
    deployments: [{ provider: mock }]`,
  });
  key = (await harness.createKey()).key;
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

beforeEach(() => upstream.reset());

describe('POST /api/v1/embeddings', () => {
  it('returns float vectors when asked for floats', async () => {
    const response = await harness.client(key).embeddings.create({
      model: 'mock-embed',
      input: 'Hello world',
      encoding_format: 'float',
    });
    assertMatchesOpenAISchema('CreateEmbeddingResponse', response);
    expect(response.data[0]?.embedding).toEqual(mockEmbeddingFor('Hello world', 16));
    expect((upstream.requests[0]?.body as { model: string }).model).toBe('upstream-embed');
  });

  it("serves the SDK's default base64 encoding, which the SDK decodes to the same vector", async () => {
    const response = await harness
      .client(key)
      .embeddings.create({ model: 'mock-embed', input: 'Hello world' });
    expect((upstream.requests[0]?.body as { encoding_format: string }).encoding_format).toBe(
      'base64',
    );
    expect(response.data[0]?.embedding).toEqual(mockEmbeddingFor('Hello world', 16));
    expect(response.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('passes dimensions through and embeds each input of an array', async () => {
    const response = await harness.client(key).embeddings.create({
      model: 'mock-embed',
      input: ['first', 'second'],
      dimensions: 4,
      encoding_format: 'float',
    });
    expect((upstream.requests[0]?.body as { dimensions: number }).dimensions).toBe(4);
    expect(response.data.map((item) => item.embedding)).toEqual([
      mockEmbeddingFor('first', 4),
      mockEmbeddingFor('second', 4),
    ]);
  });

  it('answers base64 even when the upstream can only send floats', async () => {
    const floatsOnly = await startMockOpenAIUpstream({
      ignoreEncodingFormat: true,
      embeddingDimensions: 8,
    });
    const gateway = await startTestGateway({ upstreamBaseUrl: floatsOnly.baseUrl });
    try {
      const client = gateway.client((await gateway.createKey()).key);
      const raw = await fetch(`${gateway.baseURL}/embeddings`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${(await gateway.createKey()).key}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ model: 'mock-embed', input: 'abc', encoding_format: 'base64' }),
      });
      const body = (await raw.json()) as { data: Array<{ embedding: unknown }> };
      expect(typeof body.data[0]?.embedding).toBe('string');
      const decoded = await client.embeddings.create({ model: 'mock-embed', input: 'abc' });
      expect(decoded.data[0]?.embedding).toEqual(mockEmbeddingFor('abc', 8));
    } finally {
      await gateway.close();
      await floatsOnly.close();
    }
  });

  it('records embedding usage priced on input tokens', async () => {
    const { request_id: requestId } = await harness
      .client(key)
      .embeddings.create({ model: 'mock-embed', input: 'price me', encoding_format: 'float' })
      .withResponse();
    const record = (await harness.usageRecords()).find(
      (candidate) => candidate.requestId === requestId,
    );
    expect(record).toMatchObject({ modelId: 'mock-embed', status: 200, completionTokens: 0 });
    expect(record?.promptTokens).toBeGreaterThan(0);
    expect(record?.cost).toBeGreaterThan(0);
  });

  it('rejects a chat model on the embeddings route with a message that says where to send it', async () => {
    const error = await harness
      .client(key)
      .embeddings.create({ model: 'mock-chat', input: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, code: 'invalid_value' });
  });
});

describe('GET /api/v1/models', () => {
  it('lists models in OpenAI list format', async () => {
    const page = await harness.client(key).models.list();
    const ids = page.data.map((model) => model.id);
    expect(ids).toEqual(['mock-chat', 'mock-embed', 'org/model-with-slash']);
    const raw = await (
      await fetch(`${harness.baseURL}/models`, { headers: { authorization: `Bearer ${key}` } })
    ).json();
    assertMatchesOpenAISchema('ListModelsResponse', raw);
    expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'mock' });
  });

  it("lists only the models on the key's allowlist", async () => {
    const restricted = (await harness.createKey({ models: ['mock-embed'] })).key;
    const page = await harness.client(restricted).models.list();
    expect(page.data.map((model) => model.id)).toEqual(['mock-embed']);
  });

  it('retrieves one model, including ids with a slash', async () => {
    const model = await harness.client(key).models.retrieve('mock-chat');
    assertMatchesOpenAISchema('Model', model);
    expect(model.id).toBe('mock-chat');
    const slashed = await fetch(`${harness.baseURL}/models/org/model-with-slash`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(((await slashed.json()) as { id: string }).id).toBe('org/model-with-slash');
    const encoded = await harness.client(key).models.retrieve('org/model-with-slash');
    expect(encoded.id).toBe('org/model-with-slash');
  });

  it('answers 404 model_not_found for an unknown model or one the key may not use', async () => {
    const unknown = await harness
      .client(key)
      .models.retrieve('nope')
      .catch((caught: unknown) => caught);
    expect(unknown).toMatchObject({ status: 404, code: 'model_not_found' });
    const restricted = (await harness.createKey({ models: ['mock-embed'] })).key;
    const hidden = await harness
      .client(restricted)
      .models.retrieve('mock-chat')
      .catch((caught: unknown) => caught);
    expect(hidden).toMatchObject({ status: 404, code: 'model_not_found' });
  });
});
