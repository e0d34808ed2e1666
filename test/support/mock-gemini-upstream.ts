import type { ServerResponse } from 'node:http';
import { mockEmbeddingFor } from './mock-openai-upstream.js';
import {
  countWords,
  cutConnection,
  firstWords,
  isRecord,
  sendJson,
  splitIntoPieces,
  startMockServer,
  type MockBehavior,
  type MockServer,
  type RecordedRequest,
} from './mock-server.js';

/**
 * A mock of Google's Gemini API (Generative Language API, `v1beta`), written from Google's
 * published documentation (generateContent, streamGenerateContent with `alt=sse`,
 * batchEmbedContents, function calling, thought signatures, the error model): candidates with
 * text and functionCall parts, finish reasons, `usageMetadata` (thinking and cached tokens
 * included) and Google's error envelope, with the key in `x-goog-api-key`. Token counts are
 * deterministic so tests can predict bills.
 */

export interface MockGeminiOptions {
  /** Model text; default 'Hello! How can I help you today?'. */
  replyText?: string;
  /** Number of text chunks a stream splits the reply into; default 4. */
  chunkCount?: number;
  /** Thinking tokens reported in `thoughtsTokenCount` (billed as output); default 0. */
  thoughtsTokens?: number;
  /** Prompt tokens reported as served from cached content; default 0. */
  cachedTokens?: number;
  /** When set, requests without `x-goog-api-key: <it>` get Google's 400 API_KEY_INVALID. */
  requireApiKey?: string;
}

export interface MockGeminiUpstream {
  /** The base URL to configure: the origin (the adapter adds `/v1beta`). */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  enqueue: (...behaviors: MockBehavior[]) => void;
  setDefault: (behavior: MockBehavior) => void;
  reset: () => void;
  close: () => Promise<void>;
}

/** Gemini's usageMetadata, as the mock reports it. */
export interface GeminiUsageMetadata {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
}

export const geminiFunctionArgs = { location: 'Paris' };
export const geminiThoughtSignature = 'c2lnbmF0dXJlLW9mLXRoZS10aG91Z2h0';
export const geminiEmbeddingDimensions = 8;

const defaultReply = 'Hello! How can I help you today?';
const statusNames: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

type Plan =
  | { kind: 'text'; text: string; finishReason: 'STOP' | 'MAX_TOKENS'; outputTokens: number }
  | { kind: 'tool'; name: string; outputTokens: number };

function errorBody(code: number, message: string, details?: unknown[]) {
  return {
    error: {
      code,
      message,
      status: statusNames[code] ?? 'UNKNOWN',
      ...(details ? { details } : {}),
    },
  };
}

const invalidKeyBody = errorBody(400, 'API key not valid. Please pass a valid API key.', [
  {
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: 'API_KEY_INVALID',
    domain: 'googleapis.com',
    metadata: { service: 'generativelanguage.googleapis.com' },
  },
]);

function partsText(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  return parts
    .map((part) => {
      if (!isRecord(part)) return '';
      if (typeof part.text === 'string') return part.text;
      if (isRecord(part.functionCall)) return JSON.stringify(part.functionCall.args ?? {});
      if (isRecord(part.functionResponse)) {
        return JSON.stringify(part.functionResponse.response ?? {});
      }
      return '';
    })
    .join('');
}

