import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import {
  mockEmbeddingFor,
  mockEmbeddingUsageFor,
  mockUsageFor,
  startMockOpenAIUpstream,
} from './mock-openai-upstream.js';
import type { MockUpstream } from './mock-openai-upstream.js';

interface ChatChunk {
  id: string;
  object: string;
  created: number;
  model: string;
  system_fingerprint: string;
  choices: Array<{
    index: number;
    delta: {
      role?: string;
      content?: string | null;
      refusal?: null;
      tool_calls?: Array<{
        index: number;
        id?: string;
        type?: string;
        function: { name?: string; arguments: string };
      }>;
    };
    logprobs: null;
    finish_reason: string | null;
  }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

interface EmbeddingResponse {
  object: string;
  data: Array<{ object: string; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

const MESSAGES = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hello' },
];
const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: { type: 'object', properties: { location: { type: 'string' } } },
    },
  },
];

function post(
  url: string,
  body: unknown,
  extra: { headers?: Record<string, string>; signal?: AbortSignal } = {},
) {
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...extra.headers },
    body: JSON.stringify(body),
    signal: extra.signal,
  });
}

/** Splits an SSE body into its `data:` payloads, `[DONE]` included. */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.length > 0)
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      return event.slice('data: '.length);
    });
}

function parseChunks(data: string[]): ChatChunk[] {
  return data.slice(0, -1).map((payload) => JSON.parse(payload) as ChatChunk);
}

