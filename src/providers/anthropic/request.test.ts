import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatRequestBody, UpstreamTarget } from '../contract.js';
import { fixtureFolder } from '../fixture-replay.case.js';
import { createAnthropicAdapter } from './adapter.js';

// Replays the hand-written fixtures in ./fixtures (see its README) through the adapter.
const fixtures = fixtureFolder(import.meta.url);

const target: UpstreamTarget = {
  origin: 'https://api.anthropic.com',
  basePath: '/v1',
  apiKey: 'sk-ant-api03-upstream-secret',
  upstreamModel: 'claude-sonnet-4-5-20250929',
  streamUsage: true,
  extraHeaders: {},
};

const adapter = createAnthropicAdapter();

function clientBody(name: string): ChatRequestBody {
  return fixtures.json(name) as ChatRequestBody;
}

function sent(body: ChatRequestBody, maxOutputTokens?: number): Record<string, unknown> {
  const request = adapter.chatRequest({ body, target, maxOutputTokens });
  return JSON.parse(request.body ?? 'null') as Record<string, unknown>;
}

function chat(messages: unknown[], extra: Record<string, unknown> = {}): ChatRequestBody {
  return { model: 'claude-sonnet', messages, ...extra };
}

function rejection(body: ChatRequestBody): GatewayError {
  try {
    adapter.chatRequest({ body, target, maxOutputTokens: undefined });
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('the request was accepted');
}

describe('chatRequest', () => {
  it('posts to {basePath}/messages with x-api-key and anthropic-version, never a bearer token', () => {
    const request = adapter.chatRequest({
      body: clientBody('chat-basic.client.json'),
      target,
      maxOutputTokens: 1024,
    });
    expect(request.origin).toBe('https://api.anthropic.com');
    expect(request.path).toBe('/v1/messages');
    expect(request.method).toBe('POST');
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'anthropic-version': '2023-06-01',
      'x-api-key': 'sk-ant-api03-upstream-secret',
    });
  });

  it('merges extra headers by lower-cased name; the stored key wins over a configured one', () => {
    const request = createAnthropicAdapter({ anthropicVersion: '2024-01-01' }).chatRequest({
      body: clientBody('chat-basic.client.json'),
      target: {
        ...target,
        extraHeaders: { 'Anthropic-Beta': 'prompt-caching-2024-07-31', 'X-Api-Key': 'stale' },
      },
      maxOutputTokens: undefined,
    });
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'anthropic-version': '2024-01-01',
      'anthropic-beta': 'prompt-caching-2024-07-31',
      'x-api-key': 'sk-ant-api03-upstream-secret',
    });
  });

  it('sends no key header when the target has no key', () => {
    const request = adapter.chatRequest({
      body: clientBody('chat-basic.client.json'),
      target: { ...target, apiKey: null },
      maxOutputTokens: undefined,
    });
    expect(request.headers).not.toHaveProperty('x-api-key');
    expect(request.headers).not.toHaveProperty('authorization');
  });

  it('moves system and developer messages to `system` and maps the sampling fields', () => {
    const request = adapter.chatRequest({
      body: clientBody('chat-basic.client.json'),
      target,
      maxOutputTokens: 1024,
    });
    expect(request.body).toBe(fixtures.compact('chat-basic.request.json'));
  });

  it('translates images, tool calls, merged tool results, tools and a named tool_choice', () => {
    const request = adapter.chatRequest({
      body: clientBody('chat-tool-calls.client.json'),
      target,
      maxOutputTokens: undefined,
    });
    expect(request.body).toBe(fixtures.compact('chat-tool-calls.request.json'));
  });

  it('leaves the client’s body object untouched', () => {
    const body = clientBody('chat-tool-calls.client.json');
    const before = JSON.stringify(body);
    adapter.chatRequest({ body, target, maxOutputTokens: 100 });
    expect(JSON.stringify(body)).toBe(before);
  });

  it('always sends max_tokens: the gateway’s cap, else the client’s, else the default', () => {
    const messages = [{ role: 'user', content: 'Hi' }];
    expect(sent(chat(messages), 300).max_tokens).toBe(300);
    expect(sent(chat(messages, { max_tokens: 50 })).max_tokens).toBe(50);
    expect(sent(chat(messages, { max_completion_tokens: 60, max_tokens: 50 })).max_tokens).toBe(60);
    expect(sent(chat(messages, { max_tokens: null })).max_tokens).toBe(4096);
    const request = createAnthropicAdapter({ defaultMaxTokens: 8192 }).chatRequest({
      body: chat(messages),
      target,
      maxOutputTokens: undefined,
    });
    expect(JSON.parse(request.body ?? '{}')).toMatchObject({ max_tokens: 8192 });
  });

  it.each([
    ['auto', undefined, { type: 'auto' }],
    ['none', undefined, { type: 'none' }],
    ['required', undefined, { type: 'any' }],
    ['required', false, { type: 'any', disable_parallel_tool_use: true }],
    ['none', false, { type: 'none' }],
    [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
    [undefined, true, undefined],
    [undefined, undefined, undefined],
  ])('maps tool_choice %j with parallel_tool_calls %j', (choice, parallel, expected) => {
    const body = chat([{ role: 'user', content: 'Hi' }], {
      tools: [{ type: 'function', function: { name: 'lookup' } }],
      tool_choice: choice,
      parallel_tool_calls: parallel,
    });
    expect(sent(body).tool_choice).toEqual(expected);
  });

  it('sends neither tools nor tool_choice when the request has no tools', () => {
    const body = chat([{ role: 'user', content: 'Hi' }], { tools: [], tool_choice: 'none' });
    expect(sent(body)).not.toHaveProperty('tools');
    expect(sent(body)).not.toHaveProperty('tool_choice');
  });

  it('keeps text and tool calls of one assistant turn, dropping an empty assistant turn', () => {
    const body = chat([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '' },
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'Looking.' }],
        tool_calls: [
          { id: 'call.1/x', type: 'function', function: { name: 'lookup', arguments: '' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call.1/x', content: 'found' },
      { role: 'user', content: 'Thanks' },
    ]);
    expect(sent(body).messages).toEqual([
      { role: 'user', content: 'Hi' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Looking.' },
          // Anthropic only accepts [a-zA-Z0-9_-] in ids; the result below is renamed alike.
          { type: 'tool_use', id: 'call_1_x', name: 'lookup', input: {} },
        ],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'call_1_x', content: 'found' }],
      },
      { role: 'user', content: 'Thanks' },
    ]);
  });

  it('keeps a client’s cache_control marker and sends a PDF as a document block', () => {
    const body = chat([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Summarise', cache_control: { type: 'ephemeral' } },
          {
            type: 'file',
            file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
          },
        ],
      },
    ]);
    expect(sent(body).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Summarise', cache_control: { type: 'ephemeral' } },
          {
            type: 'document',
            source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
          },
        ],
      },
    ]);
  });

  it('sends safety_identifier, else user, as metadata.user_id', () => {
    const messages = [{ role: 'user', content: 'Hi' }];
    expect(sent(chat(messages, { safety_identifier: 'hash-1', user: 'u' })).metadata).toEqual({
      user_id: 'hash-1',
    });
    expect(sent(chat(messages))).not.toHaveProperty('metadata');
  });

  it.each([
    ['n above 1', chat([{ role: 'user', content: 'Hi' }], { n: 2 }), 'n'],
    [
      'audio input',
      chat([
        {
          role: 'user',
          content: [{ type: 'input_audio', input_audio: { data: 'AA==', format: 'wav' } }],
        },
      ]),
      'messages[0].content[0].input_audio',
    ],
    [
      'a file that is not a PDF',
      chat([
        {
          role: 'user',
          content: [{ type: 'file', file: { file_data: 'data:text/csv;base64,YQ==' } }],
        },
      ]),
      'messages[0].content[0].file',
    ],
    [
      'a file stored at OpenAI',
      chat([{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }]),
      'messages[0].content[0].file',
    ],
    [
      'tool arguments that are not a JSON object',
      chat([
        {
          role: 'assistant',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '[1' } }],
        },
      ]),
      'messages[0].tool_calls[0].function.arguments',
    ],
    [
      'a custom tool',
      chat([{ role: 'user', content: 'Hi' }], {
        tools: [{ type: 'custom', custom: { name: 'x' } }],
      }),
      'tools[0]',
    ],
    [
      'a legacy function message',
      chat([{ role: 'function', name: 'f', content: '{}' }]),
      'messages[0].role',
    ],
    [
      'a tool message without an id',
      chat([{ role: 'tool', content: 'x' }]),
      'messages[0].tool_call_id',
    ],
    [
      'a tool_choice of another shape',
      chat([], { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'any' }),
      'tool_choice',
    ],
  ])('answers 400 naming the parameter for %s', (_name, body, param) => {
    const error = rejection(body);
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_value');
    expect(error.param).toBe(param);
  });
});

describe('embeddingsRequest', () => {
  it('refuses: Anthropic has no embeddings API', () => {
    expect(() => adapter.embeddingsRequest({ body: { model: 'e', input: 'x' }, target })).toThrow(
      GatewayError,
    );
  });
});
