import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatRequestBody, EmbeddingsRequestBody, UpstreamTarget } from '../contract.js';
import { fixtureFolder } from '../fixture-replay.case.js';
import { createGeminiAdapter } from './adapter.js';

// Replays the hand-written fixtures in ./fixtures (see its README) through the adapter.
const fixtures = fixtureFolder(import.meta.url);

const target: UpstreamTarget = {
  origin: 'https://generativelanguage.googleapis.com',
  basePath: '',
  apiKey: 'AIzaSy-upstream-secret',
  upstreamModel: 'gemini-2.5-flash',
  streamUsage: true,
  extraHeaders: {},
};

const adapter = createGeminiAdapter();

function clientBody(name: string): ChatRequestBody {
  return fixtures.json(name) as ChatRequestBody;
}

function chat(messages: unknown[], extra: Record<string, unknown> = {}): ChatRequestBody {
  return { model: 'gemini-flash', messages, ...extra };
}

function sent(body: ChatRequestBody, maxOutputTokens?: number): Record<string, unknown> {
  const request = adapter.chatRequest({ body, target, maxOutputTokens });
  return JSON.parse(request.body ?? 'null') as Record<string, unknown>;
}

function rejection(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('the request was accepted');
}

describe('chatRequest', () => {
  it('posts generateContent with the key in x-goog-api-key, never in the URL', () => {
    const request = adapter.chatRequest({
      body: clientBody('chat-basic.client.json'),
      target,
      maxOutputTokens: undefined,
    });
    expect(request.origin).toBe('https://generativelanguage.googleapis.com');
    expect(request.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(request.method).toBe('POST');
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'x-goog-api-key': 'AIzaSy-upstream-secret',
    });
  });

  it('streams through streamGenerateContent as SSE', () => {
    const request = adapter.chatRequest({
      body: clientBody('chat-tool-calls.client.json'),
      target,
      maxOutputTokens: 2048,
    });
    expect(request.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });

  it.each([
    ['', 'v1beta', 'gemini-2.5-flash', '/v1beta/models/gemini-2.5-flash:generateContent'],
    ['/v1beta', 'v1beta', 'gemini-2.5-flash', '/v1beta/models/gemini-2.5-flash:generateContent'],
    ['/proxy', 'v1', 'models/gemini-2.5-pro', '/proxy/v1/models/gemini-2.5-pro:generateContent'],
    ['', 'v1beta', 'tunedModels/cats-1', '/v1beta/tunedModels/cats-1:generateContent'],
  ])(
    'builds the path from base path %j, version %j and model %j',
    (basePath, version, model, path) => {
      const request = createGeminiAdapter({ apiVersion: version }).chatRequest({
        body: chat([{ role: 'user', content: 'Hi' }]),
        target: { ...target, basePath, upstreamModel: model },
        maxOutputTokens: undefined,
      });
      expect(request.path).toBe(path);
    },
  );

  it('merges extra headers; the stored key wins, and no key sends no key header', () => {
    const body = chat([{ role: 'user', content: 'Hi' }]);
    const withExtras = adapter.chatRequest({
      body,
      target: { ...target, extraHeaders: { 'X-Goog-Api-Key': 'stale', 'X-Server-Timeout': '60' } },
      maxOutputTokens: undefined,
    });
    expect(withExtras.headers['x-goog-api-key']).toBe('AIzaSy-upstream-secret');
    expect(withExtras.headers['x-server-timeout']).toBe('60');
    const keyless = adapter.chatRequest({
      body,
      target: { ...target, apiKey: null },
      maxOutputTokens: undefined,
    });
    expect(keyless.headers).not.toHaveProperty('x-goog-api-key');
  });

  it('translates system, turns, images and generation settings', () => {
    const request = adapter.chatRequest({
      body: clientBody('chat-basic.client.json'),
      target,
      maxOutputTokens: undefined,
    });
    expect(request.body).toBe(fixtures.compact('chat-basic.request.json'));
  });

  it('translates tool calls with their thought signature, function responses and tool_choice', () => {
    const request = adapter.chatRequest({
      body: clientBody('chat-tool-calls.client.json'),
      target,
      maxOutputTokens: 2048,
    });
    expect(request.body).toBe(fixtures.compact('chat-tool-calls.request.json'));
  });

  it('leaves the client’s body object untouched', () => {
    const body = clientBody('chat-tool-calls.client.json');
    const before = JSON.stringify(body);
    adapter.chatRequest({ body, target, maxOutputTokens: 100 });
    expect(JSON.stringify(body)).toBe(before);
  });

  it.each([
    ['auto', { mode: 'AUTO' }],
    ['none', { mode: 'NONE' }],
    ['required', { mode: 'ANY' }],
  ])('maps tool_choice %j', (choice, config) => {
    const body = chat([{ role: 'user', content: 'Hi' }], {
      tools: [{ type: 'function', function: { name: 'lookup' } }],
      tool_choice: choice,
    });
    expect(sent(body)).toMatchObject({
      tools: [{ functionDeclarations: [{ name: 'lookup' }] }],
      toolConfig: { functionCallingConfig: config },
    });
  });

  it('asks for JSON output for response_format json_object and json_schema', () => {
    const messages = [{ role: 'user', content: 'List two cats' }];
    const schema = { type: 'object', properties: { names: { type: 'array' } } };
    expect(
      sent(chat(messages, { response_format: { type: 'json_object' } })).generationConfig,
    ).toEqual({
      responseMimeType: 'application/json',
    });
    const body = chat(messages, {
      response_format: { type: 'json_schema', json_schema: { name: 'cats', schema } },
    });
    expect(sent(body).generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: schema,
    });
    expect(sent(chat(messages, { response_format: { type: 'text' } }))).not.toHaveProperty(
      'generationConfig',
    );
  });

  it('sends the gateway’s cap over the client’s, and audio and files as inline data', () => {
    const body = chat(
      [
        {
          role: 'user',
          content: [
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          ],
        },
      ],
      { max_completion_tokens: 10 },
    );
    expect(sent(body, 99)).toEqual({
      contents: [
        {
          role: 'user',
          parts: [
            { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
            { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
            { fileData: { fileUri: 'https://example.com/cat.png' } },
          ],
        },
      ],
      generationConfig: { maxOutputTokens: 99 },
    });
  });

  it.each([
    [
      'a tool result whose call is not in the conversation',
      chat([{ role: 'tool', tool_call_id: 'call_missing', content: 'x' }]),
      'messages[0].tool_call_id',
    ],
    [
      'tool arguments that are not JSON',
      chat([
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: 'nope' } }],
        },
      ]),
      'messages[0].tool_calls[0].function.arguments',
    ],
    [
      'a file stored at OpenAI',
      chat([{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }]),
      'messages[0].content[0].file',
    ],
  ])('answers 400 naming the parameter for %s', (_name, body, param) => {
    const error = rejection(() =>
      adapter.chatRequest({ body, target, maxOutputTokens: undefined }),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });
});

describe('embeddingsRequest', () => {
  const embeddingTarget = { ...target, upstreamModel: 'gemini-embedding-001' };

  it('posts batchEmbedContents with one request per input and the dimensions', () => {
    const request = adapter.embeddingsRequest({
      body: fixtures.json('embeddings.client.json') as EmbeddingsRequestBody,
      target: embeddingTarget,
    });
    expect(request.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(request.headers['x-goog-api-key']).toBe('AIzaSy-upstream-secret');
    expect(request.body).toBe(fixtures.compact('embeddings.request.json'));
  });

  it('sends a single string as one request', () => {
    const request = adapter.embeddingsRequest({
      body: { model: 'e', input: 'Hello' },
      target: embeddingTarget,
    });
    expect(JSON.parse(request.body ?? '{}')).toEqual({
      requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'Hello' }] } }],
    });
  });

  it('answers 400 for token ids, which Gemini cannot take', () => {
    for (const input of [[1, 2, 3], [[1, 2]]]) {
      const error = rejection(() =>
        adapter.embeddingsRequest({ body: { model: 'e', input }, target: embeddingTarget }),
      );
      expect(error.param).toBe('input');
    }
  });
});
