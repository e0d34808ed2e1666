import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError } from '../support/api-error.js';
import { errorCatalogue } from '../../src/errors/catalogue.js';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { assertMatchesOpenAISchema } from '../support/openai-schema.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

let upstream: MockUpstream;
let harness: TestGateway;
let key: string;
let now = Date.now();

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream();
  harness = await startTestGateway({
    upstreamBaseUrl: upstream.baseUrl,
    timeouts: { firstByteMilliseconds: 400, idleMilliseconds: 400 },
    now: () => now,
    extraYaml: `  - id: nowhere
    deployments: [{ provider: closed }]
  - id: no-deployment
`,
    // A provider on a port nothing listens on: connection refused.
    extraProvidersYaml: `  - name: closed
    baseUrl: http://127.0.0.1:9/v1`,
  });
  key = (await harness.createKey()).key;
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

beforeEach(() => {
  upstream.reset();
  now = Date.now();
});

const chat = { model: 'mock-chat', messages: [{ role: 'user' as const, content: 'Hi' }] };

/** Sends a raw request and checks the parts every error response must have. */
async function rawError(
  path: string,
  init: RequestInit,
  expectedStatus: number,
): Promise<{ code: string; message: string; param: string | null }> {
  const response = await fetch(`${harness.baseURL}${path}`, init);
  expect(response.status).toBe(expectedStatus);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('x-request-id')).toMatch(/^req_/);
  const body = (await response.json()) as {
    error: { code: string; message: string; param: string | null };
  };
  assertMatchesOpenAISchema('ErrorResponse', body);
  const code = body.error.code as keyof typeof errorCatalogue;
  expect(errorCatalogue[code]?.status, `code ${code} is in the catalogue with this status`).toBe(
    expectedStatus,
  );
  return body.error;
}

describe('400 Bad request', () => {
  it('missing model gives missing_required_parameter naming the parameter', async () => {
    const error = await apiError(
      harness.client(key).chat.completions.create({
        messages: chat.messages,
      } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe('missing_required_parameter');
    expect(error.param).toBe('model');
  });

  it('missing messages gives missing_required_parameter', async () => {
    const error = await rawError(
      '/chat/completions',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: 'mock-chat' }),
      },
      400,
    );
    expect(error).toMatchObject({ code: 'missing_required_parameter', param: 'messages' });
  });

  it('a body that is not JSON gives invalid_json', async () => {
    const error = await rawError(
      '/chat/completions',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: '{"model": "mock-chat",',
      },
      400,
    );
    expect(error.code).toBe('invalid_json');
  });

  it('an empty body gives invalid_json', async () => {
    const error = await rawError(
      '/chat/completions',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      },
      400,
    );
    expect(error.code).toBe('invalid_json');
  });

  it('a temperature outside 0-2 gives invalid_value that says the range', async () => {
    const error = await apiError(
      harness.client(key).chat.completions.create({ ...chat, temperature: 3 }),
    );
    expect(error.code).toBe('invalid_value');
    expect(error.param).toBe('temperature');
    expect(error.message).toContain('at most 2');
  });

  it('an upstream 400 for a bad parameter passes through with its message', async () => {
    upstream.enqueue({
      kind: 'error',
      status: 400,
      body: {
        error: {
          message: "Invalid 'top_p': must be <= 1.",
          type: 'invalid_request_error',
          param: 'top_p',
          code: 'invalid_value',
        },
      },
    });
    const error = await apiError(
      harness.client(key).chat.completions.create({ ...chat, top_p: 5 }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain("Invalid 'top_p'");
    expect(error.param).toBe('top_p');
  });
});

