import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeCost } from '../../src/billing/cost.js';
import { parseMoney } from '../../src/billing/money.js';
import {
  mockUsageFor,
  startMockOpenAIUpstream,
  type MockUpstream,
} from '../support/mock-openai-upstream.js';
import { assertMatchesOpenAISchema } from '../support/openai-schema.js';
import { mockPrices, startTestGateway, type TestGateway } from '../support/test-gateway.js';

const prices = {
  input: parseMoney(mockPrices.input),
  output: parseMoney(mockPrices.output),
  cachedInput: parseMoney(mockPrices.cachedInput),
  perRequest: 0,
};

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' } },
      required: ['location'],
    },
  },
};

let upstream: MockUpstream;
let harness: TestGateway;
let key: string;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ replyText: 'Hello there, how can I help you today?' });
  harness = await startTestGateway({ upstreamBaseUrl: upstream.baseUrl });
  key = (await harness.createKey()).key;
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

beforeEach(() => upstream.reset());

describe('POST /api/v1/chat/completions, not streaming', () => {
  it('answers in OpenAI format through the official SDK, as the seed document shows', async () => {
    const messages = [
      { role: 'system' as const, content: 'You are a helpful assistant.' },
      { role: 'user' as const, content: 'Hello!' },
    ];
    const response = await harness
      .client(key)
      .chat.completions.create({ model: 'mock-chat', messages, max_tokens: 1000 });

    assertMatchesOpenAISchema('CreateChatCompletionResponse', response);
    expect(response.object).toBe('chat.completion');
    expect(response.choices[0]?.message.content).toBe('Hello there, how can I help you today?');
    expect(response.choices[0]?.finish_reason).toBe('stop');
    const expected = mockUsageFor({ messages }, 'Hello there, how can I help you today?');
    expect(response.usage).toMatchObject(expected);
  });

  it('sends the upstream its own model name and secret, and passes unknown fields through untouched', async () => {
    const body = {
      model: 'mock-chat',
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.2,
      seed: 42,
      logit_bias: { '50256': -100 },
      some_future_field: { nested: [1, 'two', null] },
    };
    await harness
      .client(key)
      .chat.completions.create(body as unknown as ChatCompletionCreateParamsNonStreaming);

    const sent = upstream.requests[0];
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe('Bearer upstream-secret');
    // max_tokens is the gateway's: the wallet hold pays for that much output and no more.
    expect(sent?.body).toEqual({ ...body, model: 'upstream-chat', max_tokens: 4096 });
    assertMatchesOpenAISchema('CreateChatCompletionRequest', sent?.body);
  });

  it('accepts curl-style bodies sent without a JSON content type', async () => {
    const response = await fetch(`${harness.baseURL}/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: JSON.stringify({ model: 'mock-chat', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('serves the same routes under /v1', async () => {
    const response = await fetch(`${harness.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-chat', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(200);
  });

  it('returns tool calls intact', async () => {
    const response = await harness.client(key).chat.completions.create({
      model: 'mock-chat',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [weatherTool],
    });
    assertMatchesOpenAISchema('CreateChatCompletionResponse', response);
    const choice = response.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.tool_calls).toEqual([
      {
        id: 'call_mock_1',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
      },
    ]);
  });

  it('honours max_tokens and reports finish_reason length', async () => {
    const response = await harness.client(key).chat.completions.create({
      model: 'mock-chat',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 2,
    });
    expect(response.choices[0]?.message.content).toBe('Hello there,');
    expect(response.choices[0]?.finish_reason).toBe('length');
    expect((upstream.requests[0]?.body as { max_tokens: number }).max_tokens).toBe(2);
  });

  it('records one usage record with the upstream usage and its cost', async () => {
    const messages = [{ role: 'user' as const, content: 'Count me' }];
    const response = await harness
      .client(key)
      .chat.completions.create({ model: 'mock-chat', messages });
    const records = await harness.usageRecords();
    const record = records.find((candidate) => candidate.requestId === response._request_id);
    const usage = mockUsageFor({ messages }, 'Hello there, how can I help you today?');
    expect(record).toMatchObject({
      modelId: 'mock-chat',
      status: 200,
      errorCode: null,
      stream: false,
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      cost: computeCost(
        {
          promptTokens: usage.prompt_tokens,
          completionTokens: usage.completion_tokens,
          cachedTokens: 0,
        },
        prices,
      ),
    });
  });
});

describe('POST /api/v1/chat/completions, streaming', () => {
  it('streams chunks the SDK reads, without a usage chunk when the client did not ask for one', async () => {
    const stream = await harness.client(key).chat.completions.create({
      model: 'mock-chat',
      messages: [{ role: 'user', content: 'Hello!' }],
      stream: true,
    });
    let text = '';
    const chunks = [];
    for await (const chunk of stream) {
      assertMatchesOpenAISchema('CreateChatCompletionStreamResponse', chunk);
      chunks.push(chunk);
      if (chunk.choices[0]?.delta.content) text += chunk.choices[0].delta.content;
    }
    expect(text).toBe('Hello there, how can I help you today?');
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    // The gateway asked the upstream for usage anyway, to meter the stream.
    expect((upstream.requests[0]?.body as { stream_options: unknown }).stream_options).toEqual({
      include_usage: true,
    });
  });

  it('passes the final usage chunk on when the client asked for it', async () => {
    const messages = [{ role: 'user' as const, content: 'Hello!' }];
    const stream = await harness.client(key).chat.completions.create({
      model: 'mock-chat',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) {
      assertMatchesOpenAISchema('CreateChatCompletionStreamResponse', chunk);
      chunks.push(chunk);
    }
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject(
      mockUsageFor({ messages }, 'Hello there, how can I help you today?'),
    );
  });

  it('meters a stream from the upstream usage and records it', async () => {
    const messages = [{ role: 'user' as const, content: 'Meter this stream' }];
    const { data: stream, request_id: requestId } = await harness
      .client(key)
      .chat.completions.create({ model: 'mock-chat', messages, stream: true })
      .withResponse();
    for await (const chunk of stream) void chunk;
    const usage = mockUsageFor({ messages }, 'Hello there, how can I help you today?');
    expect(requestId).toMatch(/^req_/);
    const findRecord = async () =>
      (await harness.usageRecords()).find((candidate) => candidate.requestId === requestId);
    // The record is written just after the last byte goes out, so the client can be faster.
    await expect.poll(findRecord).toBeDefined();
    const record = await findRecord();
    expect(record).toMatchObject({
      stream: true,
      status: 200,
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
    });
    expect(record?.firstTokenMilliseconds).not.toBeNull();
  });

  it('streams tool-call deltas the SDK stream helper assembles', async () => {
    const runner = harness.client(key).chat.completions.stream({
      model: 'mock-chat',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [weatherTool],
    });
    const completion = await runner.finalChatCompletion();
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.tool_calls?.[0]).toMatchObject({
      id: 'call_mock_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
    });
  });

  it('forwards each chunk as it arrives instead of buffering the stream', async () => {
    const slow = await startMockOpenAIUpstream({ chunkDelayMilliseconds: 150, chunkCount: 6 });
    const slowGateway = await startTestGateway({ upstreamBaseUrl: slow.baseUrl });
    try {
      const slowKey = (await slowGateway.createKey()).key;
      const stream = await slowGateway.client(slowKey).chat.completions.create({
        model: 'mock-chat',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
      });
      const writtenWhenReceived: number[] = [];
      for await (const chunk of stream) {
        void chunk;
        writtenWhenReceived.push(slow.eventsWritten());
      }
      // The client saw the first chunks while the upstream had sent only part of its stream.
      const total = slow.eventsWritten();
      expect(writtenWhenReceived[0]).toBeLessThan(total);
      expect(new Set(writtenWhenReceived).size).toBeGreaterThan(3);
    } finally {
      await slowGateway.close();
      await slow.close();
    }
  });

  it('counts tokens itself when the upstream sends no usage', async () => {
    const quiet = await startMockOpenAIUpstream({ omitStreamUsage: true });
    const quietGateway = await startTestGateway({ upstreamBaseUrl: quiet.baseUrl });
    try {
      const quietKey = (await quietGateway.createKey()).key;
      const stream = await quietGateway.client(quietKey).chat.completions.create({
        model: 'mock-chat',
        messages: [{ role: 'user', content: 'Hello!' }],
        stream: true,
      });
      for await (const chunk of stream) void chunk;
      await expect.poll(async () => (await quietGateway.usageRecords()).length).toBe(1);
      const [record] = await quietGateway.usageRecords();
      // o200k: "Hello! How can I help you today?" is 9 tokens; the prompt is 1 message of 2 tokens + framing.
      expect(record).toMatchObject({ completionTokens: 9, promptTokens: 8 });
      expect(record?.cost).toBeGreaterThan(0);
    } finally {
      await quietGateway.close();
      await quiet.close();
    }
  });

  it('aborts the upstream when the client goes away, and bills the prompt plus what was delivered', async () => {
    const slow = await startMockOpenAIUpstream({ chunkDelayMilliseconds: 100, chunkCount: 8 });
    const slowGateway = await startTestGateway({ upstreamBaseUrl: slow.baseUrl });
    try {
      const slowKey = (await slowGateway.createKey()).key;
      const stream = await slowGateway.client(slowKey).chat.completions.create({
        model: 'mock-chat',
        messages: [{ role: 'user', content: 'Hello!' }],
        stream: true,
      });
      let received = 0;
      let delivered = '';
      // Leaving the loop early makes the SDK abort its HTTP request, as a closed browser tab would.
      for await (const chunk of stream) {
        delivered += chunk.choices[0]?.delta.content ?? '';
        if (++received === 3) break;
      }
      await expect.poll(() => slow.streamsAbandonedByClient(), { timeout: 5_000 }).toBe(1);
      await expect
        .poll(async () => (await slowGateway.usageRecords()).length, { timeout: 5_000 })
        .toBe(1);
      const [record] = await slowGateway.usageRecords();
      expect(record?.status).toBe(499);
      expect(record?.errorCode).toBe('client_disconnected');
      expect(record?.completionTokens).toBeGreaterThan(0);
      expect(record?.completionTokens).toBeLessThan(9);
      expect(delivered.length).toBeGreaterThan(0);
      expect(record?.cost).toBeGreaterThan(0);
    } finally {
      await slowGateway.close();
      await slow.close();
    }
  });
});
