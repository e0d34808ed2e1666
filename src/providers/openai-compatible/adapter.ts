import {
  MalformedUpstreamError,
  type ChatRequestInput,
  type EmbeddingsRequestBody,
  type EmbeddingsRequestInput,
  type ProviderAdapter,
  type StreamContext,
  type StreamStep,
  type StreamTranslator,
  type TokenUsage,
  type TranslatedError,
  type TranslatedResponse,
  type UpstreamEvent,
  type UpstreamHttpRequest,
  type UpstreamTarget,
} from '../contract.js';
import { isJsonObject, parseUpstreamObject, type JsonObject } from '../json.js';
import {
  base64ToFloats,
  floatsToBase64,
  isFloat32Base64,
  isFloatVector,
} from './embedding-encoding.js';
import { getJson, upstreamHeaders } from '../upstream-request.js';
import { readOpenAIUsage } from './usage.js';

const doneFrame = 'data: [DONE]\n\n';

/** OpenAI's bearer credential; Azure's adapter passes no key here and sends its own header. */
function headersFor(target: UpstreamTarget): Record<string, string> {
  return upstreamHeaders(
    target,
    {},
    target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {},
  );
}

function post(target: UpstreamTarget, path: string, body: JsonObject): UpstreamHttpRequest {
  return {
    origin: target.origin,
    path: `${target.basePath}${path}`,
    method: 'POST',
    headers: headersFor(target),
    body: JSON.stringify(body),
  };
}

function pushStrings(object: unknown, fields: readonly string[], into: string[]): void {
  if (!isJsonObject(object)) return;
  for (const field of fields) {
    const value = object[field];
    if (typeof value === 'string') into.push(value);
  }
}

/**
 * Concatenates what the model wrote in one message or delta, for counting tokens when no usage
 * arrives: text, refusals, reasoning (DeepSeek's `reasoning_content`, and the `reasoning` other
 * servers use), and the names and arguments of tool calls, custom tool calls and legacy
 * `function_call`s.
 */
function collectText(message: unknown, into: string[]): void {
  if (!isJsonObject(message)) return;
  pushStrings(message, ['content', 'refusal', 'reasoning_content', 'reasoning'], into);
  pushStrings(message.function_call, ['name', 'arguments'], into);
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isJsonObject(call)) continue;
      pushStrings(call.function, ['name', 'arguments'], into);
      pushStrings(call.custom, ['name', 'input'], into);
    }
  }
}

/**
 * One SSE frame carrying `data`. The parser joins a multi-line `data:` field with `\n`, so each
 * line gets its own `data: ` prefix again; a bare newline would cut the event short.
 */
function dataFrame(data: string): string {
  return data.includes('\n')
    ? `data: ${data.split('\n').join('\ndata: ')}\n\n`
    : `data: ${data}\n\n`;
}

class OpenAIStreamTranslator implements StreamTranslator {
  private reportedUsage: TokenUsage | undefined;
  private readonly text: string[] = [];
  private sawFinishReason = false;
  /** Set by `[DONE]` or an error event: nothing more is owed to the client. */
  private ended = false;

  constructor(private readonly context: StreamContext) {}

  push(event: UpstreamEvent): StreamStep {
    if (this.ended) return { frames: [], done: true };
    const data = event.data;
    if (data === '[DONE]') {
      this.ended = true;
      return { frames: [doneFrame], done: true };
    }
    const chunk = parseUpstreamObject(data, 'a stream chunk');
    if (chunk.error !== undefined && chunk.error !== null) {
      // An error mid-stream is in OpenAI's shape; the client's SDK raises it as is. It ends the
      // stream: the upstream sends nothing after it, and no `[DONE]` is owed.
      this.ended = true;
      return {
        frames: [dataFrame(data)],
        done: true,
        upstreamError: translateError(500, JSON.stringify(chunk)),
      };
    }
    const usage = readOpenAIUsage(chunk.usage);
    if (usage) this.reportedUsage = usage;
    let choices: unknown[];
    let frame: string;
    if (Array.isArray(chunk.choices)) {
      choices = chunk.choices;
      frame = dataFrame(data);
    } else if (usage && (chunk.choices === undefined || chunk.choices === null)) {
      // Some servers send the usage-only chunk with `choices: null` or without the field; the
      // client gets OpenAI's shape, an empty array, so SDKs that iterate the choices work.
      choices = [];
      frame = dataFrame(JSON.stringify({ ...chunk, choices }));
    } else {
      throw new MalformedUpstreamError('the upstream sent a stream chunk without choices');
    }
    for (const choice of choices) {
      if (!isJsonObject(choice)) continue;
      collectText(choice.delta, this.text);
      if (typeof choice.finish_reason === 'string') this.sawFinishReason = true;
    }
    // The usage-only chunk was asked for by the gateway to meter the stream; the client only gets
    // it when it asked too.
    if (choices.length === 0 && usage && !this.context.clientWantsUsage) {
      return { frames: [], done: false };
    }
    return { frames: [frame], done: false };
  }

  usage(): TokenUsage | undefined {
    return this.reportedUsage;
  }

  deliveredText(): string {
    return this.text.join('');
  }

  finish(): string[] {
    if (this.ended) return [];
    // Some servers end a finished stream without `[DONE]`; clients still deserve one.
    if (this.sawFinishReason) return [doneFrame];
    throw new MalformedUpstreamError('the upstream stream ended before the answer was complete');
  }
}

