import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertMatchesOpenAISchema } from '../../../test/support/openai-schema.js';
import {
  MalformedUpstreamError,
  type EmbeddingsRequestBody,
  type StreamContext,
} from '../contract.js';
import { embeddingsFromSdk, fixtureFolder } from '../fixture-replay.case.js';
import { base64ToFloats } from '../openai-compatible/embedding-encoding.js';
import { createGeminiAdapter } from './adapter.js';

// Replays the hand-written fixtures in ./fixtures (see its README) through the adapter.
const fixtures = fixtureFolder(import.meta.url);
const adapter = createGeminiAdapter();
const context: StreamContext = { clientWantsUsage: false, publicModel: 'gemini-flash' };

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
});
afterAll(() => {
  vi.useRealTimers();
});

function candidate(fields: Record<string, unknown>): string {
  return JSON.stringify({
    candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' }, index: 0, ...fields }],
    usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 },
  });
}

function choiceOf(body: string) {
  return (
    JSON.parse(body) as {
      choices: { finish_reason: string; message: { content: string | null } }[];
    }
  ).choices[0];
}

describe('chatResponse', () => {
  it.each([
    [
      'chat-basic',
      { promptTokens: 1290, completionTokens: 60, cachedTokens: 1024 },
      'Meow! A fluffy ginger cat naps in a warm sunbeam.A sleepy cat curls up',
    ],
    [
      'chat-tool-calls',
      { promptTokens: 180, completionTokens: 45, cachedTokens: 0 },
      'power_disco_ball{"power":true}start_music{"energetic":true,"loud":true}dim_lights{"brightness":0.3}',
    ],
  ])('translates %s into the expected chat.completion', (name, usage, text) => {
    const translated = adapter.chatResponse(fixtures.text(`${name}.response.json`), context);
    expect(translated.body).toBe(fixtures.compact(`${name}.expected.json`));
    assertMatchesOpenAISchema('CreateChatCompletionResponse', JSON.parse(translated.body));
    expect(translated.usage).toEqual(usage);
    expect(translated.completionText).toBe(text);
  });

  it('answers a blocked prompt with an empty, content-filtered choice', () => {
    const translated = adapter.chatResponse(fixtures.text('chat-blocked.response.json'), context);
    assertMatchesOpenAISchema('CreateChatCompletionResponse', JSON.parse(translated.body));
    expect(choiceOf(translated.body)).toMatchObject({
      finish_reason: 'content_filter',
      message: { content: null },
    });
    expect(translated.usage).toEqual({ promptTokens: 9, completionTokens: 0, cachedTokens: 0 });
  });

  it.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['BLOCKLIST', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['SPII', 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', 'stop'],
    ['OTHER', 'stop'],
  ])('maps finishReason %s to %s', (reason, expected) => {
    const body = adapter.chatResponse(candidate({ finishReason: reason }), context).body;
    expect(choiceOf(body)?.finish_reason).toBe(expected);
  });

  it('leaves thought summaries out of the answer, and random ids without a response id', () => {
    const translated = adapter.chatResponse(
      JSON.stringify({
        candidates: [
          {
            content: {
              parts: [
                { text: 'Considering the options…', thought: true },
                { functionCall: { name: 'lookup', args: {} } },
              ],
            },
            finishReason: 'STOP',
          },
        ],
      }),
      context,
    );
    const body = JSON.parse(translated.body) as {
      id: string;
      model: string;
      choices: { message: { tool_calls: { id: string }[] } }[];
    };
    assertMatchesOpenAISchema('CreateChatCompletionResponse', body);
    expect(body.id).toMatch(/^chatcmpl-[0-9a-f]{24}$/);
    expect(body.model).toBe('gemini-flash');
    expect(body.choices[0]?.message.tool_calls[0]?.id).toMatch(/^call_[0-9a-f]{24}_0$/);
    expect(translated.usage).toBeUndefined();
    expect(translated.completionText).toBe('lookup{}');
  });

  it.each([
    ['not JSON', '<html>502</html>'],
    ['a JSON array', '[]'],
    ['no candidates and no block reason', JSON.stringify({ usageMetadata: {} })],
  ])('throws MalformedUpstreamError for %s', (_name, body) => {
    expect(() => adapter.chatResponse(body, context)).toThrow(MalformedUpstreamError);
  });
});

