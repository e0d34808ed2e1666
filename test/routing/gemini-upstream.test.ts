import type OpenAI from 'openai';
import type { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeCost } from '../../src/billing/cost.js';
import { parseMoney } from '../../src/billing/money.js';
import { countInputTokens } from '../../src/relay/count-tokens.js';
import {
  geminiEmbeddingDimensions,
  geminiFunctionArgs,
  geminiThoughtSignature,
  mockGeminiUsageFor,
  startMockGeminiUpstream,
  type MockGeminiOptions,
  type MockGeminiUpstream,
} from '../support/mock-gemini-upstream.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * The official `openai` SDK, pointed at the gateway, talking to a mock of Google's Gemini API:
 * text, function calls with thought signatures, streams through the SDK's stream helper, finish
 * reasons, usage with thinking tokens, embeddings, and bills that match the usage.
 */
const mockOptions: MockGeminiOptions = { requireApiKey: 'gemini-secret', thoughtsTokens: 5 };
const prices = {
  input: parseMoney('0.30'),
  output: parseMoney('2.50'),
  cachedInput: parseMoney('0.075'),
  perRequest: 0,
};
const embeddingPrices = { input: parseMoney('0.15'), output: 0, cachedInput: 0, perRequest: 0 };

let gemini: MockGeminiUpstream;
let harness: TestGateway;
let client: OpenAI;
let accountId: number;

beforeAll(async () => {
  gemini = await startMockGeminiUpstream(mockOptions);
  harness = await startTestGateway({
    upstreamBaseUrl: 'http://127.0.0.1:9/v1',
    extraProvidersYaml: `  - name: gemini
    kind: gemini
    baseUrl: ${gemini.baseUrl}
    apiKey: gemini-secret
  - name: gemini-stale-key
    kind: gemini
    baseUrl: ${gemini.baseUrl}
    apiKey: revoked-key`,
    extraYaml: `  - id: gemini-chat
    prices: { input: "0.30", output: "2.50", cachedInput: "0.075" }
    deployments:
      - { provider: gemini, upstreamModel: gemini-2.5-flash }
  - id: gemini-embed
    kind: embedding
    prices: { input: "0.15" }
    deployments:
      - { provider: gemini, upstreamModel: gemini-embedding-001 }
  - id: gemini-failover
    prices: { input: "0.30", output: "2.50" }
    deployments:
      - { provider: gemini-stale-key, upstreamModel: gemini-2.5-flash, priority: 0 }
      - { provider: gemini, upstreamModel: gemini-2.5-flash-lite, priority: 1 }
  - id: gemini-pair
    prices: { input: "0.30", output: "2.50" }
    deployments:
      - { provider: gemini, upstreamModel: gemini-2.5-pro, priority: 0 }
      - { provider: gemini, upstreamModel: gemini-2.5-flash, priority: 1 }
`,
  });
  const key = await harness.createKey();
  accountId = key.accountId;
  client = harness.client(key.key);
});

afterAll(async () => {
  await harness.close();
  await gemini.close();
});

beforeEach(() => {
  gemini.reset();
});

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are a cat. Your name is Neko.' },
  { role: 'user', content: 'Hello there' },
];
const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' } },
      required: ['location'],
      additionalProperties: false,
    },
  },
};

function expectedUsage() {
  const usage = mockGeminiUsageFor(gemini.requests.at(-1)?.body, mockOptions);
  const completion = usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0);
  return {
    prompt_tokens: usage.promptTokenCount,
    completion_tokens: completion,
    total_tokens: usage.promptTokenCount + completion,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: usage.thoughtsTokenCount },
  };
}

async function chargeOf(requestId: string | null | undefined): Promise<number | undefined> {
  await harness.gateway.settlements.flush();
  const ledger = await harness.gateway.store.wallets.ledger(accountId, { limit: 1000 });
  return ledger.find((entry) => entry.kind === 'charge' && entry.requestId === requestId)?.amount;
}

function costOf(usage: { prompt_tokens: number; completion_tokens: number }): number {
  return computeCost(
    {
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      cachedTokens: 0,
    },
    prices,
  );
}

