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
import { base64ToFloats, floatsToBase64 } from './embedding-encoding.js';
import { readOpenAIUsage } from './usage.js';

const doneFrame = 'data: [DONE]\n\n';

function upstreamHeaders(target: UpstreamTarget): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...target.extraHeaders,
  };
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  return headers;
}

function post(target: UpstreamTarget, path: string, body: JsonObject): UpstreamHttpRequest {
  return {
    origin: target.origin,
    path: `${target.basePath}${path}`,
    method: 'POST',
    headers: upstreamHeaders(target),
    body: JSON.stringify(body),
  };
}

/** Concatenates what the model wrote in one message or delta: text, reasoning and tool arguments. */
function collectText(message: unknown, into: string[]): void {
  if (!isJsonObject(message)) return;
  if (typeof message.content === 'string') into.push(message.content);
  if (typeof message.reasoning_content === 'string') into.push(message.reasoning_content);
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (isJsonObject(call) && isJsonObject(call.function)) {
        const { name, arguments: argumentsText } = call.function;
        if (typeof name === 'string') into.push(name);
        if (typeof argumentsText === 'string') into.push(argumentsText);
      }
    }
  }
}

class OpenAIStreamTranslator implements StreamTranslator {
  private reportedUsage: TokenUsage | undefined;
  private readonly text: string[] = [];
  private sawFinishReason = false;
  private sawDone = false;

  constructor(private readonly context: StreamContext) {}

  push(event: UpstreamEvent): StreamStep {
    const data = event.data;
    if (data === '[DONE]') {
      this.sawDone = true;
      return { frames: [doneFrame], done: true };
    }
    const chunk = parseUpstreamObject(data, 'a stream chunk');
    if (isJsonObject(chunk.error)) {
      // An error mid-stream is already in OpenAI's shape; the client's SDK raises it as is.
      return { frames: [`data: ${data}\n\n`], done: true };
    }
    const choices = chunk.choices;
    if (!Array.isArray(choices)) {
      throw new MalformedUpstreamError('the upstream sent a stream chunk without choices');
    }
    const usage = readOpenAIUsage(chunk.usage);
    if (usage) this.reportedUsage = usage;
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
    return { frames: [`data: ${data}\n\n`], done: false };
  }

  usage(): TokenUsage | undefined {
    return this.reportedUsage;
  }

  deliveredText(): string {
    return this.text.join('');
  }

  finish(): string[] {
    if (this.sawDone) return [];
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
    if (wantsBase64 && Array.isArray(embedding)) {
      item.embedding = floatsToBase64(embedding as number[]);
      converted = true;
    } else if (!wantsBase64 && typeof embedding === 'string') {
      item.embedding = base64ToFloats(embedding);
      converted = true;
    } else if (!Array.isArray(embedding) && typeof embedding !== 'string') {
      throw new MalformedUpstreamError('the upstream sent an embedding without a vector');
    }
  }
  const usage = readOpenAIUsage(response.usage);
  return { body: converted ? JSON.stringify(response) : body, usage, completionText: '' };
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
      if (
        maxOutputTokens !== undefined &&
        body.max_tokens === undefined &&
        body.max_completion_tokens === undefined
      ) {
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

    errorResponse(status: number, body: string): TranslatedError {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      const error = isJsonObject(parsed) && isJsonObject(parsed.error) ? parsed.error : undefined;
      const message =
        typeof error?.message === 'string' && error.message.length > 0
          ? error.message
          : `The upstream answered HTTP ${status}.`;
      return {
        status,
        message,
        type: typeof error?.type === 'string' ? error.type : 'invalid_request_error',
        param: typeof error?.param === 'string' ? error.param : null,
        code:
          typeof error?.code === 'string'
            ? error.code
            : typeof error?.code === 'number'
              ? String(error.code)
              : null,
      };
    },
  };
}
