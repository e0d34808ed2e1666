/**
 * Shared by the provider adapters' tests: reading fixtures, splitting raw SSE bytes into events
 * the way the relay does, replaying them through a translator, and checking what comes out with
 * OpenAI's schema and the official `openai` SDK's own stream helper.
 */
import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';
import OpenAI from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { assertMatchesOpenAISchema } from '../../test/support/openai-schema.js';
import type {
  ProviderAdapter,
  StreamContext,
  StreamStep,
  StreamTranslator,
  UpstreamEvent,
} from './contract.js';

/** Reads files from the `fixtures` folder beside the test module at `moduleUrl`. */
export function fixtureFolder(moduleUrl: string) {
  const text = (name: string): string =>
    readFileSync(new URL(`./fixtures/${name}`, moduleUrl), 'utf8');
  const json = (name: string): unknown => JSON.parse(text(name));
  return {
    text,
    json,
    /** A fixture's JSON as the compact text `JSON.stringify` writes, key order kept. */
    compact: (name: string): string => JSON.stringify(json(name)),
  };
}

/** Splits raw SSE text into events with the parser the relay uses, fed in `chunkSize` pieces. */
export function sseEvents(text: string, chunkSize = text.length): UpstreamEvent[] {
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

/** What a replayed stream produced. */
export interface Replay {
  translator: StreamTranslator;
  steps: StreamStep[];
  /** Every frame written to the client, `finish()`'s included, concatenated. */
  output: string;
  /** Index of the first event whose step said done. */
  doneAt: number | undefined;
}

/** Pushes every event through a fresh translator, as the relay does, then calls `finish()`. */
export function replayStream(
  adapter: ProviderAdapter,
  events: readonly UpstreamEvent[],
  context: StreamContext,
): Replay {
  const translator = adapter.chatStream(context);
  const steps = events.map((event) => translator.push(event));
  let output = steps.map((step) => step.frames.join('')).join('');
  output += translator.finish().join('');
  const doneAt = steps.findIndex((step) => step.done);
  return { translator, steps, output, doneAt: doneAt === -1 ? undefined : doneAt };
}

/** The JSON payloads of an OpenAI stream's frames, without `[DONE]`. */
export function framePayloads(output: string): unknown[] {
  return sseEvents(output)
    .filter((event) => event.data !== '[DONE]')
    .map((event) => JSON.parse(event.data) as unknown);
}

/** Checks every chunk of a translated stream against OpenAI's chunk schema. */
export function assertChunksMatchSchema(output: string): void {
  for (const payload of framePayloads(output)) {
    assertMatchesOpenAISchema('CreateChatCompletionStreamResponse', payload);
  }
}

/** Removes the usage-only chunk (`choices: []` with usage) from a translated stream. */
export function withoutUsageChunk(output: string): string {
  return output
    .split(/(?<=\n\n)/)
    .filter((frame) => !/^data: \{.*"choices":\[\],"usage":/.test(frame))
    .join('');
}

function sdkClient(body: string, contentType: string): OpenAI {
  return new OpenAI({
    apiKey: 'sk-test',
    baseURL: 'http://gateway.invalid/v1',
    maxRetries: 0,
    fetch: () =>
      Promise.resolve(
        new Response(body, { status: 200, headers: { 'content-type': contentType } }),
      ),
  });
}

/**
 * Runs a translated stream through the official SDK's `chat.completions.stream()` helper, which
 * rebuilds the whole completion and fails on a chunk without role, a tool call without type or
 * name, or a choice without finish reason.
 */
export function finalCompletionFromSdk(output: string): Promise<ChatCompletion> {
  return sdkClient(output, 'text/event-stream')
    .chat.completions.stream({ model: 'any', messages: [{ role: 'user', content: 'Hi' }] })
    .finalChatCompletion();
}

/** Reads a translated embeddings body through the official SDK, which asks for base64. */
export async function embeddingsFromSdk(body: string): Promise<number[][]> {
  const response = await sdkClient(body, 'application/json').embeddings.create({
    model: 'any',
    input: 'Hi',
  });
  return response.data.map((item) => item.embedding);
}