describe('chat completions through a Gemini upstream', () => {
  it('answers text; thinking tokens are output; the bill matches the usage', async () => {
    const { data, request_id: requestId } = await client.chat.completions
      .create({ model: 'gemini-chat', messages })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello! How can I help you today?');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    const usage = expectedUsage();
    expect(data.usage).toMatchObject(usage);
    expect(usage.completion_tokens_details.reasoning_tokens).toBe(5);
    expect(await chargeOf(requestId)).toBe(-costOf(usage));

    const sent = gemini.requests[0];
    expect(sent?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent?.headers['x-goog-api-key']).toBe('gemini-secret');
    expect(sent?.body).toMatchObject({
      systemInstruction: { parts: [{ text: 'You are a cat. Your name is Neko.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }],
    });
  });

  it('ends a reply cut at the output cap with finish reason length', async () => {
    const completion = await client.chat.completions.create({
      model: 'gemini-chat',
      messages,
      max_completion_tokens: 2,
    });
    expect(completion.choices[0]?.message.content).toBe('Hello! How');
    expect(completion.choices[0]?.finish_reason).toBe('length');
  });

  it('answers a function call with its thought signature, and takes both back next turn', async () => {
    const { data, request_id: requestId } = await client.chat.completions
      .create({ model: 'gemini-chat', messages, tools: [weatherTool], tool_choice: 'required' })
      .withResponse();
    const choice = data.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall & {
      extra_content?: { google?: { thought_signature?: string } };
    };
    expect(call.function).toEqual({
      name: 'get_weather',
      arguments: JSON.stringify(geminiFunctionArgs),
    });
    expect(call.extra_content?.google?.thought_signature).toBe(geminiThoughtSignature);
    expect(await chargeOf(requestId)).toBe(-costOf(expectedUsage()));
    expect(gemini.requests[0]?.body).toMatchObject({
      tools: [
        {
          functionDeclarations: [
            { name: 'get_weather', parametersJsonSchema: weatherTool.function.parameters },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });

    gemini.reset();
    const next = await client.chat.completions.create({
      model: 'gemini-chat',
      messages: [
        ...messages,
        choice?.message as OpenAI.ChatCompletionAssistantMessageParam,
        { role: 'tool', tool_call_id: call.id, content: '{"temperature":18}' },
      ],
      tools: [weatherTool],
      tool_choice: 'none',
    });
    expect(next.choices[0]?.message.content).toBe('Hello! How can I help you today?');
    const contents = (gemini.requests[0]?.body as { contents: unknown[] }).contents;
    expect(contents.slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          {
            functionCall: { name: 'get_weather', args: geminiFunctionArgs },
            thoughtSignature: geminiThoughtSignature,
          },
        ],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 18 } } }],
      },
    ]);
  });

  it('streams text through the SDK stream helper, with usage and a matching bill', async () => {
    const stream = client.chat.completions.stream({
      model: 'gemini-chat',
      messages,
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Hello! How can I help you today?');
    expect(final.choices[0]?.finish_reason).toBe('stop');
    const usage = expectedUsage();
    expect(final.usage).toMatchObject(usage);
    expect(gemini.requests[0]?.path).toBe(
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
    const requestId = (await harness.usageRecords())[0]?.requestId;
    expect(await chargeOf(requestId)).toBe(-costOf(usage));
  });

  it('streams a function call through the SDK stream helper', async () => {
    const stream = client.chat.completions.stream({
      model: 'gemini-chat',
      messages,
      tools: [weatherTool],
    });
    const done: string[] = [];
    stream.on('tool_calls.function.arguments.done', (event) => done.push(event.name));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'get_weather', arguments: JSON.stringify(geminiFunctionArgs) },
    });
    expect(done).toEqual(['get_weather']);
  });
});

describe('embeddings through a Gemini upstream', () => {
  it('embeds every input via batchEmbedContents; the gateway counts the tokens it bills', async () => {
    const input = ['The quick brown fox', 'jumps over the lazy dog'];
    const { data, request_id: requestId } = await client.embeddings
      .create({ model: 'gemini-embed', input, encoding_format: 'float' })
      .withResponse();
    expect(data.data).toHaveLength(2);
    expect(data.data[0]?.embedding).toHaveLength(geminiEmbeddingDimensions);
    expect(gemini.requests[0]?.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    const counted = await countInputTokens(input);
    const cost = computeCost(
      { promptTokens: counted, completionTokens: 0, cachedTokens: 0 },
      embeddingPrices,
    );
    expect(await chargeOf(requestId)).toBe(-cost);
  });
});

describe('Gemini errors and fail-over', () => {
  it('moves on when Google refuses the deployment’s key with a 400 (API_KEY_INVALID)', async () => {
    const completion = await client.chat.completions.create({ model: 'gemini-failover', messages });
    expect(completion.choices[0]?.message.content).toContain('Hello');
    expect(gemini.requests.map((request) => request.headers['x-goog-api-key'])).toEqual([
      'revoked-key',
      'gemini-secret',
    ]);
    expect(gemini.requests[1]?.path).toContain('gemini-2.5-flash-lite');
  });

  it('moves on after a 429 (RESOURCE_EXHAUSTED)', async () => {
    gemini.enqueue({ kind: 'error', status: 429 });
    const completion = await client.chat.completions.create({ model: 'gemini-pair', messages });
    expect(completion.choices[0]?.message.content).toContain('Hello');
    expect(gemini.requests.map((request) => request.path)).toEqual([
      '/v1beta/models/gemini-2.5-pro:generateContent',
      '/v1beta/models/gemini-2.5-flash:generateContent',
    ]);
  });

  it('answers 502 naming the model when its only deployment is unavailable (503)', async () => {
    gemini.enqueue({ kind: 'error', status: 503 });
    const error = await client.chat.completions.create({ model: 'gemini-chat', messages }).then(
      () => undefined,
      (caught: unknown) => caught as APIError,
    );
    expect(error?.status).toBe(502);
    expect(error?.code).toBe('upstream_unavailable');
    expect(error?.message).toContain("'gemini-chat'");
    expect(error?.message).not.toContain('127.0.0.1');
  });

  it('passes a 400 the client caused through, with Google’s message', async () => {
    gemini.enqueue({
      kind: 'error',
      status: 400,
      body: {
        error: {
          code: 400,
          message: '* GenerationConfig.temperature: must be in [0, 2]',
          status: 'INVALID_ARGUMENT',
        },
      },
    });
    const error = await client.chat.completions.create({ model: 'gemini-chat', messages }).then(
      () => undefined,
      (caught: unknown) => caught as APIError,
    );
    expect(error?.status).toBe(400);
    expect(error?.message).toContain('temperature');
    expect(gemini.requests).toHaveLength(1);
  });
});