function translateEmbeddings(body: string, requested: EmbeddingsRequestBody): TranslatedResponse {
  const response = parseUpstreamObject(body, 'an embeddings response');
  if (!Array.isArray(response.data)) {
    throw new MalformedUpstreamError('the upstream sent an embeddings response without data');
  }
  const wantsBase64 = requested.encoding_format === 'base64';
  let converted = false;
  for (const item of response.data) {
    if (!isJsonObject(item)) {
      throw new MalformedUpstreamError('the upstream sent an embedding that is not an object');
    }
    const embedding = item.embedding;
    if (typeof embedding === 'string') {
      // Checked even when passed on as is: Node's decoder, and the client's, would skip bad
      // characters silently and hand over a shorter vector.
      if (!isFloat32Base64(embedding)) {
        throw new MalformedUpstreamError('the upstream sent an embedding that is not valid base64');
      }
      if (!wantsBase64) {
        item.embedding = base64ToFloats(embedding);
        converted = true;
      }
    } else if (isFloatVector(embedding)) {
      if (wantsBase64) {
        item.embedding = floatsToBase64(embedding);
        converted = true;
      }
    } else {
      throw new MalformedUpstreamError('the upstream sent an embedding without a vector');
    }
  }
  const usage = readOpenAIUsage(response.usage);
  return { body: converted ? JSON.stringify(response) : body, usage, completionText: '' };
}

/**
 * The error object of an upstream error body: OpenAI's `{"error":{…}}`, the bare
 * `{"object":"error","message":…}` of older vLLM and Mistral, or `{"error":"…"}`. Empty when the
 * body is none of these (an HTML page from a proxy, say), whose text is never shown: it may name
 * hosts.
 */
function readErrorObject(body: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (!isJsonObject(parsed)) return {};
  if (isJsonObject(parsed.error)) return parsed.error;
  if (typeof parsed.error === 'string') return { message: parsed.error };
  if (parsed.object === 'error') return parsed;
  return {};
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Options that make one adapter serve every server that speaks OpenAI's format. */
export interface OpenAICompatibleOptions {
  /** The field that carries the gateway's output cap; OpenAI's newer models want the second. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
}

/**
 * The adapter for OpenAI and every server that speaks its format (DeepSeek, vLLM, Ollama, …).
 * Bodies pass through untouched but for the model name, the usage request and the output cap, so
 * unknown fields reach the upstream as the client sent them.
 */
export function createOpenAICompatibleAdapter(
  options: OpenAICompatibleOptions = { maxTokensField: 'max_tokens' },
): ProviderAdapter {
  return {
    specificationVersion: 'v1',
    kind: 'openai-compatible',

    chatRequest({ body, target, maxOutputTokens }: ChatRequestInput): UpstreamHttpRequest {
      const outgoing: JsonObject = { ...body, model: target.upstreamModel };
      if (body.stream === true && target.streamUsage) {
        const clientOptions = isJsonObject(body.stream_options) ? body.stream_options : {};
        outgoing.stream_options = { ...clientOptions, include_usage: true };
      }
      // A client's `null` means "no limit", which must not lift the gateway's cap; the null is
      // dropped so that the upstream never sees both fields.
      if (
        maxOutputTokens !== undefined &&
        isUnset(body.max_tokens) &&
        isUnset(body.max_completion_tokens)
      ) {
        delete outgoing.max_tokens;
        delete outgoing.max_completion_tokens;
        outgoing[options.maxTokensField] = maxOutputTokens;
      }
      return post(target, '/chat/completions', outgoing);
    },

    chatResponse(body: string): TranslatedResponse {
      const response = parseUpstreamObject(body, 'a chat completion');
      if (!Array.isArray(response.choices)) {
        throw new MalformedUpstreamError('the upstream sent a chat completion without choices');
      }
      const text: string[] = [];
      for (const choice of response.choices) {
        if (isJsonObject(choice)) collectText(choice.message, text);
      }
      // The upstream's bytes are sent on as they are: re-serialising would cost time and could
      // reorder fields the client relies on.
      return { body, usage: readOpenAIUsage(response.usage), completionText: text.join('') };
    },

    chatStream(context: StreamContext): StreamTranslator {
      return new OpenAIStreamTranslator(context);
    },

    embeddingsRequest({ body, target }: EmbeddingsRequestInput): UpstreamHttpRequest {
      return post(target, '/embeddings', { ...body, model: target.upstreamModel });
    },

    embeddingsResponse: translateEmbeddings,

    errorResponse: translateError,

    modelsRequest: (target) => getJson(target, `${target.basePath}/models`, headersFor(target)),
  };
}

/** Reads an upstream error body into OpenAI's error shape. */
function translateError(status: number, body: string): TranslatedError {
  const error = readErrorObject(body);
  const message =
    typeof error.message === 'string' && error.message.length > 0
      ? error.message
      : `The upstream answered HTTP ${status}.`;
  return {
    status,
    message,
    type: typeof error.type === 'string' ? error.type : 'invalid_request_error',
    param: typeof error.param === 'string' ? error.param : null,
    code:
      typeof error.code === 'string'
        ? error.code
        : typeof error.code === 'number'
          ? String(error.code)
          : null,
  };
}