function plan(request: Record<string, unknown>, replyText: string): Plan {
  const tools: unknown[] = Array.isArray(request.tools) ? request.tools : [];
  const declarations = tools.flatMap((tool): unknown[] =>
    isRecord(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : [],
  );
  const toolConfig = isRecord(request.toolConfig) ? request.toolConfig : {};
  const calling = isRecord(toolConfig.functionCallingConfig)
    ? toolConfig.functionCallingConfig
    : {};
  if (declarations.length > 0 && calling.mode !== 'NONE') {
    const allowed: unknown[] = Array.isArray(calling.allowedFunctionNames)
      ? calling.allowedFunctionNames
      : [];
    const first = declarations[0];
    const name =
      typeof allowed[0] === 'string'
        ? allowed[0]
        : isRecord(first) && typeof first.name === 'string'
          ? first.name
          : 'unknown_function';
    return {
      kind: 'tool',
      name,
      outputTokens: Math.ceil(JSON.stringify(geminiFunctionArgs).length / 4),
    };
  }
  const words = countWords(replyText);
  const config = isRecord(request.generationConfig) ? request.generationConfig : {};
  const limit = typeof config.maxOutputTokens === 'number' ? config.maxOutputTokens : words;
  if (limit < words) {
    return {
      kind: 'text',
      text: firstWords(replyText, limit),
      finishReason: 'MAX_TOKENS',
      outputTokens: limit,
    };
  }
  return { kind: 'text', text: replyText, finishReason: 'STOP', outputTokens: words };
}

/**
 * The usageMetadata the mock reports for a generateContent request. The prompt's size
 * P = ceil(C / 4) + 3 × N (at least 1), C being the characters of the system instruction and of
 * every part's text, function call arguments and function responses, N the number of contents.
 * Candidates: the reply's words, or ceil(arguments JSON length / 4) for a function call, cut to
 * `maxOutputTokens`. Thinking tokens come on top and are billed as output.
 */
export function mockGeminiUsageFor(
  body: unknown,
  options: MockGeminiOptions = {},
): GeminiUsageMetadata {
  const request = isRecord(body) ? body : {};
  const contents = Array.isArray(request.contents) ? request.contents : [];
  const system = isRecord(request.systemInstruction)
    ? partsText(request.systemInstruction.parts)
    : '';
  const characters =
    system.length +
    contents.reduce<number>(
      (sum, content) => sum + (isRecord(content) ? partsText(content.parts).length : 0),
      0,
    );
  const prompt = Math.max(1, Math.ceil(characters / 4) + 3 * contents.length);
  const candidates = plan(request, options.replyText ?? defaultReply).outputTokens;
  const thoughts = options.thoughtsTokens ?? 0;
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + thoughts,
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    ...(options.cachedTokens
      ? { cachedContentTokenCount: Math.min(options.cachedTokens, prompt) }
      : {}),
  };
}

/** What the real API refuses that an adapter could get wrong; undefined when the body is fine. */
function invalidRequest(body: unknown): string | undefined {
  if (!isRecord(body)) return 'Invalid JSON payload received.';
  if (!Array.isArray(body.contents) || body.contents.length === 0) {
    return '* GenerateContentRequest.contents: contents is not specified';
  }
  let called = new Set<string>();
  for (const [index, content] of body.contents.entries()) {
    if (!isRecord(content) || (content.role !== 'user' && content.role !== 'model')) {
      return `* GenerateContentRequest.contents[${index}].role: Please use a valid role: user, model.`;
    }
    const parts = Array.isArray(content.parts) ? content.parts : [];
    for (const part of parts) {
      const answer =
        isRecord(part) && isRecord(part.functionResponse) ? part.functionResponse : undefined;
      if (answer && !called.has(String(answer.name))) {
        return 'Please ensure that function response turn comes immediately after a function call turn.';
      }
    }
    called = new Set(
      parts.flatMap((part) =>
        isRecord(part) && isRecord(part.functionCall) ? [String(part.functionCall.name)] : [],
      ),
    );
  }
  return undefined;
}

function candidate(parts: unknown[], finishReason?: string) {
  return { content: { parts, role: 'model' }, ...(finishReason ? { finishReason } : {}), index: 0 };
}

function functionCallPart(name: string) {
  return {
    functionCall: { name, args: geminiFunctionArgs },
    thoughtSignature: geminiThoughtSignature,
  };
}

async function writeStream(
  response: ServerResponse,
  chunks: readonly unknown[],
  server: MockServer,
  cutAfter: number | undefined,
): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const limit = cutAfter === undefined ? chunks.length : Math.min(cutAfter, chunks.length - 1);
  for (let index = 0; index < limit; index++) {
    const chunk = chunks[index];
    // Google ends each event with CRLF pairs; the SSE parser must cope.
    response.write(`data: ${typeof chunk === 'string' ? chunk : JSON.stringify(chunk)}\r\n\r\n`);
    if (index % 2 === 1) await server.sleep(1);
    if (server.isClosed() || response.destroyed) return;
  }
  if (cutAfter === undefined) response.end();
  else cutConnection(response);
}

