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

/** Gemini's usage, with the thinking tokens (part of the completion) counted apart. */
export interface GeminiUsage {
  usage: TokenUsage;
  reasoningTokens: number | undefined;
}

/**
 * Reads `usageMetadata`. Thinking tokens are billed as output, so they count as completion
 * tokens, as OpenAI counts reasoning; tool-use prompt tokens (results of Google's own tools fed
 * back to the model) are billed as input. `promptTokenCount` already includes cached content.
 */
export function readGeminiUsage(value: unknown): GeminiUsage | undefined {
  if (!isJsonObject(value)) return undefined;
  if (
    typeof value.promptTokenCount !== 'number' &&
    typeof value.candidatesTokenCount !== 'number'
  ) {
    return undefined;
  }
  const promptTokens =
    countField(value, 'promptTokenCount') + countField(value, 'toolUsePromptTokenCount');
  const thoughts =
    typeof value.thoughtsTokenCount === 'number'
      ? countField(value, 'thoughtsTokenCount')
      : undefined;
  return {
    usage: {
      promptTokens,
      completionTokens: countField(value, 'candidatesTokenCount') + (thoughts ?? 0),
      cachedTokens: Math.min(countField(value, 'cachedContentTokenCount'), promptTokens),
    },
    reasoningTokens: thoughts,
  };
}

const filtered = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
]);

/**
 * Gemini's `finishReason` as OpenAI's; undefined while the candidate is still going. Gemini ends
 * a function-calling turn with STOP, where OpenAI says `tool_calls`.
 */
export function geminiFinishReason(
  reason: unknown,
  calledTools: boolean,
): FinishReason | undefined {
  if (typeof reason !== 'string') return undefined;
  if (filtered.has(reason)) return 'content_filter';
  if (reason === 'MAX_TOKENS') return 'length';
  return calledTools ? 'tool_calls' : 'stop';
}

/**
 * Ids for function calls: Gemini's own when it gave one, else derived from the response id so
 * that a replayed answer keeps its ids (and random when there is no response id either).
 */
export class ToolCallIds {
  private count = 0;
  private readonly base: string;

  constructor(responseId: unknown) {
    this.base = typeof responseId === 'string' && responseId !== '' ? responseId : randomIdSuffix();
  }

  next(given: unknown): string {
    const id = `call_${this.base}_${this.count}`;
    this.count += 1;
    return typeof given === 'string' && given !== '' ? given : id;
  }
}

/** The text and function calls of one candidate's content (or a streamed piece of it). */
export function readParts(
  content: unknown,
  ids: ToolCallIds,
): { text: string; calls: OutputToolCall[] } {
  let text = '';
  const calls: OutputToolCall[] = [];
  const parts = isJsonObject(content) && Array.isArray(content.parts) ? content.parts : [];
  for (const part of parts) {
    if (!isJsonObject(part)) continue;
    // Thought summaries (`thought: true`) are the model's notes, not its answer.
    if (typeof part.text === 'string' && part.thought !== true) text += part.text;
    const call = part.functionCall;
    if (isJsonObject(call) && typeof call.name === 'string') {
      const output: OutputToolCall = {
        id: ids.next(call.id),
        name: call.name,
        arguments: JSON.stringify(isJsonObject(call.args) ? call.args : {}),
      };
      if (typeof part.thoughtSignature === 'string') {
        output.extra = { extra_content: { google: { thought_signature: part.thoughtSignature } } };
      }
      calls.push(output);
    }
  }
  return { text, calls };
}

/** True when Gemini refused the prompt itself, answering with no candidate at all. */
export function promptBlocked(response: JsonObject): boolean {
  return (
    isJsonObject(response.promptFeedback) && typeof response.promptFeedback.blockReason === 'string'
  );
}

/** A completion id that keeps Gemini's response id, so logs on both sides can be matched. */
export function completionId(responseId: unknown): string {
  return `chatcmpl-${typeof responseId === 'string' && responseId !== '' ? responseId : randomIdSuffix()}`;
}

/** Translates a GenerateContentResponse into a `chat.completion`, one choice per candidate. */
export function translateGeminiResponse(body: string, context: StreamContext): TranslatedResponse {
  const response = parseUpstreamObject(body, 'a generateContent response');
  const ids = new ToolCallIds(response.responseId);
  const choices: JsonObject[] = [];
  const written: string[] = [];
  if (Array.isArray(response.candidates) && response.candidates.length > 0) {
    response.candidates.forEach((candidate, position) => {
      if (!isJsonObject(candidate)) return;
      const { text, calls } = readParts(candidate.content, ids);
      const index = typeof candidate.index === 'number' ? candidate.index : position;
      const finish = geminiFinishReason(candidate.finishReason, calls.length > 0) ?? 'stop';
      const content =
        text === '' && (calls.length > 0 || finish === 'content_filter') ? null : text;
      choices.push(completionChoice(index, content, calls, finish));
      written.push(outputText(text, calls));
    });
  } else if (promptBlocked(response)) {
    choices.push(completionChoice(0, null, [], 'content_filter'));
  } else {
    throw new MalformedUpstreamError('the upstream sent a response without candidates');
  }
  const usage = readGeminiUsage(response.usageMetadata);
  const completion: JsonObject = {
    id: completionId(response.responseId),
    object: 'chat.completion',
    created: epochSeconds(),
    model: typeof response.modelVersion === 'string' ? response.modelVersion : context.publicModel,
    choices,
  };
  if (usage) completion.usage = usageObject(usage.usage, usage.reasoningTokens);
  return {
    body: JSON.stringify(completion),
    usage: usage?.usage,
    completionText: written.join(''),
  };
}
