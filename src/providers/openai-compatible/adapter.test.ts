import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import {
  MalformedUpstreamError,
  type ChatRequestBody,
  type EmbeddingsRequestBody,
  type StreamContext,
  type StreamTranslator,
  type TokenUsage,
  type UpstreamEvent,
  type UpstreamTarget,
} from '../contract.js';
import { createOpenAICompatibleAdapter } from './adapter.js';
import { base64ToFloats } from './embedding-encoding.js';

// Replays the hand-written fixtures in ./fixtures (see its README) through the adapter.

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function parsed(name: string): unknown {
  return JSON.parse(fixture(name));
}

/** A fixture's JSON as the compact text `JSON.stringify` writes, key order kept. */
function compact(name: string): string {
  return JSON.stringify(parsed(name));
}

function chatBody(name: string): ChatRequestBody {
  return parsed(name) as ChatRequestBody;
}

function embeddingsBody(name: string): EmbeddingsRequestBody {
  return parsed(name) as EmbeddingsRequestBody;
}

/** Splits raw SSE text into events with the parser the relay uses, fed in `chunkSize` pieces. */
function sseEvents(text: string, chunkSize = text.length): UpstreamEvent[] {
  const events: UpstreamEvent[] = [];
  const parser = createParser({
    onEvent: (message) => events.push({ event: message.event, data: message.data }),
  });
  for (let start = 0; start < text.length; start += chunkSize) {
    parser.feed(text.slice(start, start + chunkSize));
  }
  parser.reset({ consume: true });
  return events;
}

interface Replay {
  translator: StreamTranslator;
  output: string;
  doneAt: number | undefined;
}

/** Pushes every event through a fresh translator, as the relay does, then calls `finish()`. */
function replay(events: readonly UpstreamEvent[], context: StreamContext): Replay {
  const translator = adapter.chatStream(context);
  let output = '';
  let doneAt: number | undefined;
  events.forEach((event, index) => {
    const step = translator.push(event);
    output += step.frames.join('');
    if (step.done && doneAt === undefined) doneAt = index;
  });
  output += translator.finish().join('');
  return { translator, output, doneAt };
}

const target: UpstreamTarget = {
  origin: 'https://llm.internal.example:8443',
  basePath: '/v1',
  apiKey: 'sk-upstream-secret',
  upstreamModel: 'gpt-4o-mini-2024-07-18',
  streamUsage: true,
  extraHeaders: {},
};

const adapter = createOpenAICompatibleAdapter();
const withCompletionTokens = createOpenAICompatibleAdapter({
  maxTokensField: 'max_completion_tokens',
});
const wantsUsage: StreamContext = { clientWantsUsage: true, publicModel: 'gpt-4o-mini' };
const noUsage: StreamContext = { clientWantsUsage: false, publicModel: 'gpt-4o-mini' };

function bodyOf(request: { body: string | undefined }): Record<string, unknown> {
  return JSON.parse(request.body ?? 'null') as Record<string, unknown>;
}

