import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MalformedUpstreamError, type StreamContext, type UpstreamEvent } from '../contract.js';
import {
  assertChunksMatchSchema,
  finalCompletionFromSdk,
  fixtureFolder,
  replayStream,
  sseEvents,
  withoutUsageChunk,
} from '../fixture-replay.case.js';
import { createAnthropicAdapter } from './adapter.js';

// Replays the hand-written fixtures in ./fixtures (see its README) through the adapter.
const fixtures = fixtureFolder(import.meta.url);
const adapter = createAnthropicAdapter();
const wantsUsage: StreamContext = { clientWantsUsage: true, publicModel: 'claude-sonnet' };
const noUsage: StreamContext = { clientWantsUsage: false, publicModel: 'claude-sonnet' };

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
});
afterAll(() => {
  vi.useRealTimers();
});

function event(type: string, fields: Record<string, unknown> = {}): UpstreamEvent {
  return { event: type, data: JSON.stringify({ type, ...fields }) };
}

const start = event('message_start', {
  message: { id: 'msg_x', model: 'claude-haiku-4-5', usage: { input_tokens: 5, output_tokens: 1 } },
});

const streamCases = [
  {
    name: 'chat-basic',
    usage: { promptTokens: 25, completionTokens: 15, cachedTokens: 0 },
    text: 'Hello!',
    delivered: 'Hello!',
    toolCalls: [] as { name: string; arguments: unknown }[],
    finishReason: 'stop',
  },
  {
    name: 'chat-tool-calls',
    usage: { promptTokens: 1496, completionTokens: 89, cachedTokens: 1024 },
    text: "Okay, let's check the weather in both cities:",
    delivered:
      "Okay, let's check the weather in both cities:" +
      'get_weather{"location": "San Francisco, CA", "unit": "fahrenheit"}' +
      'get_weather{"location": "New York, NY"}',
    toolCalls: [
      { name: 'get_weather', arguments: { location: 'San Francisco, CA', unit: 'fahrenheit' } },
      { name: 'get_weather', arguments: { location: 'New York, NY' } },
    ],
    finishReason: 'tool_calls',
  },
];

