import { GatewayError } from '../../errors/gateway-error.js';
import {
  MalformedUpstreamError,
  type ChatRequestInput,
  type ProviderAdapter,
  type StreamContext,
  type StreamTranslator,
  type UpstreamHttpRequest,
  type UpstreamTarget,
} from '../contract.js';
import { getJson, postJson, upstreamHeaders } from '../upstream-request.js';
import { translateAnthropicError } from './errors.js';
import { anthropicMessagesBody } from './request.js';
import { translateAnthropicMessage } from './response.js';
import { AnthropicStreamTranslator } from './stream.js';

/** Settings of an Anthropic provider. */
export interface AnthropicOptions {
  /** The `anthropic-version` header; `2023-06-01` is the Messages API's current version. */
  anthropicVersion?: string;
  /** The `max_tokens` sent when neither the gateway nor the client set a cap; Anthropic requires one. */
  defaultMaxTokens?: number;
}

const defaultVersion = '2023-06-01';
const defaultMaxTokens = 4096;

/**
 * The adapter for Anthropic's Messages API (`POST {basePath}/messages`, base URL
 * `https://api.anthropic.com/v1`): OpenAI chat requests, answers, streams, tool calls, finish
 * reasons, usage and errors translated both ways. Anthropic has no embeddings API.
 */
export function createAnthropicAdapter(options: AnthropicOptions = {}): ProviderAdapter {
  const version = options.anthropicVersion ?? defaultVersion;
  const fallbackCap = options.defaultMaxTokens ?? defaultMaxTokens;
  function headers(target: UpstreamTarget): Record<string, string> {
    return upstreamHeaders(
      target,
      { 'anthropic-version': version },
      target.apiKey ? { 'x-api-key': target.apiKey } : {},
    );
  }

  return {
    specificationVersion: 'v1',
    kind: 'anthropic',

    chatRequest({ body, target, maxOutputTokens }: ChatRequestInput): UpstreamHttpRequest {
      const outgoing = anthropicMessagesBody(
        body,
        target.upstreamModel,
        maxOutputTokens,
        fallbackCap,
      );
      return postJson(target, `${target.basePath}/messages`, outgoing, headers(target));
    },

    chatResponse: translateAnthropicMessage,

    chatStream(context: StreamContext): StreamTranslator {
      return new AnthropicStreamTranslator(context);
    },

    embeddingsRequest(): UpstreamHttpRequest {
      throw new GatewayError(
        'upstream_unavailable',
        'Anthropic has no embeddings API, so this model cannot be served by its Anthropic deployment. Ask your admin to route it to an embeddings provider.',
      );
    },

    embeddingsResponse(): never {
      throw new MalformedUpstreamError('Anthropic has no embeddings API');
    },

    errorResponse: translateAnthropicError,

    modelsRequest: (target) => getJson(target, `${target.basePath}/models`, headers(target)),
  };
}
