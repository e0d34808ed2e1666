import type OpenAI from 'openai';
import { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeCost } from '../../src/billing/cost.js';
import { parseMoney } from '../../src/billing/money.js';
import {
  anthropicToolInput,
  anthropicToolUseId,
  mockAnthropicUsageFor,
  startMockAnthropicUpstream,
  type MockAnthropicOptions,
  type MockAnthropicUpstream,
} from '../support/mock-anthropic-upstream.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * The official `openai` SDK, pointed at the gateway, talking to a mock of Anthropic's Messages
 * API: text, tool calls, streams through the SDK's stream helper, finish reasons, usage with
 * cache reads and writes, and bills that match that usage to the micro-unit.
 */
const mockOptions: MockAnthropicOptions = {
  requireApiKey: 'anthropic-secret',
  cacheReadTokens: 8,
  cacheCreationTokens: 4,
};
const prices = {
  input: parseMoney('3.00'),
  output: parseMoney('15.00'),
  cachedInput: parseMoney('0.30'),
  perRequest: 0,
};

let main: MockAnthropicUpstream;
let backup: MockAnthropicUpstream;
let harness: TestGateway;
let client: OpenAI;
let accountId: number;

beforeAll(async () => {
  main = await startMockAnthropicUpstream(mockOptions);
  backup = await startMockAnthropicUpstream(mockOptions);
  harness = await startTestGateway({
    upstreamBaseUrl: 'http://127.0.0.1:9/v1',
    extraProvidersYaml: `  - name: claude
    kind: anthropic
    baseUrl: ${main.baseUrl}
    apiKey: anthropic-secret
  - name: claude-backup
    kind: anthropic
    baseUrl: ${backup.baseUrl}
    apiKey: anthropic-secret`,
    extraYaml: `  - id: claude-chat
    prices: { input: "3.00", output: "15.00", cachedInput: "0.30" }
    deployments:
      - { provider: claude, upstreamModel: claude-sonnet-4-5 }
  - id: claude-failover
    prices: { input: "3.00", output: "15.00", cachedInput: "0.30" }
    deployments:
      - { provider: claude, upstreamModel: claude-main, priority: 0 }
      - { provider: claude-backup, upstreamModel: claude-spare, priority: 1 }
`,
  });
  const key = await harness.createKey();
  accountId = key.accountId;
  client = harness.client(key.key);
});

afterAll(async () => {
  await harness.close();
  await main.close();
  await backup.close();
});

beforeEach(() => {
  main.reset();
  backup.reset();
});

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are a helpful assistant that answers briefly.' },
  { role: 'user', content: "What's the weather like in Paris today?" },
];
const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' } },
      required: ['location'],
    },
  },
};

/** The usage the gateway must report and bill for the last request the mock received. */
function expectedUsage(upstream: MockAnthropicUpstream) {
  const usage = mockAnthropicUsageFor(upstream.requests.at(-1)?.body, mockOptions);
  const prompt =
    usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output_tokens,
    total_tokens: prompt + usage.output_tokens,
    prompt_tokens_details: { cached_tokens: usage.cache_read_input_tokens },
  };
}

/** Checks that the ledger charged this request exactly what its usage costs. */
async function expectCharged(
  requestId: string | null | undefined,
  usage: ReturnType<typeof expectedUsage>,
) {
  await harness.gateway.settlements.flush();
  const ledger = await harness.gateway.store.wallets.ledger(accountId, { limit: 1000 });
  const charge = ledger.find((entry) => entry.kind === 'charge' && entry.requestId === requestId);
  const cost = computeCost(
    {
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      cachedTokens: usage.prompt_tokens_details.cached_tokens,
    },
    prices,
  );
  expect(cost).toBeGreaterThan(0);
  expect(charge?.amount).toBe(-cost);
}

