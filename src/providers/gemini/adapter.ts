import type {
  ChatRequestInput,
  EmbeddingsRequestInput,
  ProviderAdapter,
  StreamContext,
  StreamTranslator,
  UpstreamHttpRequest,
  UpstreamTarget,
} from '../contract.js';
import { getJson, postJson, upstreamHeaders } from '../upstream-request.js';
import { geminiEmbeddingsBody, translateGeminiEmbeddings } from './embeddings.js';
import { translateGeminiError } from './errors.js';
import { geminiChatBody, geminiPath, geminiVersionPath } from './request.js';
import { translateGeminiResponse } from './response.js';
import { GeminiStreamTranslator } from './stream.js';

/** Settings of a Google Gemini (Generative Language API) provider. */
export interface GeminiOptions {
  /** The API version in the path; `v1beta` has every feature the adapter uses. */
  apiVersion?: string;
}

function headers(target: UpstreamTarget): Record<string, string> {
  // The key goes in a header, never in the `?key=` query string, where proxies and logs keep it.
  return upstreamHeaders(target, {}, target.apiKey ? { 'x-goog-api-key': target.apiKey } : {});
}

/**
 * The adapter for Google's Gemini API (base URL `https://generativelanguage.googleapis.com`):
 * generateContent, streamGenerateContent (SSE) and batchEmbedContents, translated to and from
 * OpenAI's chat completions and embeddings.
 */
export function createGeminiAdapter(options: GeminiOptions = {}): ProviderAdapter {
  const apiVersion = options.apiVersion ?? 'v1beta';
  return {
    specificationVersion: 'v1',
    kind: 'gemini',

    chatRequest({ body, target, maxOutputTokens }: ChatRequestInput): UpstreamHttpRequest {
      const method = body.stream === true ? 'streamGenerateContent?alt=sse' : 'generateContent';
      return postJson(
        target,
        geminiPath(target, apiVersion, method),
        geminiChatBody(body, maxOutputTokens),
        headers(target),
      );
    },

    chatResponse: translateGeminiResponse,

    chatStream(context: StreamContext): StreamTranslator {
      return new GeminiStreamTranslator(context);
    },

    embeddingsRequest({ body, target }: EmbeddingsRequestInput): UpstreamHttpRequest {
      return postJson(
        target,
        geminiPath(target, apiVersion, 'batchEmbedContents'),
        geminiEmbeddingsBody(body, target.upstreamModel),
        headers(target),
      );
    },

    embeddingsResponse: translateGeminiEmbeddings,

    errorResponse: translateGeminiError,

    modelsRequest: (target) =>
      getJson(target, geminiVersionPath(target, apiVersion) + '/models', headers(target)),
  };
}