describe('embeddingsResponse', () => {
  const requested = fixtures.json('embeddings.client.json') as EmbeddingsRequestBody;
  const vectors = (
    fixtures.json('embeddings.response.json') as { embeddings: { values: number[] }[] }
  ).embeddings.map((item) => item.values);

  it('translates to OpenAI’s list of floats, leaving the counting to the relay', () => {
    const translated = adapter.embeddingsResponse(fixtures.text('embeddings.response.json'), {
      ...requested,
      encoding_format: 'float',
    });
    expect(translated.body).toBe(fixtures.compact('embeddings-float.expected.json'));
    assertMatchesOpenAISchema('CreateEmbeddingResponse', JSON.parse(translated.body));
    expect(translated.usage).toBeUndefined();
    expect(translated.completionText).toBe('');
  });

  it('encodes base64 of little-endian float32 when the client asked for it', async () => {
    const translated = adapter.embeddingsResponse(
      fixtures.text('embeddings.response.json'),
      requested,
    );
    const data = (JSON.parse(translated.body) as { data: { embedding: string }[] }).data;
    expect(data.map((item) => base64ToFloats(item.embedding))).toEqual(
      vectors.map((vector) => vector.map(Math.fround)),
    );
    expect(await embeddingsFromSdk(translated.body)).toEqual([
      vectors[0]?.map(Math.fround),
      vectors[1]?.map(Math.fround),
    ]);
  });

  it('reads a token count when Gemini reports one', () => {
    const body = JSON.stringify({
      embeddings: [{ values: [0.5] }],
      usageMetadata: { promptTokenCount: 4 },
    });
    const translated = adapter.embeddingsResponse(body, { model: 'e', input: 'Hi' });
    expect(translated.usage).toEqual({ promptTokens: 4, completionTokens: 0, cachedTokens: 0 });
    expect(JSON.parse(translated.body)).toMatchObject({
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
  });

  it.each([
    ['not JSON', 'oops'],
    ['no embeddings', '{}'],
    ['an embedding without values', JSON.stringify({ embeddings: [{}, {}] })],
    ['fewer embeddings than inputs', JSON.stringify({ embeddings: [{ values: [0.1] }] })],
  ])('throws MalformedUpstreamError for %s', (_name, body) => {
    expect(() => adapter.embeddingsResponse(body, requested)).toThrow(MalformedUpstreamError);
  });
});

describe('errorResponse', () => {
  it('names the precise reason Google gave for a bad key', () => {
    expect(adapter.errorResponse(400, fixtures.text('error-400-api-key.json'))).toEqual({
      status: 400,
      message: 'API key not valid. Please pass a valid API key.',
      type: 'invalid_request_error',
      param: null,
      code: 'api_key_invalid',
      // The provider key's fault, not the client's: the relay fails over instead.
      upstreamFault: true,
    });
  });

  it('maps Google’s status names to OpenAI’s error types', () => {
    expect(adapter.errorResponse(404, fixtures.text('error-404.json'))).toMatchObject({
      status: 404,
      type: 'invalid_request_error',
      code: 'not_found',
    });
    expect(adapter.errorResponse(429, fixtures.text('error-429.json'))).toMatchObject({
      status: 429,
      type: 'rate_limit_error',
      code: 'resource_exhausted',
      message: 'You exceeded your current quota, please check your plan and billing details.',
    });
  });

  it('reads the error list the non-SSE streaming endpoint sends', () => {
    const body = `[${fixtures.text('error-404.json')}]`;
    expect(adapter.errorResponse(404, body)).toMatchObject({ code: 'not_found' });
  });

  it.each([
    ['an HTML page', '<html>https://generativelanguage.googleapis.com is down</html>'],
    ['an empty body', ''],
  ])('answers a generic message naming the status for %s', (_name, body) => {
    expect(adapter.errorResponse(503, body)).toEqual({
      status: 503,
      message: 'The upstream answered HTTP 503.',
      type: 'server_error',
      param: null,
      code: null,
    });
  });
});