describe('chatRequest', () => {
  it('posts to the base path with a bearer key, JSON in and JSON or SSE out', () => {
    const request = adapter.chatRequest({
      body: chatBody('chat-basic.client.json'),
      target,
      maxOutputTokens: undefined,
    });
    expect(request.origin).toBe('https://llm.internal.example:8443');
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.method).toBe('POST');
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: 'Bearer sk-upstream-secret',
    });
  });

  it('keeps an empty base path empty', () => {
    const request = adapter.chatRequest({
      body: chatBody('chat-basic.client.json'),
      target: { ...target, basePath: '' },
      maxOutputTokens: undefined,
    });
    expect(request.path).toBe('/chat/completions');
  });

  it('sends no authorization header when the target has no key', () => {
    const request = adapter.chatRequest({
      body: chatBody('chat-basic.client.json'),
      target: { ...target, apiKey: null },
      maxOutputTokens: undefined,
    });
    expect(Object.keys(request.headers).map((name) => name.toLowerCase())).not.toContain(
      'authorization',
    );
  });

  it('merges the operator’s extra headers, one header per name whatever its case', () => {
    const request = adapter.chatRequest({
      body: chatBody('chat-basic.client.json'),
      target: {
        ...target,
        extraHeaders: {
          'OpenAI-Organization': 'org-123',
          'X-Title': 'Switchyard',
          Authorization: 'Bearer stale',
          Accept: 'text/event-stream',
        },
      },
      maxOutputTokens: undefined,
    });
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'openai-organization': 'org-123',
      'x-title': 'Switchyard',
      authorization: 'Bearer sk-upstream-secret',
    });
  });

  it('lets an extra header carry the credential when the target has no key', () => {
    const request = adapter.chatRequest({
      body: chatBody('chat-basic.client.json'),
      target: { ...target, apiKey: null, extraHeaders: { 'api-key': 'azure-style' } },
      maxOutputTokens: undefined,
    });
    expect(request.headers['api-key']).toBe('azure-style');
    expect(request.headers.authorization).toBeUndefined();
  });

  it('replaces the model and keeps every other field, unknown and nested ones too, in order', () => {
    const request = adapter.chatRequest({
      body: chatBody('chat-basic.client.json'),
      target,
      maxOutputTokens: undefined,
    });
    expect(request.body).toBe(compact('chat-basic.request.json'));
  });

  it('leaves the client’s body object untouched', () => {
    const body = chatBody('chat-stream.client.json');
    const before = JSON.stringify(body);
    adapter.chatRequest({ body, target, maxOutputTokens: 100 });
    expect(JSON.stringify(body)).toBe(before);
  });

  it('asks a streamUsage upstream for usage, keeping the client’s other stream options', () => {
    const request = adapter.chatRequest({
      body: chatBody('chat-stream.client.json'),
      target,
      maxOutputTokens: undefined,
    });
    expect(request.body).toBe(compact('chat-stream.request.json'));
  });

  it('adds stream_options when the client sent none, and overrides include_usage: false', () => {
    const body: ChatRequestBody = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    };
    expect(bodyOf(adapter.chatRequest({ body, target, maxOutputTokens: undefined }))).toEqual({
      ...body,
      model: target.upstreamModel,
      stream_options: { include_usage: true },
    });
    const declined = { ...body, stream_options: { include_usage: false } };
    expect(
      bodyOf(adapter.chatRequest({ body: declined, target, maxOutputTokens: undefined }))
        .stream_options,
    ).toEqual({ include_usage: true });
  });

  it('leaves stream_options alone when the upstream does not honour them', () => {
    const body = chatBody('chat-stream.client.json');
    const request = adapter.chatRequest({
      body,
      target: { ...target, streamUsage: false },
      maxOutputTokens: undefined,
    });
    expect(request.body).toBe(JSON.stringify({ ...body, model: target.upstreamModel }));
  });

  it('adds no stream_options to a request that does not stream', () => {
    for (const stream of [undefined, false]) {
      const body: ChatRequestBody = { model: 'gpt-4o-mini', messages: [], stream };
      const sent = bodyOf(adapter.chatRequest({ body, target, maxOutputTokens: undefined }));
      expect(sent).not.toHaveProperty('stream_options');
    }
  });

  it('writes the gateway’s output cap to the configured field when the client set none', () => {
    const request = withCompletionTokens.chatRequest({
      body: chatBody('chat-tool-calls.client.json'),
      target,
      maxOutputTokens: 4096,
    });
    expect(request.body).toBe(compact('chat-tool-calls.request.json'));

    const legacy = bodyOf(
      adapter.chatRequest({
        body: chatBody('chat-tool-calls.client.json'),
        target,
        maxOutputTokens: 4096,
      }),
    );
    expect(legacy.max_tokens).toBe(4096);
    expect(legacy).not.toHaveProperty('max_completion_tokens');
  });

  it('adds no cap when the gateway has none', () => {
    const request = withCompletionTokens.chatRequest({
      body: chatBody('chat-tool-calls.client.json'),
      target,
      maxOutputTokens: undefined,
    });
    const sent = bodyOf(request);
    expect(sent).not.toHaveProperty('max_tokens');
    expect(sent).not.toHaveProperty('max_completion_tokens');
  });

  it('never overrides a cap the client set, in either field', () => {
    for (const field of ['max_tokens', 'max_completion_tokens'] as const) {
      for (const candidate of [adapter, withCompletionTokens]) {
        const body: ChatRequestBody = { model: 'gpt-4o-mini', messages: [], [field]: 50 };
        const sent = bodyOf(candidate.chatRequest({ body, target, maxOutputTokens: 4096 }));
        expect(sent).toEqual({ ...body, model: target.upstreamModel });
      }
    }
  });

  it('treats a client’s null cap as unset, so the gateway’s cap still applies', () => {
    const body: ChatRequestBody = { model: 'gpt-4o-mini', messages: [], max_tokens: null };
    const sent = bodyOf(withCompletionTokens.chatRequest({ body, target, maxOutputTokens: 256 }));
    expect(sent).toEqual({ model: target.upstreamModel, messages: [], max_completion_tokens: 256 });
  });
});

