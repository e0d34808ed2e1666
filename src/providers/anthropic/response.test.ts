import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertMatchesOpenAISchema } from '../../../test/support/openai-schema.js';
import { MalformedUpstreamError, type StreamContext } from '../contract.js';
import { fixtureFolder } from '../fixture-replay.case.js';
import { createAnthropicAdapter } from './adapter.js';

// Replays the hand-written fixtures in ./fixtures (see its README) through the adapter.
const fixtures = fixtureFolder(import.meta.url);
const adapter = createAnthropicAdapter();
const context: StreamContext = { clientWantsUsage: false, publicModel: 'claude-sonnet' };

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
});
afterAll(() => {
  vi.useRealTimers();
});

function message(fields: Record<string, unknown>): string {
  return JSON.stringify({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-haiku-4-5',
    content: [{ type: 'text', text: 'Hi' }],
    stop_reason: 'end_turn',
    usage: { input_tokens: 3, output_tokens: 1 },
    ...fields,
  });
}

describe('chatResponse', () => {
  it.each([
    [
      'chat-basic',
      { promptTokens: 2060, completionTokens: 10, cachedTokens: 2048 },
      'Hi! My name is Claude.',
    ],
    [
      'chat-tool-calls',
      { promptTokens: 660, completionTokens: 89, cachedTokens: 0 },
      "I'll check the current weather in both cities for you." +
        'get_weather{"location":"San Francisco, CA","unit":"celsius"}' +
        'get_weather{"location":"New York, NY","unit":"celsius"}',
    ],
  ])('translates %s into the expected chat.completion', (name, usage, text) => {
    const translated = adapter.chatResponse(fixtures.text(`${name}.response.json`), context);
    expect(translated.body).toBe(fixtures.compact(`${name}.expected.json`));
    assertMatchesOpenAISchema('CreateChatCompletionResponse', JSON.parse(translated.body));
    expect(translated.usage).toEqual(usage);
    expect(translated.completionText).toBe(text);
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
    [null, 'stop'],
  ])('maps stop_reason %j to finish_reason %j', (stopReason, finishReason) => {
    const translated = adapter.chatResponse(message({ stop_reason: stopReason }), context);
    const body = JSON.parse(translated.body) as { choices: { finish_reason: string }[] };
    expect(body.choices[0]?.finish_reason).toBe(finishReason);
  });

  it('gives a tool-only answer null content, and skips thinking blocks', () => {
    const translated = adapter.chatResponse(
      message({
        content: [
          { type: 'thinking', thinking: 'Weather needs a tool.', signature: 'EqQBCgIYAhIM' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} },
        ],
        stop_reason: 'tool_use',
      }),
      context,
    );
    const body = JSON.parse(translated.body) as {
      choices: {
        message: { content: unknown; tool_calls: { function: { arguments: string } }[] };
      }[];
    };
    assertMatchesOpenAISchema('CreateChatCompletionResponse', body);
    expect(body.choices[0]?.message.content).toBeNull();
    expect(body.choices[0]?.message.tool_calls[0]?.function.arguments).toBe('{}');
    expect(translated.completionText).toBe('get_weather{}');
  });

  it('reports no usage, and sends none, when Anthropic sent none; the model falls back', () => {
    const translated = adapter.chatResponse(
      JSON.stringify({ id: 'msg_2', content: [{ type: 'text', text: 'Hi' }] }),
      context,
    );
    const body = JSON.parse(translated.body) as Record<string, unknown>;
    expect(translated.usage).toBeUndefined();
    expect(body).not.toHaveProperty('usage');
    expect(body.model).toBe('claude-sonnet');
    assertMatchesOpenAISchema('CreateChatCompletionResponse', body);
  });

  it.each([
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['a JSON array', '[]'],
    ['a message without content', JSON.stringify({ id: 'msg_1', type: 'message' })],
  ])('throws MalformedUpstreamError for %s', (_name, body) => {
    expect(() => adapter.chatResponse(body, context)).toThrow(MalformedUpstreamError);
  });
});

describe('errorResponse', () => {
  it('keeps an invalid request an invalid request, with the upstream’s message', () => {
    expect(adapter.errorResponse(400, fixtures.text('error-400.json'))).toEqual({
      status: 400,
      message: 'messages.1.content.0.tool_result.tool_use_id: Field required',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  });

  it('names Anthropic’s error type in the code', () => {
    expect(adapter.errorResponse(401, fixtures.text('error-401.json'))).toEqual({
      status: 401,
      message: 'invalid x-api-key',
      type: 'authentication_error',
      param: null,
      code: 'authentication_error',
    });
    expect(adapter.errorResponse(529, fixtures.text('error-529.json'))).toEqual({
      status: 529,
      message: 'Overloaded',
      type: 'server_error',
      param: null,
      code: 'overloaded_error',
    });
  });

  it.each([
    ['api_error', 500, 'server_error'],
    ['rate_limit_error', 429, 'rate_limit_error'],
    ['permission_error', 403, 'permission_error'],
    ['not_found_error', 404, 'invalid_request_error'],
    ['request_too_large', 413, 'invalid_request_error'],
    ['a_type_added_later', 418, 'invalid_request_error'],
    ['a_type_added_later', 503, 'server_error'],
  ])('maps %s (HTTP %i) to the type %s', (type, status, expected) => {
    const body = JSON.stringify({ type: 'error', error: { type, message: 'm' } });
    expect(adapter.errorResponse(status, body)).toMatchObject({
      status,
      type: expected,
      code: type,
    });
  });

  it.each([
    [
      'an HTML page',
      '<html><body>upstream https://api.anthropic.com/v1/messages failed</body></html>',
    ],
    ['an empty body', ''],
    ['JSON of another shape', '{"detail":"Not Found"}'],
  ])('answers a generic message naming the status for %s', (_name, body) => {
    expect(adapter.errorResponse(502, body)).toEqual({
      status: 502,
      message: 'The upstream answered HTTP 502.',
      type: 'server_error',
      param: null,
      code: null,
    });
  });
});
