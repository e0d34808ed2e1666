import {
  MalformedUpstreamError,
  type StreamContext,
  type TokenUsage,
  type TranslatedResponse,
} from '../contract.js';
import { countField, isJsonObject, parseUpstreamObject, type JsonObject } from '../json.js';
import {
  completionChoice,
  epochSeconds,
  outputText,
  randomIdSuffix,
  usageObject,
  type FinishReason,
  type OutputToolCall,
} from '../openai-response.js';

/**
 * Reads Anthropic's `usage`. Anthropic counts cache reads and cache writes apart from
 * `input_tokens`; OpenAI's `prompt_tokens` includes every prompt token, with the cache reads
 * repeated as `cached_tokens`. Undefined when the object carries no count at all.
 */
export function readAnthropicUsage(value: unknown): TokenUsage | undefined {
  if (!isJsonObject(value)) return undefined;
  if (typeof value.input_tokens !== 'number' && typeof value.output_tokens !== 'number') {
    return undefined;
  }
  const cacheReads = countField(value, 'cache_read_input_tokens');
  return {
    promptTokens:
      countField(value, 'input_tokens') +
      cacheReads +
      countField(value, 'cache_creation_input_tokens'),
    completionTokens: countField(value, 'output_tokens'),
    cachedTokens: cacheReads,
  };
}

/**
 * Anthropic's `stop_reason` as OpenAI's `finish_reason`. `refusal` (the safety classifier stopped
 * the answer) is what OpenAI calls `content_filter`; `pause_turn` and anything added later end
 * the turn normally as far as the client can tell.
 */
export function anthropicFinishReason(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** A completion id that keeps Anthropic's message id, so logs on both sides can be matched. */
export function completionId(messageId: unknown): string {
  return `chatcmpl-${typeof messageId === 'string' && messageId !== '' ? messageId : randomIdSuffix()}`;
}

/** Translates a Messages API response into a `chat.completion`. */
export function translateAnthropicMessage(
  body: string,
  context: StreamContext,
): TranslatedResponse {
  const message = parseUpstreamObject(body, 'a message');
  if (!Array.isArray(message.content)) {
    throw new MalformedUpstreamError('the upstream sent a message without content');
  }
  let text = '';
  const toolCalls: OutputToolCall[] = [];
  for (const block of message.content) {
    if (!isJsonObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block.type === 'tool_use' && typeof block.id === 'string') {
      const name = typeof block.name === 'string' ? block.name : '';
      toolCalls.push({ id: block.id, name, arguments: JSON.stringify(block.input ?? {}) });
    }
    // Thinking and server-tool blocks have no place in a chat completion; their tokens are still
    // in output_tokens, so they are paid for.
  }
  const usage = readAnthropicUsage(message.usage);
  const completion: JsonObject = {
    id: completionId(message.id),
    object: 'chat.completion',
    created: epochSeconds(),
    model: typeof message.model === 'string' ? message.model : context.publicModel,
    choices: [
      completionChoice(
        0,
        text === '' && toolCalls.length > 0 ? null : text,
        toolCalls,
        anthropicFinishReason(message.stop_reason),
      ),
    ],
  };
  if (usage) completion.usage = usageObject(usage);
  return { body: JSON.stringify(completion), usage, completionText: outputText(text, toolCalls) };
}