describe('upstream messages that are passed through', () => {
  it("never carry the upstream's address or secret", async () => {
    const origin = new URL(upstream.baseUrl).origin;
    upstream.enqueue({
      kind: 'error',
      status: 400,
      body: {
        error: {
          message: `Bad request to ${origin}/v1/chat/completions (key upstream-secret)`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    });
    const error = await apiError(harness.client(key).chat.completions.create(chat));
    expect(error.status).toBe(400);
    expect(error.message).toContain('[upstream]');
    expect(error.message).not.toContain(new URL(origin).host);
    expect(error.message).not.toContain('upstream-secret');
  });
});

describe('401 Invalid, expired, or disabled API key', () => {
  it('no key gives missing_api_key', async () => {
    const error = await rawError('/models', {}, 401);
    expect(error.code).toBe('missing_api_key');
    expect(error.message).toContain('Authorization: Bearer');
  });

  it('an unknown key gives invalid_api_key', async () => {
    const error = await apiError(harness.client('sk-unknown').chat.completions.create(chat));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe('invalid_api_key');
  });

  it('a disabled key gives api_key_disabled, also right after it is disabled', async () => {
    const created = await harness.createKey();
    await harness.client(created.key).models.list();
    await harness.gateway.store.apiKeys.setStatus(created.id, 'disabled');
    await harness.gateway.catalog.refresh();
    const error = await apiError(harness.client(created.key).chat.completions.create(chat));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe('api_key_disabled');
  });

  it('an expired key gives api_key_expired', async () => {
    const created = await harness.createKey({ expiresAt: now + 60_000 });
    await harness.client(created.key).models.list();
    now += 120_000;
    const error = await apiError(harness.client(created.key).chat.completions.create(chat));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe('api_key_expired');
  });
});

describe('403 No access to this model', () => {
  it("a model outside the key's allowlist gives model_not_allowed", async () => {
    const restricted = (await harness.createKey({ models: ['mock-embed'] })).key;
    const error = await apiError(harness.client(restricted).chat.completions.create(chat));
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error.code).toBe('model_not_allowed');
  });
});

describe('404', () => {
  it('an unknown model gives model_not_found', async () => {
    const error = await apiError(
      harness.client(key).chat.completions.create({ ...chat, model: 'gpt-17' }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.code).toBe('model_not_found');
  });

  it('an unknown route gives route_not_found in the same envelope', async () => {
    const error = await rawError(
      '/no/such/route',
      { headers: { authorization: `Bearer ${key}` } },
      404,
    );
    expect(error.code).toBe('route_not_found');
  });
});

describe('502 Upstream provider unavailable', () => {
  it('an upstream 500 gives upstream_unavailable naming the model and no upstream address', async () => {
    upstream.enqueue(
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
    );
    const error = await apiError(harness.client(key).chat.completions.create(chat));
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).toContain("'mock-chat'");
    expect(error.message).not.toContain('127.0.0.1');
    expect(error.message).not.toContain('upstream-secret');
  });

  it('an upstream that does not answer in time gives upstream_timeout', async () => {
    upstream.setDefault({ kind: 'hang' });
    const error = await apiError(harness.client(key).chat.completions.create(chat));
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_timeout');
  });

  it('an upstream that refuses connections gives upstream_unavailable without its address', async () => {
    const error = await apiError(
      harness.client(key).chat.completions.create({ ...chat, model: 'nowhere' }),
    );
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_unavailable');
    expect(error.message).not.toMatch(/127\.0\.0\.1|:9\b|ECONNREFUSED/);
  });

  it('a model with no deployment gives upstream_unavailable', async () => {
    const error = await apiError(
      harness.client(key).chat.completions.create({ ...chat, model: 'no-deployment' }),
    );
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_unavailable');
  });

  it('malformed upstream JSON gives 502 and costs nothing', async () => {
    upstream.enqueue({ kind: 'malformed-json' });
    const { response } = await harness
      .client(key)
      .chat.completions.create(chat)
      .withResponse()
      .catch((caught: APIError) => ({ response: caught }));
    const error = response as unknown as APIError;
    expect(error.status).toBe(502);
    expect(error.code).toBe('upstream_unavailable');
    const records = await harness.usageRecords();
    expect(records[0]).toMatchObject({ status: 502, errorCode: 'upstream_unavailable', cost: 0 });
  });

  it('a stream that breaks after the first byte ends with an OpenAI-style error event', async () => {
    upstream.enqueue({ kind: 'broken-sse' });
    const stream = await harness.client(key).chat.completions.create({ ...chat, stream: true });
    const received: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().catch((caught: unknown) => caught);
    expect(received.length).toBe(1);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('could not read');
  });

  it('a stream reset mid-way ends with an error event, and only delivered tokens are billed', async () => {
    upstream.enqueue({ kind: 'reset-mid-stream', afterChunks: 3 });
    const { data: stream, request_id: requestId } = await harness
      .client(key)
      .chat.completions.create({ ...chat, stream: true })
      .withResponse();
    const error = await (async () => {
      for await (const chunk of stream) void chunk;
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    await expect
      .poll(
        async () =>
          (await harness.usageRecords()).find((record) => record.requestId === requestId)
            ?.errorCode,
      )
      .toBe('upstream_unavailable');
    const record = (await harness.usageRecords()).find(
      (candidate) => candidate.requestId === requestId,
    );
    expect(record?.completionTokens).toBeGreaterThan(0);
    expect(record?.completionTokens).toBeLessThan(9);
  });
});

describe('500 Internal server error', () => {
  it('a fault inside the gateway gives internal_error with no internals in the message', async () => {
    // A second gateway whose database is closed under it: a real failure, not a stubbed one.
    const broken = await startTestGateway({ upstreamBaseUrl: upstream.baseUrl });
    const fresh = await broken.createKey();
    await broken.gateway.store.close();
    try {
      const error = await apiError(broken.client(fresh.key).chat.completions.create(chat));
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error.status).toBe(500);
      expect(error.code).toBe('internal_error');
      expect(error.message).toMatch(/request id req_/);
      expect(error.message).not.toMatch(/sqlite|database|at .*\.ts/i);
    } finally {
      await broken.gateway.app.close();
      broken.gateway.catalog.stop();
    }
  });
});