describe('chatResponse', () => {
  it('passes the upstream’s bytes through and reads usage with cached tokens', () => {
    const body = fixture('chat-basic.response.json');
    const translated = adapter.chatResponse(body, noUsage);
    expect(translated.body).toBe(body);
    expect(translated.usage).toEqual<TokenUsage>({
      promptTokens: 1117,
      completionTokens: 10,
      cachedTokens: 1024,
    });
    expect(translated.completionText).toBe('Hello! How can I assist you today?');
  });

  it('collects the names and arguments of parallel tool calls', () => {
    const body = fixture('chat-tool-calls.response.json');
    const translated = adapter.chatResponse(body, noUsage);
    expect(translated.body).toBe(body);
    expect(translated.usage).toEqual({ promptTokens: 82, completionTokens: 51, cachedTokens: 0 });
    expect(translated.completionText).toBe(
      'get_current_weather{"location":"Boston, MA","unit":"fahrenheit"}' +
        'get_current_weather{"location":"Paris, France","unit":"celsius"}',
    );
  });

  it('counts DeepSeek’s reasoning_content as delivered text', () => {
    const translated = adapter.chatResponse(fixture('deepseek-reasoner.response.json'), noUsage);
    expect(translated.completionText).toBe(
      '9.8 is greater than 9.11.' +
        'Compare the tenths: 9.8 has 8 tenths, 9.11 has 1 tenth, so 9.8 is greater.',
    );
    expect(translated.usage).toEqual({ promptTokens: 18, completionTokens: 41, cachedTokens: 0 });
  });

  it('reads DeepSeek’s prompt_cache_hit_tokens as cached tokens', () => {
    const translated = adapter.chatResponse(
      fixture('deepseek-chat-cache-hit.response.json'),
      noUsage,
    );
    expect(translated.usage).toEqual({
      promptTokens: 1290,
      completionTokens: 9,
      cachedTokens: 1280,
    });
  });

  it('reports no usage when the upstream sent none', () => {
    const body = JSON.stringify({
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' } }],
    });
    const translated = adapter.chatResponse(body, noUsage);
    expect(translated.usage).toBeUndefined();
    expect(translated.completionText).toBe('Hi');
  });

  it('counts refusals and legacy function calls as delivered text', () => {
    const body = JSON.stringify({
      choices: [
        { index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot help.' } },
        {
          index: 1,
          message: { role: 'assistant', function_call: { name: 'lookup', arguments: '{}' } },
        },
      ],
    });
    expect(adapter.chatResponse(body, noUsage).completionText).toBe('I cannot help.lookup{}');
  });

  it.each([
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['truncated JSON', fixture('chat-basic.response.json').slice(0, 200)],
    ['a JSON array', '[]'],
    ['no choices', JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion' })],
    ['choices that are not a list', JSON.stringify({ choices: { index: 0 } })],
  ])('throws MalformedUpstreamError for %s', (_name, body) => {
    expect(() => adapter.chatResponse(body, noUsage)).toThrow(MalformedUpstreamError);
  });
});

interface StreamCase {
  file: string;
  usage: TokenUsage | undefined;
  text: string;
  /** Whether the stream ends with a usage-only chunk, dropped unless the client asked for usage. */
  usageOnlyChunk: boolean;
}

const streamCases: StreamCase[] = [
  {
    file: 'chat-basic.stream.sse',
    usage: undefined,
    text: 'Hello! How can I help you today?',
    usageOnlyChunk: false,
  },
  {
    file: 'chat-basic-with-usage.stream.sse',
    usage: { promptTokens: 1117, completionTokens: 10, cachedTokens: 1024 },
    text: 'Hello! How can I help you today?',
    usageOnlyChunk: true,
  },
  {
    file: 'chat-tool-calls.stream.sse',
    usage: { promptTokens: 82, completionTokens: 51, cachedTokens: 0 },
    text:
      'get_current_weather{"location": "Boston, MA", "unit":"fahrenheit"}' +
      'get_current_weather{"location": "Paris, France", "unit":"celsius"}',
    usageOnlyChunk: true,
  },
  {
    // DeepSeek puts usage on the chunk that carries finish_reason: nothing is dropped.
    file: 'deepseek-reasoner.stream.sse',
    usage: { promptTokens: 18, completionTokens: 41, cachedTokens: 0 },
    text: 'Compare the tenths: 9.8 has 8, 9.11 has 1.9.8 is greater than 9.11.',
    usageOnlyChunk: false,
  },
];

function usageOnlyFrames(events: readonly UpstreamEvent[]): string[] {
  return events
    .filter((event) => {
      if (event.data === '[DONE]') return false;
      const chunk = JSON.parse(event.data) as { choices?: unknown[]; usage?: unknown };
      return Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage != null;
    })
    .map((event) => `data: ${event.data}\n\n`);
}

describe('chatStream', () => {
  describe.each(streamCases)('$file', ({ file, usage, text, usageOnlyChunk }) => {
    const raw = fixture(file);
    const events = sseEvents(raw);

    it('forwards every event as it came when the client asked for usage', () => {
      const { output, doneAt, translator } = replay(events, wantsUsage);
      expect(output).toBe(raw);
      expect(doneAt).toBe(events.length - 1);
      expect(translator.finish()).toEqual([]);
    });

    it('drops only the usage-only chunk when the client did not ask for usage', () => {
      const dropped = usageOnlyFrames(events);
      expect(dropped).toHaveLength(usageOnlyChunk ? 1 : 0);
      const { output } = replay(events, noUsage);
      expect(output).toBe(dropped.reduce((rest, frame) => rest.replace(frame, ''), raw));
      expect(output.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    it('meters the stream either way', () => {
      for (const context of [wantsUsage, noUsage]) {
        const { translator } = replay(events, context);
        expect(translator.usage()).toEqual(usage);
        expect(translator.deliveredText()).toBe(text);
      }
    });

    it('gives the same frames however the bytes were split on the wire', () => {
      const whole = replay(events, noUsage).output;
      for (const size of [1, 7, 64]) {
        expect(replay(sseEvents(raw, size), noUsage).output).toBe(whole);
      }
    });
  });

  it('streams two parallel tool calls whose arguments reassemble by index', () => {
    const argumentsByIndex = new Map<number, string>();
    for (const event of sseEvents(fixture('chat-tool-calls.stream.sse'))) {
      if (event.data === '[DONE]') continue;
      const chunk = JSON.parse(event.data) as {
        choices: {
          delta: { tool_calls?: { index: number; function?: { arguments?: string } }[] };
        }[];
      };
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        argumentsByIndex.set(
          call.index,
          (argumentsByIndex.get(call.index) ?? '') + (call.function?.arguments ?? ''),
        );
      }
    }
    expect([...argumentsByIndex.keys()]).toEqual([0, 1]);
    expect(JSON.parse(argumentsByIndex.get(1) ?? '')).toEqual({
      location: 'Paris, France',
      unit: 'celsius',
    });
  });

  it('owes the client a [DONE] when a finished stream ended without one', () => {
    const events = sseEvents(fixture('chat-basic.stream.sse')).filter(
      (event) => event.data !== '[DONE]',
    );
    const translator = adapter.chatStream(noUsage);
    for (const event of events) expect(translator.push(event).done).toBe(false);
    expect(translator.finish()).toEqual(['data: [DONE]\n\n']);
  });

  it('throws when the stream ended with neither a finish_reason nor [DONE]', () => {
    const events = sseEvents(fixture('chat-basic.stream.sse')).slice(0, 4);
    const translator = adapter.chatStream(noUsage);
    for (const event of events) translator.push(event);
    expect(translator.deliveredText()).toBe('Hello! How');
    expect(() => translator.finish()).toThrow(MalformedUpstreamError);
  });

  it('throws when the stream ended before any event', () => {
    expect(() => adapter.chatStream(noUsage).finish()).toThrow(MalformedUpstreamError);
  });

  it.each([
    ['not JSON', 'Internal Server Error'],
    ['a JSON array', '[1,2]'],
    ['a chunk without choices', JSON.stringify({ id: 'chatcmpl-1', object: 'chunk' })],
    ['choices that are not a list', JSON.stringify({ choices: 'none', usage: null })],
  ])('throws MalformedUpstreamError for a chunk that is %s', (_name, data) => {
    const translator = adapter.chatStream(wantsUsage);
    expect(() => translator.push({ event: undefined, data })).toThrow(MalformedUpstreamError);
  });

  it('forwards an error event and ends the stream there, owing nothing more', () => {
    const raw = fixture('chat-error-midstream.stream.sse');
    const events = sseEvents(raw);
    const { output, doneAt, translator } = replay(events, noUsage);
    expect(output).toBe(raw);
    expect(doneAt).toBe(events.length - 1);
    expect(translator.deliveredText()).toBe('Once upon');
    expect(translator.usage()).toBeUndefined();
  });

  it('marks the step that carries an upstream error event, so the relay records a failure', () => {
    const events = sseEvents(fixture('chat-error-midstream.stream.sse'));
    const translator = adapter.chatStream(noUsage);
    const steps = events.map((event) => translator.push(event));
    expect(steps.slice(0, -1).every((step) => step.upstreamError === undefined)).toBe(true);
    expect(steps.at(-1)?.upstreamError).toMatchObject({ message: expect.any(String) as string });
  });

  it('ignores whatever arrives after the stream ended', () => {
    const translator = adapter.chatStream(wantsUsage);
    translator.push({ event: undefined, data: '[DONE]' });
    expect(translator.push({ event: undefined, data: 'garbage' })).toEqual({
      frames: [],
      done: true,
    });
    expect(translator.finish()).toEqual([]);
  });

  it('re-frames a multi-line data field so every line keeps its data: prefix', () => {
    const chunk =
      '{\n  "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": null}]\n}';
    const raw = `data: ${chunk.split('\n').join('\ndata: ')}\n\n`;
    const events = sseEvents(raw);
    expect(events).toEqual([{ event: undefined, data: chunk }]);
    const { frames } = adapter.chatStream(noUsage).push(events[0] as UpstreamEvent);
    expect(sseEvents(frames.join(''))).toEqual(events);
  });

  it('gives a usage-only chunk with choices: null the empty list clients expect', () => {
    const data = JSON.stringify({
      id: 'cmpl-1',
      object: 'chat.completion.chunk',
      choices: null,
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    });
    const forwarded = adapter.chatStream(wantsUsage).push({ event: undefined, data });
    const frame = forwarded.frames[0] ?? '';
    expect(JSON.parse(frame.slice('data: '.length))).toEqual({
      ...(JSON.parse(data) as object),
      choices: [],
    });

    const translator = adapter.chatStream(noUsage);
    expect(translator.push({ event: undefined, data }).frames).toEqual([]);
    expect(translator.usage()).toEqual({ promptTokens: 7, completionTokens: 3, cachedTokens: 0 });
  });
});

const floatVectors = (
  parsed('embeddings-float.response.json') as { data: { embedding: number[] }[] }
).data.map((item) => item.embedding);
const base64Vectors = (
  parsed('embeddings-base64.response.json') as { data: { embedding: string }[] }
).data.map((item) => item.embedding);

function embeddingsOf(body: string): unknown[] {
  return (JSON.parse(body) as { data: { embedding: unknown }[] }).data.map(
    (item) => item.embedding,
  );
}

describe('embeddingsRequest', () => {
  it('posts the client’s body with the upstream’s model name', () => {
    const request = adapter.embeddingsRequest({
      body: embeddingsBody('embeddings-base64.client.json'),
      target: { ...target, upstreamModel: 'text-embedding-3-small' },
    });
    expect(request.origin).toBe(target.origin);
    expect(request.path).toBe('/v1/embeddings');
    expect(request.method).toBe('POST');
    expect(request.headers.authorization).toBe('Bearer sk-upstream-secret');
    expect(request.body).toBe(compact('embeddings-base64.request.json'));
  });
});

describe('embeddingsResponse', () => {
  const asked = (encoding: 'float' | 'base64' | undefined): EmbeddingsRequestBody => ({
    model: 'embeddings-small',
    input: ['a', 'b'],
    ...(encoding === undefined ? {} : { encoding_format: encoding }),
  });

  it('encodes floats as base64 of the same float32 values when the client asked for base64', () => {
    const translated = adapter.embeddingsResponse(
      fixture('embeddings-float.response.json'),
      asked('base64'),
    );
    const encoded = embeddingsOf(translated.body);
    expect(encoded).toEqual(base64Vectors);
    encoded.forEach((vector, index) => {
      expect(base64ToFloats(vector as string)).toEqual(floatVectors[index]?.map(Math.fround));
    });
    expect(translated.usage).toEqual({ promptTokens: 13, completionTokens: 0, cachedTokens: 0 });
    expect(translated.completionText).toBe('');
  });

  it('keeps everything else in a converted body', () => {
    const translated = adapter.embeddingsResponse(
      fixture('embeddings-float.response.json'),
      asked('base64'),
    );
    const original = parsed('embeddings-float.response.json') as Record<string, unknown>;
    const converted = JSON.parse(translated.body) as Record<string, unknown>;
    expect(Object.keys(converted)).toEqual(Object.keys(original));
    expect({ ...converted, data: undefined }).toEqual({ ...original, data: undefined });
    expect(converted.data).toEqual([
      { object: 'embedding', index: 0, embedding: base64Vectors[0] },
      { object: 'embedding', index: 1, embedding: base64Vectors[1] },
    ]);
  });

  it.each([['float' as const], [undefined]])(
    'decodes base64 to numbers when the client asked for %s',
    (encoding) => {
      const translated = adapter.embeddingsResponse(
        fixture('embeddings-base64.response.json'),
        asked(encoding),
      );
      expect(embeddingsOf(translated.body)).toEqual(
        floatVectors.map((vector) => vector.map(Math.fround)),
      );
      expect(translated.usage).toEqual({ promptTokens: 13, completionTokens: 0, cachedTokens: 0 });
    },
  );

  it.each([
    ['embeddings-float.response.json', 'float' as const],
    ['embeddings-float.response.json', undefined],
    ['embeddings-base64.response.json', 'base64' as const],
  ])('returns %s unchanged when the client asked for %s', (file, encoding) => {
    const body = fixture(file);
    expect(adapter.embeddingsResponse(body, asked(encoding)).body).toBe(body);
  });

  it.each([
    ['not JSON', 'upstream exploded'],
    ['no data', JSON.stringify({ object: 'list', usage: { prompt_tokens: 1 } })],
    ['an item that is not an object', JSON.stringify({ data: [[0.1, 0.2]] })],
    ['an item without a vector', JSON.stringify({ data: [{ index: 0 }] })],
    ['a vector holding a string', JSON.stringify({ data: [{ embedding: [0.1, '0.2'] }] })],
    ['a vector holding null', JSON.stringify({ data: [{ embedding: [0.1, null] }] })],
    ['text that is not base64', JSON.stringify({ data: [{ embedding: 'not*base64!' }] })],
    ['base64 of half a float', JSON.stringify({ data: [{ embedding: 'AAA=' }] })],
  ])('throws MalformedUpstreamError for %s', (_name, body) => {
    for (const encoding of ['float', 'base64'] as const) {
      expect(() => adapter.embeddingsResponse(body, asked(encoding))).toThrow(
        MalformedUpstreamError,
      );
    }
  });
});

describe('errorResponse', () => {
  it('reads OpenAI’s envelope', () => {
    expect(adapter.errorResponse(400, fixture('error-400.json'))).toEqual({
      status: 400,
      message:
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: 'unsupported_parameter',
    });
    expect(adapter.errorResponse(401, fixture('error-401.json'))).toMatchObject({
      status: 401,
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    });
  });

  it('turns a numeric code into a string', () => {
    expect(adapter.errorResponse(400, fixture('error-400-vllm.json'))).toMatchObject({
      type: 'BadRequestError',
      param: null,
      code: '400',
    });
  });

  it('reads the bare error object older vLLM servers send', () => {
    expect(adapter.errorResponse(404, fixture('error-404-vllm-legacy.json'))).toEqual({
      status: 404,
      message: 'The model `llama-3-8b` does not exist.',
      type: 'NotFoundError',
      param: null,
      code: '404',
    });
  });

  it('reads an error that is only a string', () => {
    expect(adapter.errorResponse(404, '{"error":"model \\"llama3\\" not found"}')).toEqual({
      status: 404,
      message: 'model "llama3" not found',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  });

  it.each([
    ['an HTML page', fixture('error-502.html')],
    ['an empty body', ''],
    ['JSON of another shape', '{"detail":"Not Found"}'],
    ['an envelope with an empty message', '{"error":{"message":""}}'],
  ])('answers a generic message naming the status for %s', (_name, body) => {
    expect(adapter.errorResponse(502, body)).toEqual({
      status: 502,
      message: 'The upstream answered HTTP 502.',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  });

  it('never repeats the request’s URL', () => {
    const url = `${target.origin}${target.basePath}/chat/completions`;
    const bodies = [
      fixture('error-400.json'),
      fixture('error-401.json'),
      fixture('error-400-vllm.json'),
      fixture('error-502.html'),
      `<html><body>upstream ${url} timed out</body></html>`,
      `Bad Gateway: ${url}`,
    ];
    for (const body of bodies) {
      const text = JSON.stringify(adapter.errorResponse(502, body));
      expect(text).not.toContain(url);
      expect(text).not.toContain('llm.internal.example');
    }
  });
});
