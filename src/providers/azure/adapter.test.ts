import { describe, expect, it } from 'vitest';
import { assertMatchesOpenAISchema } from '../../../test/support/openai-schema.js';
import type {
  ChatRequestBody,
  EmbeddingsRequestBody,
  StreamContext,
  UpstreamTarget,
} from '../contract.js';
import {
  assertChunksMatchSchema,
  finalCompletionFromSdk,
  fixtureFolder,
  replayStream,
  sseEvents,
} from '../fixture-replay.case.js';
import { createAzureOpenAIAdapter } from './adapter.js';

// Replays the hand-written fixtures in ./fixtures (see its README) through the adapter.
const fixtures = fixtureFolder(import.meta.url);

const target: UpstreamTarget = {
  origin: 'https://contoso-eastus.openai.azure.com',
  basePath: '',
  apiKey: '0123456789abcdef0123456789abcdef',
  upstreamModel: 'gpt-4o-prod',
  streamUsage: true,
  extraHeaders: {},
};

const adapter = createAzureOpenAIAdapter({
  apiVersion: '2024-10-21',
  maxTokensField: 'max_completion_tokens',
});
const wantsUsage: StreamContext = { clientWantsUsage: true, publicModel: 'gpt-4o' };
const noUsage: StreamContext = { clientWantsUsage: false, publicModel: 'gpt-4o' };

function clientBody(name: string): ChatRequestBody {
  return fixtures.json(name) as ChatRequestBody;
}

describe('chatRequest', () => {
  it('posts to the deployment with api-version, authenticating with api-key, not a bearer', () => {
    const request = adapter.chatRequest({
      body: clientBody('chat.client.json'),
      target,
      maxOutputTokens: 1000,
    });
    expect(request.origin).toBe('https://contoso-eastus.openai.azure.com');
    expect(request.path).toBe(
      '/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21',
    );
    expect(request.method).toBe('POST');
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'api-key': '0123456789abcdef0123456789abcdef',
    });
  });

  it('sends OpenAI’s body, Azure’s own fields kept, with the deployment as model', () => {
    const request = adapter.chatRequest({
      body: clientBody('chat.client.json'),
      target,
      maxOutputTokens: 1000,
    });
    expect(request.body).toBe(fixtures.compact('chat.request.json'));
  });

  it('uses a configured deployment over the upstream model name, escaped in the path', () => {
    const request = createAzureOpenAIAdapter({
      apiVersion: '2025-01-01-preview',
      deployment: 'gpt 4o/eu',
    }).chatRequest({ body: clientBody('chat.client.json'), target, maxOutputTokens: 50 });
    expect(request.path).toBe(
      '/openai/deployments/gpt%204o%2Feu/chat/completions?api-version=2025-01-01-preview',
    );
    const sent = JSON.parse(request.body ?? '{}') as Record<string, unknown>;
    expect(sent.model).toBe('gpt 4o/eu');
    expect(sent.max_tokens).toBe(50);
  });

  it('lets an extra header carry the key when the target has none', () => {
    const request = adapter.chatRequest({
      body: clientBody('chat.client.json'),
      target: { ...target, apiKey: null, extraHeaders: { 'Api-Key': 'from-config' } },
      maxOutputTokens: undefined,
    });
    expect(request.headers['api-key']).toBe('from-config');
    expect(request.headers).not.toHaveProperty('authorization');
  });
});

describe('chatResponse', () => {
  it('passes the body through, content-filter results included, and reads cached tokens', () => {
    const body = fixtures.text('chat-content-filter.response.json');
    const translated = adapter.chatResponse(body, noUsage);
    expect(translated.body).toBe(body);
    assertMatchesOpenAISchema('CreateChatCompletionResponse', JSON.parse(translated.body));
    expect(translated.usage).toEqual({
      promptTokens: 1045,
      completionTokens: 10,
      cachedTokens: 1024,
    });
    expect(translated.completionText).toBe('Hello! How can I help you today?');
  });
});

describe('chatStream', () => {
  const raw = fixtures.text('chat.stream.sse');
  const expected = fixtures.text('chat.expected.sse');
  const events = sseEvents(raw);

  it('mends only the filter-only chunks, keeping their results, and forwards the rest as is', () => {
    const { output, doneAt, translator } = replayStream(adapter, events, wantsUsage);
    expect(output).toBe(expected);
    expect(doneAt).toBe(events.length - 1);
    assertChunksMatchSchema(output);
    expect(output).toContain('"prompt_filter_results"');
    expect(output).toContain('"content_filter_offsets"');
    expect(translator.usage()).toEqual({ promptTokens: 19, completionTokens: 2, cachedTokens: 0 });
    expect(translator.deliveredText()).toBe('Hello!');
  });

  it('drops the usage chunk the gateway asked for when the client did not', () => {
    const { output } = replayStream(adapter, events, noUsage);
    expect(output).not.toContain('"usage":{');
    expect(output).toContain('"prompt_filter_results"');
  });

  it('gives the same frames however the bytes were split on the wire', () => {
    for (const size of [1, 7, 64]) {
      expect(replayStream(adapter, sseEvents(raw, size), wantsUsage).output).toBe(expected);
    }
  });

  it('satisfies the official SDK’s stream helper', async () => {
    const completion = await finalCompletionFromSdk(
      replayStream(adapter, events, wantsUsage).output,
    );
    expect(completion.choices[0]?.message.content).toBe('Hello!');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });
});

describe('embeddings', () => {
  it('posts to the deployment’s embeddings path with the client’s body', () => {
    const request = adapter.embeddingsRequest({
      body: fixtures.json('embeddings.client.json') as EmbeddingsRequestBody,
      target: { ...target, upstreamModel: 'embeddings-small' },
    });
    expect(request.path).toBe(
      '/openai/deployments/embeddings-small/embeddings?api-version=2024-10-21',
    );
    expect(request.headers['api-key']).toBe(target.apiKey);
    expect(request.body).toBe(fixtures.compact('embeddings.request.json'));
  });

  it('answers in the encoding the client asked for', () => {
    const body = fixtures.text('embeddings.response.json');
    const requested: EmbeddingsRequestBody = { model: 'text-embedding-3-small', input: ['a', 'b'] };
    expect(adapter.embeddingsResponse(body, requested).body).toBe(body);
    const base64 = adapter.embeddingsResponse(body, { ...requested, encoding_format: 'base64' });
    const data = (JSON.parse(base64.body) as { data: { embedding: unknown }[] }).data;
    expect(data.every((item) => typeof item.embedding === 'string')).toBe(true);
    expect(base64.usage).toEqual({ promptTokens: 4, completionTokens: 0, cachedTokens: 0 });
  });
});

describe('errorResponse', () => {
  it('passes a content-filter rejection on with its code and parameter', () => {
    expect(
      adapter.errorResponse(400, fixtures.text('error-400-content-filter.json')),
    ).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      param: 'prompt',
      code: 'content_filter',
    });
  });

  it('reads Azure’s error objects, which carry a code but no type', () => {
    expect(adapter.errorResponse(404, fixtures.text('error-404-deployment.json'))).toMatchObject({
      status: 404,
      type: 'invalid_request_error',
      code: 'DeploymentNotFound',
    });
    expect(adapter.errorResponse(401, fixtures.text('error-401.json'))).toMatchObject({
      status: 401,
      code: '401',
    });
  });
});
