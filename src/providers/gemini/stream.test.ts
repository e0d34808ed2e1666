import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MalformedUpstreamError, type StreamContext, type UpstreamEvent } from '../contract.js';
import {
  assertChunksMatchSchema,
  finalCompletionFromSdk,
  fixtureFolder,
  framePayloads,
  replayStream,
  sseEvents,
  withoutUsageChunk,
} from '../fixture-replay.case.js';
import { createGeminiAdapter } from './adapter.js';

// Replays the hand-written fixtures in ./fixtures (see its README) through the adapter.
const fixtures = fixtureFolder(import.meta.url);
const adapter = createGeminiAdapter();
const wantsUsage: StreamContext = { clientWantsUsage: true, publicModel: 'gemini-flash' };
const noUsage: StreamContext = { clientWantsUsage: false, publicModel: 'gemini-flash' };

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
});
afterAll(() => {
  vi.useRealTimers();
});

function replay(events: readonly UpstreamEvent[], context: StreamContext) {
  return replayStream(adapter, events, context);
}

function data(value: unknown): UpstreamEvent {
  return { event: undefined, data: JSON.stringify(value) };
}

const streamCases = [
  {
    name: 'chat-basic',
    usage: { promptTokens: 8, completionTokens: 26, cachedTokens: 0 },
    text: 'The quick brown fox jumps over the lazy dog.',
    delivered: 'The quick brown fox jumps over the lazy dog.',
    toolCalls: [] as { name: string; arguments: unknown }[],
    finishReason: 'stop',
  },
  {
    name: 'chat-tool-calls',
    usage: { promptTokens: 190, completionTokens: 30, cachedTokens: 128 },
    text: 'Dimming the lights now.',
    delivered: 'Dimming the lights now.dim_lights{"brightness":0.2}power_disco_ball{"power":false}',
    toolCalls: [
      { name: 'dim_lights', arguments: { brightness: 0.2 } },
      { name: 'power_disco_ball', arguments: { power: false } },
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

      it('writes the expected chunks, then the usage chunk and [DONE] when the upstream ends', () => {
        const { output, doneAt } = replay(events, wantsUsage);
        expect(output).toBe(expected);
        // Gemini has no end event: nothing says done until finish().
        expect(doneAt).toBeUndefined();
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

      it('gives the same frames however the CRLF-framed bytes were split on the wire', () => {
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
      });
    },
  );

  it('turns an error chunk into an OpenAI error frame that ends the stream', () => {
    const events = sseEvents(fixtures.text('chat-error-midstream.stream.sse'));
    const { output, steps, doneAt, translator } = replay(events, wantsUsage);
    expect(output.split('\n\n').filter(Boolean).at(-1)).toBe(
      'data: {"error":{"message":"The model is overloaded. Please try again later.","type":"server_error","param":null,"code":"unavailable"}}',
    );
    expect(output).not.toContain('[DONE]');
    expect(doneAt).toBe(1);
    expect(steps[0]?.upstreamError).toBeUndefined();
    expect(steps[1]?.upstreamError).toMatchObject({ status: 503, code: 'unavailable' });
    expect(translator.deliveredText()).toBe('Once upon');
    expect(translator.finish()).toEqual([]);
    expect(translator.push(events[0] as UpstreamEvent)).toEqual({ frames: [], done: true });
  });

  it('ends a blocked prompt with a content_filter choice', () => {
    const blocked = data({
      promptFeedback: { blockReason: 'SAFETY' },
      usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 },
    });
    const { output, translator } = replay([blocked], wantsUsage);
    assertChunksMatchSchema(output);
    expect(framePayloads(output)[0]).toMatchObject({
      choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: 'content_filter' }],
    });
    expect(translator.usage()).toEqual({ promptTokens: 7, completionTokens: 0, cachedTokens: 0 });
  });

  it('streams several candidates as several choices, each opened with its role', async () => {
    const events = [
      data({
        candidates: [
          { content: { parts: [{ text: 'A' }] }, index: 0 },
          { content: { parts: [{ text: 'B' }] }, index: 1 },
        ],
      }),
      data({
        candidates: [
          { content: { parts: [{ text: '!' }] }, finishReason: 'STOP', index: 0 },
          { content: { parts: [{ text: '?' }] }, finishReason: 'MAX_TOKENS', index: 1 },
        ],
      }),
    ];
    const { output } = replay(events, noUsage);
    assertChunksMatchSchema(output);
    const completion = await finalCompletionFromSdk(output);
    expect(
      completion.choices.map((choice) => [choice.message.content, choice.finish_reason]),
    ).toEqual([
      ['A!', 'stop'],
      ['B?', 'length'],
    ]);
  });

  it('throws when the stream ended before a finish reason, or before any chunk', () => {
    const events = sseEvents(fixtures.text('chat-basic.stream.sse')).slice(0, 2);
    const translator = adapter.chatStream(noUsage);
    for (const event of events) translator.push(event);
    expect(translator.deliveredText()).toBe('The quick brown fox');
    expect(() => translator.finish()).toThrow(MalformedUpstreamError);
    expect(() => adapter.chatStream(noUsage).finish()).toThrow(MalformedUpstreamError);
  });

  it.each([
    ['not JSON', 'Internal Server Error'],
    ['a JSON array', '[1,2]'],
    ['a chunk with nothing Gemini sends', JSON.stringify({ hello: 'world' })],
  ])('throws MalformedUpstreamError for a chunk that is %s', (_name, payload) => {
    const translator = adapter.chatStream(noUsage);
    expect(() => translator.push({ event: undefined, data: payload })).toThrow(
      MalformedUpstreamError,
    );
  });
});
