import {
  MalformedUpstreamError,
  type EmbeddingsRequestBody,
  type TranslatedResponse,
} from '../contract.js';
import { countField, isJsonObject, parseUpstreamObject, type JsonObject } from '../json.js';
import { floatsToBase64, isFloatVector } from '../openai-compatible/embedding-encoding.js';
import { invalidParameter } from '../openai-request.js';
import { geminiModelName } from './request.js';

function inputTexts(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((item) => typeof item === 'string')) return input;
  throw invalidParameter('input', 'Gemini embedding models take text, not token ids');
}

/**
 * The body of a batchEmbedContents call: one request per input text, each naming the model
 * again as Google requires. `dimensions` becomes `outputDimensionality`.
 */
export function geminiEmbeddingsBody(body: EmbeddingsRequestBody, upstreamModel: string) {
  const model = geminiModelName(upstreamModel);
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : undefined;
  return {
    requests: inputTexts(body.input).map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(dimensions === undefined ? {} : { outputDimensionality: dimensions }),
    })),
  };
}

/**
 * Translates a BatchEmbedContentsResponse into OpenAI's embedding list, in the encoding the
 * client asked for. Gemini reports no token counts for embeddings, so `usage` is undefined and
 * the relay counts the input itself; the body carries zeros until the relay can fill them in.
 */
export function translateGeminiEmbeddings(
  body: string,
  requested: EmbeddingsRequestBody,
): TranslatedResponse {
  const response = parseUpstreamObject(body, 'an embeddings response');
  if (!Array.isArray(response.embeddings)) {
    throw new MalformedUpstreamError('the upstream sent an embeddings response without embeddings');
  }
  // A short list would pair vectors with the wrong inputs further down the client's code.
  if (response.embeddings.length !== inputTexts(requested.input).length) {
    throw new MalformedUpstreamError(
      'the upstream sent a different number of embeddings than inputs',
    );
  }
  const wantsBase64 = requested.encoding_format === 'base64';
  const data = response.embeddings.map((item, index) => {
    const values = isJsonObject(item) ? item.values : undefined;
    if (!isFloatVector(values)) {
      throw new MalformedUpstreamError('the upstream sent an embedding without a vector');
    }
    return { object: 'embedding', index, embedding: wantsBase64 ? floatsToBase64(values) : values };
  });
  const metadata: JsonObject | undefined = isJsonObject(response.usageMetadata)
    ? response.usageMetadata
    : undefined;
  const counted = typeof metadata?.promptTokenCount === 'number';
  const promptTokens = countField(metadata, 'promptTokenCount');
  return {
    body: JSON.stringify({
      object: 'list',
      data,
      model: requested.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    }),
    usage: counted ? { promptTokens, completionTokens: 0, cachedTokens: 0 } : undefined,
    completionText: '',
  };
}