describe('chatStream', () => {
  describe.each(streamCases)(
    '$name',
    ({ name, usage, text, delivered, toolCalls, finishReason }) => {
      const raw = fixtures.text(`${name}.stream.sse`);
      const expected = fixtures.text(`${name}.expected.sse`);
      const events = sseEvents(raw);

      it('writes the expected chunks, the usage chunk and [DONE] at message_stop', () => {
        const { output, doneAt } = replay(events, wantsUsage);
        expect(output).toBe(expected);
        expect(doneAt).toBe(events.length - 1);
        assertChunksMatchSchema(output);
      });

      it('leaves out only the usage chunk when the client did not ask for usage', () => {
        const { output } = replay(events, noUsage);
        expect(output).toBe(withoutUsageChunk(expected));
        expect(output).not.toBe(expected);
      });

      it('meters the stream either way', () => {
        for (const context of [wantsUsage, noUsage]) {
          const { translator } = replay(events, context);
          expect(translator.usage()).toEqual(usage);
          expect(translator.deliveredText()).toBe(delivered);
        }
      });

      it('gives the same frames however the bytes were split on the wire', () => {
        for (const size of [1, 7, 64]) {
          expect(replay(sseEvents(raw, size), wantsUsage).output).toBe(expected);
        }
      });

      it('satisfies the official SDK’s stream helper', async () => {
        const completion = await finalCompletionFromSdk(replay(events, wantsUsage).output);
        const choice = completion.choices[0];
        expect(choice?.message.content).toBe(text);
        expect(choice?.finish_reason).toBe(finishReason);
        expect(
          (choice?.message.tool_calls ?? []).map((call) =>
            call.type === 'function'
              ? {
                  name: call.function.name,
                  arguments: JSON.parse(call.function.arguments) as unknown,
                }
              : call,
          ),
        ).toEqual(toolCalls);
        expect(completion.usage?.prompt_tokens).toBe(usage.promptTokens);
      });
    },
  );

  it('turns an error event into an OpenAI error frame that ends the stream', () => {
    const events = sseEvents(fixtures.text('chat-error-midstream.stream.sse'));
    const { output, steps, doneAt, translator } = replay(events, wantsUsage);
    const frames = output.split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe(
      'data: {"error":{"message":"Overloaded","type":"server_error","param":null,"code":"overloaded_error"}}',
    );
    expect(output).not.toContain('[DONE]');
    expect(doneAt).toBe(events.length - 1);
    expect(steps.slice(0, -1).every((step) => step.upstreamError === undefined)).toBe(true);
    expect(steps.at(-1)?.upstreamError).toEqual({
      status: 529,
      message: 'Overloaded',
      type: 'server_error',
      param: null,
      code: 'overloaded_error',
    });
    expect(translator.deliveredText()).toBe('Once upon');
    expect(translator.usage()).toEqual({ promptTokens: 18, completionTokens: 1, cachedTokens: 0 });
    expect(translator.finish()).toEqual([]);
    expect(translator.push(event('message_stop'))).toEqual({ frames: [], done: true });
  });

  it('closes a stream cut after the finish reason, owing the client only [DONE]', () => {
    const events = sseEvents(fixtures.text('chat-basic.stream.sse')).slice(0, -1);
    const { output } = replay(events, noUsage);
    expect(output).toBe(withoutUsageChunk(fixtures.text('chat-basic.expected.sse')));
  });

  it('throws when the stream ended before a finish reason, or before any event', () => {
    const events = sseEvents(fixtures.text('chat-basic.stream.sse')).slice(0, 4);
    const translator = adapter.chatStream(noUsage);
    for (const item of events) translator.push(item);
    expect(translator.deliveredText()).toBe('Hello');
    expect(() => translator.finish()).toThrow(MalformedUpstreamError);
    expect(() => adapter.chatStream(noUsage).finish()).toThrow(MalformedUpstreamError);
  });

  it('skips thinking blocks, server-tool input and event types it does not know', () => {
    const events = [
      start,
      event('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }),
      event('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Hm' } }),
      event('content_block_delta', {
        index: 0,
        delta: { type: 'signature_delta', signature: 'E' },
      }),
      event('content_block_start', {
        index: 1,
        content_block: { type: 'server_tool_use', id: 's' },
      }),
      event('content_block_delta', {
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{"query":"x"}' },
      }),
      event('content_block_start', { index: 2, content_block: { type: 'text', text: 'Hi' } }),
      event('a_future_event', { detail: 1 }),
      event('message_stop'),
    ];
    const { output, translator } = replay(events, noUsage);
    assertChunksMatchSchema(output);
    expect(translator.deliveredText()).toBe('Hi');
    // message_stop without message_delta still gives the choice a finish reason.
    expect(output).toContain('"finish_reason":"stop"');
  });

  it('takes the latest cumulative counts, input included, from message_delta', () => {
    const events = [
      start,
      event('message_delta', {
        delta: { stop_reason: 'end_turn' },
        usage: { input_tokens: 9, cache_read_input_tokens: 4, output_tokens: 7 },
      }),
    ];
    expect(replay(events, noUsage).translator.usage()).toEqual({
      promptTokens: 13,
      completionTokens: 7,
      cachedTokens: 4,
    });
  });

  it.each([
    ['not JSON', 'Internal Server Error'],
    ['a JSON array', '[1,2]'],
  ])('throws MalformedUpstreamError for an event that is %s', (_name, data) => {
    const translator = adapter.chatStream(noUsage);
    expect(() => translator.push({ event: 'message_start', data })).toThrow(MalformedUpstreamError);
  });
});

function replay(events: readonly UpstreamEvent[], context: StreamContext) {
  return replayStream(adapter, events, context);
}