describe('chat completions through an Anthropic upstream', () => {
  it('answers text with finish reason, usage (cache reads and writes) and a matching bill', async () => {
    const { data, request_id: requestId } = await client.chat.completions
      .create({ model: 'claude-chat', messages })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello! How can I help you today?');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    const usage = expectedUsage(main);
    expect(data.usage).toMatchObject(usage);
    expect(usage.prompt_tokens_details.cached_tokens).toBe(8);
    await expectCharged(requestId, usage);

    const sent = main.requests[0];
    expect(sent?.headers['x-api-key']).toBe('anthropic-secret');
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body).toMatchObject({
      model: 'claude-sonnet-4-5',
      system: 'You are a helpful assistant that answers briefly.',
      messages: [{ role: 'user', content: "What's the weather like in Paris today?" }],
    });
    expect((sent?.body as { max_tokens?: unknown }).max_tokens).toEqual(expect.any(Number));
  });

  it('ends a reply cut at max_tokens with finish reason length', async () => {
    const completion = await client.chat.completions.create({
      model: 'claude-chat',
      messages,
      max_tokens: 3,
    });
    expect(completion.choices[0]?.message.content).toBe('Hello! How can');
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(3);
  });

  it('answers a tool call with its id, name and arguments', async () => {
    const { data, request_id: requestId } = await client.chat.completions
      .create({ model: 'claude-chat', messages, tools: [weatherTool], tool_choice: 'auto' })
      .withResponse();
    const choice = data.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBe('Let me check.');
    expect(choice?.message.tool_calls).toEqual([
      {
        id: anthropicToolUseId,
        type: 'function',
        function: { name: 'get_weather', arguments: JSON.stringify(anthropicToolInput) },
      },
    ]);
    const usage = expectedUsage(main);
    expect(data.usage).toMatchObject(usage);
    await expectCharged(requestId, usage);
    expect(main.requests[0]?.body).toMatchObject({
      tools: [{ name: 'get_weather', input_schema: weatherTool.function.parameters }],
      tool_choice: { type: 'auto' },
    });
  });

  it('sends a tool result back paired with its call, ids normalised for Anthropic', async () => {
    const completion = await client.chat.completions.create({
      model: 'claude-chat',
      messages: [
        ...messages,
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call.from:another-provider',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call.from:another-provider', content: '18°C, sunny' },
      ],
      tools: [weatherTool],
      tool_choice: 'none',
    });
    expect(completion.choices[0]?.message.content).toBe('Hello! How can I help you today?');
    const sent = main.requests[0]?.body as { messages: unknown[] };
    expect(sent.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          {
            type: 'tool_use',
            id: 'call_from_another-provider',
            name: 'get_weather',
            input: { location: 'Paris' },
          },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'call_from_another-provider',
            content: '18°C, sunny',
          },
        ],
      },
    ]);
  });

  it('streams text through the SDK stream helper, with usage and a matching bill', async () => {
    const stream = client.chat.completions.stream({
      model: 'claude-chat',
      messages,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    stream.on('content.delta', ({ delta }) => deltas.push(delta));
    const final = await stream.finalChatCompletion();
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.choices[0]?.message.content).toBe('Hello! How can I help you today?');
    expect(final.choices[0]?.finish_reason).toBe('stop');
    const usage = expectedUsage(main);
    expect(final.usage).toMatchObject(usage);
    const requestId = (await harness.usageRecords())[0]?.requestId;
    await expectCharged(requestId, usage);
  });

  it('streams a tool call through the SDK stream helper', async () => {
    const stream = client.chat.completions.stream({
      model: 'claude-chat',
      messages,
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      stream_options: { include_usage: true },
    });
    const finishedArguments: string[] = [];
    stream.on('tool_calls.function.arguments.done', (event) => {
      finishedArguments.push(event.arguments);
    });
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBe('Let me check.');
    expect(choice?.message.tool_calls?.[0]).toMatchObject({
      id: anthropicToolUseId,
      type: 'function',
      function: { name: 'get_weather', arguments: JSON.stringify(anthropicToolInput) },
    });
    expect(finishedArguments).toEqual([JSON.stringify(anthropicToolInput)]);
    expect(final.usage).toMatchObject(expectedUsage(main));
    expect(main.requests[0]?.body).toMatchObject({
      tool_choice: { type: 'tool', name: 'get_weather' },
      stream: true,
    });
  });
});

describe('Anthropic errors and fail-over', () => {
  it('moves on to the next deployment when Anthropic is overloaded (529)', async () => {
    main.enqueue({ kind: 'error', status: 529 });
    const completion = await client.chat.completions.create({ model: 'claude-failover', messages });
    expect(completion.choices[0]?.message.content).toContain('Hello');
    expect(main.requests).toHaveLength(1);
    expect((backup.requests[0]?.body as { model?: unknown }).model).toBe('claude-spare');
  });

  it('moves on when the account cannot pay (a 400 that is the upstream’s fault)', async () => {
    main.enqueue({
      kind: 'error',
      status: 400,
      body: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message:
            'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
        },
      },
    });
    const completion = await client.chat.completions.create({ model: 'claude-failover', messages });
    expect(completion.choices[0]?.message.content).toContain('Hello');
    expect(backup.requests).toHaveLength(1);
  });

  it('passes a 400 the client caused through, without trying the next deployment', async () => {
    main.enqueue({
      kind: 'error',
      status: 400,
      body: {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'temperature: range: 0..1' },
      },
    });
    const error = await client.chat.completions
      .create({ model: 'claude-failover', messages, temperature: 1.5 })
      .then(
        () => undefined,
        (caught: unknown) => caught as APIError,
      );
    expect(error?.status).toBe(400);
    expect(error?.message).toContain('temperature: range: 0..1');
    expect(backup.requests).toHaveLength(0);
  });

  it('ends a stream with an error event when Anthropic sends one mid-stream', async () => {
    main.enqueue({ kind: 'error-event' });
    const stream = await client.chat.completions.create({
      model: 'claude-chat',
      messages,
      stream: true,
    });
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);
    expect(received.join('')).not.toBe('');
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('Overloaded');
  });
});