/** Starts the mock on 127.0.0.1 with an ephemeral port. */
export async function startMockGeminiUpstream(
  options: MockGeminiOptions = {},
): Promise<MockGeminiUpstream> {
  const replyText = options.replyText ?? defaultReply;
  let counter = 0;
  const server = await startMockServer(async (request, response, mock) => {
    const match =
      /^\/v1beta\/models\/([^:/]+):(generateContent|streamGenerateContent|batchEmbedContents)(\?.*)?$/.exec(
        request.path,
      );
    if (request.method !== 'POST' || !match) {
      sendJson(response, 404, errorBody(404, `Method not found: ${request.path}`));
      return;
    }
    if (
      options.requireApiKey !== undefined &&
      request.headers['x-goog-api-key'] !== options.requireApiKey
    ) {
      sendJson(response, 400, invalidKeyBody);
      return;
    }
    const [, model, method, query] = match as unknown as [
      string,
      string,
      string,
      string | undefined,
    ];
    const behavior = mock.nextBehavior();
    if (behavior.kind === 'hang') return;
    if (behavior.kind === 'error') {
      sendJson(
        response,
        behavior.status,
        behavior.body ?? errorBody(behavior.status, 'Mock error'),
        behavior.headers,
      );
      return;
    }
    const body = request.body;
    if (method === 'batchEmbedContents') {
      const requests = isRecord(body) && Array.isArray(body.requests) ? body.requests : [];
      if (requests.some((item) => !isRecord(item) || item.model !== `models/${model}`)) {
        sendJson(response, 400, errorBody(400, 'Model names in the batch must match the path.'));
        return;
      }
      const embeddings = requests.map((item) => ({
        values: mockEmbeddingFor(
          partsText((item as { content?: { parts?: unknown } }).content?.parts),
          geminiEmbeddingDimensions,
        ),
      }));
      sendJson(response, 200, { embeddings });
      return;
    }
    const problem = invalidRequest(body);
    if (problem !== undefined) {
      sendJson(response, 400, errorBody(400, problem));
      return;
    }
    counter += 1;
    const envelope = { modelVersion: model, responseId: `mock-gemini-${counter}` };
    const chosen = plan(body as Record<string, unknown>, replyText);
    const usageMetadata = mockGeminiUsageFor(body, options);
    const finishReason = chosen.kind === 'tool' ? 'STOP' : chosen.finishReason;
    if (method === 'generateContent') {
      if (behavior.kind === 'malformed-json') {
        sendJson(response, 200, '{"candidates": [');
        return;
      }
      const parts =
        chosen.kind === 'tool' ? [functionCallPart(chosen.name)] : [{ text: chosen.text }];
      sendJson(response, 200, {
        candidates: [candidate(parts, finishReason)],
        usageMetadata,
        ...envelope,
      });
      return;
    }
    if (query !== '?alt=sse') {
      sendJson(
        response,
        400,
        errorBody(400, 'The mock streams server-sent events only (alt=sse).'),
      );
      return;
    }
    const partial = {
      promptTokenCount: usageMetadata.promptTokenCount,
      totalTokenCount: usageMetadata.promptTokenCount,
    };
    const chunks: unknown[] =
      chosen.kind === 'tool'
        ? [
            {
              candidates: [candidate([functionCallPart(chosen.name)], finishReason)],
              usageMetadata,
              ...envelope,
            },
          ]
        : splitIntoPieces(chosen.text, options.chunkCount ?? 4).map((piece, index, pieces) => {
            const last = index === pieces.length - 1;
            return {
              candidates: [candidate([{ text: piece }], last ? finishReason : undefined)],
              usageMetadata: last ? usageMetadata : partial,
              ...envelope,
            };
          });
    if (behavior.kind === 'malformed-json') {
      await writeStream(response, [chunks[0], '{not json'], mock, undefined);
      return;
    }
    if (behavior.kind === 'error-event') {
      await writeStream(
        response,
        [chunks[0], errorBody(503, 'The model is overloaded. Please try again later.')],
        mock,
        undefined,
      );
      return;
    }
    await writeStream(
      response,
      chunks,
      mock,
      behavior.kind === 'reset-mid-stream' ? behavior.afterEvents : undefined,
    );
  });
  return {
    baseUrl: server.origin,
    requests: server.requests,
    enqueue: server.enqueue,
    setDefault: server.setDefault,
    reset: server.reset,
    close: server.close,
  };
}
