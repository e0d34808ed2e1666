/**
 * Builds OpenAI's response shapes for adapters that translate from another wire format. Field
 * order follows OpenAI's own answers, and every field OpenAI's schema requires is present: the
 * official SDKs' helpers check some of them (a chunk's role, a call's type, the finish reason).
 */
import { randomUUID } from 'node:crypto';
import type { TokenUsage, TranslatedError } from './contract.js';
import type { JsonObject } from './json.js';

/** The finish reasons an adapter translates to (`function_call` is never produced). */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** The terminating frame of every OpenAI stream. */
export const doneFrame = 'data: [DONE]\n\n';

/** One SSE frame carrying `value` as compact JSON (which never contains a newline). */
export function jsonFrame(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** The frame OpenAI streams when a request fails after streaming began. */
export function errorFrame(error: TranslatedError): string {
  return jsonFrame({
    error: { message: error.message, type: error.type, param: error.param, code: error.code },
  });
}

/** Seconds since the epoch, as OpenAI's `created`. */
export function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A random id suffix for when the upstream gave none to derive one from. */
export function randomIdSuffix(): string {
  return randomUUID().replaceAll('-', '').slice(0, 24);
}

/**
 * OpenAI's `usage` object. `reasoningTokens` (already part of `completionTokens`) is reported in
 * `completion_tokens_details` when the provider counted it.
 */
export function usageObject(usage: TokenUsage, reasoningTokens?: number): JsonObject {
  const object: JsonObject = {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
  };
  if (reasoningTokens !== undefined) {
    object.completion_tokens_details = { reasoning_tokens: reasoningTokens };
  }
  return object;
}

/** One function call in OpenAI's message shape; `extra` carries provider extensions. */
export interface OutputToolCall {
  id: string;
  name: string;
  arguments: string;
  extra?: JsonObject;
}

/** A tool call as OpenAI's message and chunk shapes carry it. */
export function toolCallObject(call: OutputToolCall): JsonObject {
  return {
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
    ...call.extra,
  };
}

/** A `chat.completion` choice with the fields OpenAI always sends. */
export function completionChoice(
  index: number,
  text: string | null,
  toolCalls: readonly OutputToolCall[],
  finishReason: FinishReason,
): JsonObject {
  const message: JsonObject = { role: 'assistant', content: text, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls.map(toolCallObject);
  return { index, message, logprobs: null, finish_reason: finishReason };
}

/** Text the model wrote, for counting tokens when the upstream reports no usage. */
export function outputText(text: string, toolCalls: readonly OutputToolCall[]): string {
  return text + toolCalls.map((call) => call.name + call.arguments).join('');
}