async function waitFor(condition: () => boolean, timeoutMilliseconds = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('mock OpenAI upstream', () => {
  let upstream: MockUpstream;

  beforeAll(async () => {
    upstream = await startMockOpenAIUpstream();
  });
  afterEach(() => {
    upstream.reset();
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('binds to loopback and lists the mock model', async () => {
    expect(upstream.baseUrl).toBe(`http://127.0.0.1:${upstream.port}/v1`);
    const res = await request(`${upstream.baseUrl}/models`);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({
      object: 'list',
      data: [{ id: 'mock-model', object: 'model', created: 1700000000, owned_by: 'mock' }],
    });
  });

  it('answers a non-stream chat completion with OpenAI shape and deterministic usage', async () => {
    const body = { model: 'gpt-4o-mini', messages: MESSAGES };
    const res = await post(`${upstream.baseUrl}/chat/completions`, body, {
      headers: { authorization: 'Bearer sk-test' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const json = (await res.body.json()) as Record<string, unknown>;
    expect(json.id).toMatch(/^chatcmpl-mock-\d+$/);
    expect(typeof json.created).toBe('number');
    // 23 content characters -> 6, plus 3 per message; 7 words in the default reply.
    expect(mockUsageFor(body, 'Hello! How can I help you today?')).toEqual({
      prompt_tokens: 12,
      completion_tokens: 7,
    });
    expect(json).toEqual({
      id: json.id,
      object: 'chat.completion',
      created: json.created,
      model: 'gpt-4o-mini',
      system_fingerprint: 'fp_mock',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hello! How can I help you today?',
            refusal: null,
          },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 7,
        total_tokens: 19,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      body,
      rawBody: JSON.stringify(body),
    });
    expect(upstream.requests[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('truncates to max_tokens words with finish_reason length', async () => {
    const body = { model: 'm', messages: MESSAGES, max_tokens: 3 };
    const res = await post(`${upstream.baseUrl}/chat/completions`, body);
    const json = (await res.body.json()) as {
      choices: Array<{ message: { content: string }; finish_reason: string }>;
      usage: { completion_tokens: number };
    };
    expect(json.choices[0]?.message.content).toBe('Hello! How can');
    expect(json.choices[0]?.finish_reason).toBe('length');
    expect(json.usage.completion_tokens).toBe(3);
    expect(mockUsageFor(body, 'Hello! How can I help you today?').completion_tokens).toBe(3);
  });

  it('answers with a tool call when tools are offered', async () => {
    const body = { model: 'm', messages: MESSAGES, tools: TOOLS };
    const res = await post(`${upstream.baseUrl}/chat/completions`, body);
    const json = (await res.body.json()) as {
      choices: Array<{ message: unknown; finish_reason: string }>;
      usage: { completion_tokens: number };
    };
    expect(json.choices[0]).toMatchObject({
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          {
            id: 'call_mock_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
          },
        ],
      },
      finish_reason: 'tool_calls',
    });
    // ceil('{"location":"Paris"}'.length / 4)
    expect(json.usage.completion_tokens).toBe(5);
    expect(mockUsageFor(body, 'ignored').completion_tokens).toBe(5);

    const none = await post(`${upstream.baseUrl}/chat/completions`, {
      ...body,
      tool_choice: 'none',
    });
    const noneJson = (await none.body.json()) as { choices: Array<{ finish_reason: string }> };
    expect(noneJson.choices[0]?.finish_reason).toBe('stop');
  });

  it('streams chunks in OpenAI order without usage', async () => {
    const res = await post(`${upstream.baseUrl}/chat/completions`, {
      model: 'm',
      messages: MESSAGES,
      stream: true,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const data = sseData(await res.body.text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = parseChunks(data);
    expect(chunks).toHaveLength(10);
    const [first, ...rest] = chunks;
    expect(first?.choices[0]).toEqual({
      index: 0,
      delta: { role: 'assistant', content: '', refusal: null },
      logprobs: null,
      finish_reason: null,
    });
    const last = rest.pop();
    expect(last?.choices[0]).toEqual({
      index: 0,
      delta: {},
      logprobs: null,
      finish_reason: 'stop',
    });
    expect(rest.map((chunk) => chunk.choices[0]?.delta.content).join('')).toBe(
      'Hello! How can I help you today?',
    );
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({
        id: first?.id,
        object: 'chat.completion.chunk',
        model: 'm',
        system_fingerprint: 'fp_mock',
      });
      expect('usage' in chunk).toBe(false);
    }
  });

  it('streams usage:null on every chunk and a final usage chunk when include_usage is set', async () => {
    const body = {
      model: 'm',
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    };
    const res = await post(`${upstream.baseUrl}/chat/completions`, body);
    const chunks = parseChunks(sseData(await res.body.text()));
    const usageChunk = chunks.pop();
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage).toEqual({
      prompt_tokens: 12,
      completion_tokens: 7,
      total_tokens: 19,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(usageChunk?.usage).toMatchObject(mockUsageFor(body, 'Hello! How can I help you today?'));
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    for (const chunk of chunks) expect(chunk.usage).toBeNull();
  });

  it('streams tool-call arguments in pieces that concatenate to the arguments', async () => {
    const res = await post(`${upstream.baseUrl}/chat/completions`, {
      model: 'm',
      messages: MESSAGES,
      tools: TOOLS,
      stream: true,
    });
    const chunks = parseChunks(sseData(await res.body.text()));
    const first = chunks.shift();
    const last = chunks.pop();
    expect(first?.choices[0]?.delta).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          index: 0,
          id: 'call_mock_1',
          type: 'function',
          function: { name: 'get_weather', arguments: '' },
        },
      ],
    });
    expect(chunks.length).toBeGreaterThan(1);
    const pieces = chunks.map((chunk) => {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      expect(call?.index).toBe(0);
      return call?.function.arguments ?? '';
    });
    expect(pieces.join('')).toBe('{"location":"Paris"}');
    expect(last?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });
  });

  it('returns float embeddings and base64 embeddings that decode to the same values', async () => {
    const body = { model: 'text-embedding-3-small', input: ['alpha', 'beta'], dimensions: 16 };
    const floatRes = await post(`${upstream.baseUrl}/embeddings`, body);
    const floats = (await floatRes.body.json()) as EmbeddingResponse;
    expect(floats.object).toBe('list');
    expect(floats.model).toBe('text-embedding-3-small');
    // ceil(5 / 4) + ceil(4 / 4)
    expect(floats.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(floats.usage).toEqual(mockEmbeddingUsageFor(body));
    expect(floats.data).toEqual([
      { object: 'embedding', index: 0, embedding: mockEmbeddingFor('alpha', 16) },
      { object: 'embedding', index: 1, embedding: mockEmbeddingFor('beta', 16) },
    ]);

    const base64Res = await post(`${upstream.baseUrl}/embeddings`, {
      ...body,
      encoding_format: 'base64',
    });
    const encoded = (await base64Res.body.json()) as EmbeddingResponse;
    const decoded = encoded.data.map((item) => {
      expect(typeof item.embedding).toBe('string');
      const bytes = Buffer.from(item.embedding as string, 'base64');
      return Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
    });
    expect(decoded).toEqual([mockEmbeddingFor('alpha', 16), mockEmbeddingFor('beta', 16)]);
  });

  it('embeds token arrays, uses the default dimensions, and produces Float32-exact values', async () => {
    const res = await post(`${upstream.baseUrl}/embeddings`, { model: 'e', input: [[1, 2, 3]] });
    const json = (await res.body.json()) as EmbeddingResponse;
    expect(json.data[0]?.embedding).toEqual(mockEmbeddingFor('[1,2,3]', 8));
    expect(json.usage.prompt_tokens).toBe(3);

    const vector = mockEmbeddingFor('hello', 32);
    expect(vector).toHaveLength(32);
    expect(Array.from(Float32Array.from(vector))).toEqual(vector);
    expect(mockEmbeddingFor('hello', 32)).toEqual(vector);
    expect(mockEmbeddingFor('hellp', 32)).not.toEqual(vector);
  });

  it('answers unknown routes with a 404 envelope', async () => {
    const res = await post(`${upstream.baseUrl}/nope`, {});
    expect(res.statusCode).toBe(404);
    expect(await res.body.json()).toEqual({
      error: {
        message: 'Invalid URL (POST /v1/nope)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  it('consumes queued behaviours in order, then falls back to the default', async () => {
    upstream.enqueue(
      { kind: 'error', status: 500 },
      {
        kind: 'error',
        status: 429,
        body: { error: { message: 'slow down' } },
        headers: { 'Retry-After': '1' },
      },
    );
    upstream.setDefault({ kind: 'error', status: 503, body: 'upstream unavailable' });
    const url = `${upstream.baseUrl}/chat/completions`;
    const body = { model: 'm', messages: MESSAGES };

    const first = await post(url, body);
    expect(first.statusCode).toBe(500);
    expect(await first.body.json()).toEqual({
      error: { message: 'Mock upstream error', type: 'server_error', param: null, code: null },
    });
    const second = await post(url, body);
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('1');
    expect(await second.body.json()).toEqual({ error: { message: 'slow down' } });
    const third = await post(url, body);
    expect(third.statusCode).toBe(503);
    expect(await third.body.text()).toBe('upstream unavailable');

    upstream.reset();
    const fourth = await post(url, body);
    expect(fourth.statusCode).toBe(200);
    await fourth.body.dump();
    expect(upstream.requests).toHaveLength(1);
  });

  it('sends malformed JSON and broken SSE on request', async () => {
    const url = `${upstream.baseUrl}/chat/completions`;
    upstream.enqueue({ kind: 'malformed-json' }, { kind: 'broken-sse' });
    const malformed = await post(url, { model: 'm', messages: MESSAGES });
    expect(malformed.statusCode).toBe(200);
    expect(malformed.headers['content-type']).toBe('application/json');
    expect(await malformed.body.text()).toBe('{"id": "chatcmpl-broken", "choices": [');

    const broken = await post(url, { model: 'm', messages: MESSAGES, stream: true });
    expect(broken.headers['content-type']).toBe('text/event-stream');
    const data = sseData(await broken.body.text());
    expect(data).toHaveLength(2);
    expect((JSON.parse(data[0] ?? '') as ChatChunk).object).toBe('chat.completion.chunk');
    expect(data[1]).toBe('{not json}');
  });

  it('delays before answering', async () => {
    upstream.enqueue({ kind: 'delay', milliseconds: 60 });
    const started = Date.now();
    const res = await post(`${upstream.baseUrl}/chat/completions`, { model: 'm', messages: [] });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('cuts the connection after the requested number of stream chunks', async () => {
    upstream.enqueue({ kind: 'reset-mid-stream', afterChunks: 3 });
    const res = await post(`${upstream.baseUrl}/chat/completions`, {
      model: 'm',
      messages: MESSAGES,
      stream: true,
    });
    expect(res.statusCode).toBe(200);
    let received = '';
    const reading = (async () => {
      for await (const chunk of res.body) received += String(chunk);
    })();
    await expect(reading).rejects.toThrow();
    const data = sseData(received);
    expect(data).toHaveLength(3);
    expect(data).not.toContain('[DONE]');
  });

  it('destroys the socket before headers on request', async () => {
    upstream.enqueue({ kind: 'reset-before-headers' });
    await expect(
      post(`${upstream.baseUrl}/chat/completions`, { model: 'm', messages: MESSAGES }),
    ).rejects.toThrow();
    const next = await post(`${upstream.baseUrl}/chat/completions`, { model: 'm', messages: [] });
    expect(next.statusCode).toBe(200);
    await next.body.dump();
  });
});

describe('mock OpenAI upstream options and lifecycle', () => {
  it('requires the configured API key', async () => {
    const upstream = await startMockOpenAIUpstream({ requireApiKey: 'sk-upstream' });
    try {
      const url = `${upstream.baseUrl}/chat/completions`;
      const body = { model: 'm', messages: MESSAGES };
      const denied = await post(url, body, { headers: { authorization: 'Bearer wrong' } });
      expect(denied.statusCode).toBe(401);
      expect(await denied.body.json()).toMatchObject({
        error: { type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
      });
      const allowed = await post(url, body, { headers: { authorization: 'Bearer sk-upstream' } });
      expect(allowed.statusCode).toBe(200);
      await allowed.body.dump();
    } finally {
      await upstream.close();
    }
  });

  it('honours replyText, chunkCount, chunk delays, omitUsage and omitStreamUsage', async () => {
    const upstream = await startMockOpenAIUpstream({
      replyText: 'one two three',
      chunkCount: 2,
      chunkDelayMilliseconds: 20,
      omitUsage: true,
      omitStreamUsage: true,
    });
    try {
      const url = `${upstream.baseUrl}/chat/completions`;
      const plain = await post(url, { model: 'm', messages: MESSAGES });
      const json = (await plain.body.json()) as Record<string, unknown>;
      expect('usage' in json).toBe(false);

      const res = await post(url, {
        model: 'm',
        messages: MESSAGES,
        stream: true,
        stream_options: { include_usage: true },
      });
      const arrivals: string[] = [];
      for await (const chunk of res.body) arrivals.push(String(chunk));
      // Role, two content pieces, finish, [DONE]: each written separately, 20 ms apart.
      expect(arrivals.length).toBeGreaterThanOrEqual(5);
      const chunks = parseChunks(sseData(arrivals.join('')));
      expect(chunks).toHaveLength(4);
      expect(chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage === null)).toBe(
        true,
      );
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
        'one two three',
      );
    } finally {
      await upstream.close();
    }
  });

  it('applies latency before any answer', async () => {
    const upstream = await startMockOpenAIUpstream({ latencyMilliseconds: 50 });
    try {
      const started = Date.now();
      const res = await request(`${upstream.baseUrl}/models`);
      await res.body.dump();
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    } finally {
      await upstream.close();
    }
  });

  it('hangs until the client aborts, then the connection goes away', async () => {
    const upstream = await startMockOpenAIUpstream();
    try {
      upstream.enqueue({ kind: 'hang' });
      const pending = post(
        `${upstream.baseUrl}/chat/completions`,
        { model: 'm', messages: MESSAGES },
        { signal: AbortSignal.timeout(100) },
      );
      await waitFor(() => upstream.requests.length === 1);
      expect(upstream.openConnections()).toBe(1);
      await expect(pending).rejects.toThrow();
      await waitFor(() => upstream.openConnections() === 0);
    } finally {
      await upstream.close();
    }
  });

  it('close() resolves while a request hangs and while a delay is pending', async () => {
    const upstream = await startMockOpenAIUpstream();
    upstream.enqueue({ kind: 'hang' }, { kind: 'delay', milliseconds: 60_000 });
    const url = `${upstream.baseUrl}/chat/completions`;
    const hanging = post(url, { model: 'm', messages: MESSAGES });
    const delayed = post(url, { model: 'm', messages: MESSAGES });
    // Attach handlers now so the rejections are never unhandled.
    const outcomes = Promise.allSettled([hanging, delayed]);
    await waitFor(() => upstream.requests.length === 2);
    expect(upstream.openConnections()).toBe(2);
    const started = Date.now();
    await upstream.close();
    expect(Date.now() - started).toBeLessThan(200);
    await waitFor(() => upstream.openConnections() === 0);
    const results = await outcomes;
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    await upstream.close();
  });
});
