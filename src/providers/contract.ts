/**
 * The provider adapter contract, version 1.
 *
 * An adapter translates between the OpenAI wire format the gateway speaks to clients and one
 * provider's wire format. It does no I/O: the relay sends what `*Request` builds and feeds back
 * what the upstream returned, so adapters can be tested by replaying recorded fixtures.
 */

/** Token counts of one request, as the provider reported them or as the gateway counted them. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens served from the provider's cache; included in `promptTokens`. */
  cachedTokens: number;
}

export type ProviderKind = 'openai-compatible' | 'openai' | 'azure' | 'anthropic' | 'gemini';

/** What an adapter needs to know about the upstream it is talking to. */
export interface UpstreamTarget {
  /** Scheme, host and port, e.g. `https://api.deepseek.com`. */
  origin: string;
  /** Path prefix below the origin, without a trailing slash, e.g. `/v1`. */
  basePath: string;
  /** The provider's secret, decrypted; adapters put it where the provider expects it. */
  apiKey: string | null;
  /** The model name the provider knows, which may differ from the public model id. */
  upstreamModel: string;
  /** Whether the upstream honours `stream_options.include_usage`. */
  streamUsage: boolean;
  /** Extra headers the operator configured for this provider. */
  extraHeaders: Readonly<Record<string, string>>;
}

/** One HTTP request for the upstream, fully built. */
export interface UpstreamHttpRequest {
  origin: string;
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | undefined;
}

/** A chat request body after validation: the client's JSON object, with unknown fields kept. */
export type ChatRequestBody = Record<string, unknown> & {
  model: string;
  messages: unknown[];
  stream?: boolean | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  n?: number | null;
};

export type EmbeddingsRequestBody = Record<string, unknown> & {
  model: string;
  input: unknown;
  encoding_format?: 'float' | 'base64';
};

export interface ChatRequestInput {
  body: ChatRequestBody;
  target: UpstreamTarget;
  /** The gateway's own cap on output tokens (from the wallet or model), or undefined for none. */
  maxOutputTokens: number | undefined;
}

export interface EmbeddingsRequestInput {
  body: EmbeddingsRequestBody;
  target: UpstreamTarget;
}

/** A translated, successful response body, ready to send to the client. */
export interface TranslatedResponse {
  /** JSON text in OpenAI's format. */
  body: string;
  /** Usage as the upstream reported it; undefined when it reported none. */
  usage: TokenUsage | undefined;
  /** Text the model produced, for counting tokens when `usage` is missing. */
  completionText: string;
}

/** One server-sent event as it arrived from the upstream. */
export interface UpstreamEvent {
  event: string | undefined;
  data: string;
}

/** What the relay should do after one upstream event. */
export interface StreamStep {
  /** SSE frames to send the client, already formatted (`data: …\n\n`). */
  frames: string[];
  /** True once the upstream said the stream is complete. */
  done: boolean;
  /** Set when the upstream ended the stream with an error event (already in `frames`). */
  upstreamError?: TranslatedError;
}

/** Translates one upstream stream into OpenAI `chat.completion.chunk` events. */
export interface StreamTranslator {
  /** Translates one upstream event; throws `MalformedUpstreamError` on output it cannot read. */
  push(event: UpstreamEvent): StreamStep;
  /** Usage reported by the upstream so far, if any. */
  usage(): TokenUsage | undefined;
  /** Text delivered to the client so far, for counting tokens when no usage arrives. */
  deliveredText(): string;
  /** Frames to send when the upstream ended; empty when nothing more is owed to the client. */
  finish(): string[];
}

export interface StreamContext {
  /** Whether the client asked for the final usage chunk (`stream_options.include_usage`). */
  clientWantsUsage: boolean;
  publicModel: string;
}

/** An upstream error translated into OpenAI's envelope. */
export interface TranslatedError {
  status: number;
  message: string;
  type: string;
  param: string | null;
  code: string | null;
  /**
   * Set when the error is the deployment's fault although its status says the client's (a 400
   * for an invalid provider key or an unpaid account): the relay then moves on to the next
   * deployment and counts a failure against this one, instead of passing the error through.
   */
  upstreamFault?: boolean;
}

/** The adapter interface, version 1. */
export interface ProviderAdapter {
  readonly specificationVersion: 'v1';
  readonly kind: ProviderKind;
  chatRequest(input: ChatRequestInput): UpstreamHttpRequest;
  chatResponse(body: string, context: StreamContext): TranslatedResponse;
  chatStream(context: StreamContext): StreamTranslator;
  embeddingsRequest(input: EmbeddingsRequestInput): UpstreamHttpRequest;
  embeddingsResponse(body: string, requested: EmbeddingsRequestBody): TranslatedResponse;
  /** Reads an upstream error body (any status ≥ 400) into OpenAI's error shape. */
  errorResponse(status: number, body: string): TranslatedError;
  /**
   * The provider's own model list: an authenticated call that costs nothing, so an operator can
   * test a provider's address and key before routing traffic to it.
   */
  modelsRequest(target: UpstreamTarget): UpstreamHttpRequest;
}

/** Thrown by adapters when upstream output cannot be read; the relay answers 502 for it. */
export class MalformedUpstreamError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'MalformedUpstreamError';
  }
}
