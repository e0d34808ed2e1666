import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** One request as the mock received it. */
export interface RecordedRequest {
  method: string;
  /** The raw request target, query string included. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined when the body is empty or not valid JSON. */
  body: unknown;
  rawBody: string;
}

/** How the mock answers a POST request. */
export type MockBehavior =
  | { kind: 'ok' }
  | { kind: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'delay'; milliseconds: number }
  | { kind: 'hang' }
  | { kind: 'malformed-json' }
  | { kind: 'broken-sse' }
  | { kind: 'reset-mid-stream'; afterChunks: number }
  | { kind: 'reset-before-headers' };

/** Fixed characteristics of one mock upstream. */
export interface MockUpstreamOptions {
  /** Assistant text; default 'Hello! How can I help you today?'. */
  replyText?: string;
  /** Number of stream content chunks; default 8 (fewer when the text is shorter). */
  chunkCount?: number;
  /** Delay between stream events; default 0. */
  chunkDelayMilliseconds?: number;
  /** Delay before answering any request; default 0. */
  latencyMilliseconds?: number;
  /** Embedding length when the request has no `dimensions`; default 8. */
  embeddingDimensions?: number;
  /** Behave like an upstream that ignores stream_options.include_usage. */
  omitStreamUsage?: boolean;
  /** Non-stream chat responses without `usage`. */
  omitUsage?: boolean;
  /** When set, requests without `Authorization: Bearer <it>` get 401 invalid_api_key. */
  requireApiKey?: string;
  /** Keep `requests`; default true. Benchmarks turn it off so memory stays flat. */
  recordRequests?: boolean;
  /** Answer embeddings as float arrays even when base64 was asked for (as some servers do). */
  ignoreEncodingFormat?: boolean;
}

/** A running mock upstream. */
export interface MockUpstream {
  readonly baseUrl: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  enqueue(...behaviors: MockBehavior[]): void;
  setDefault(behavior: MockBehavior): void;
  reset(): void;
  openConnections(): number;
  /** Stream events written so far, over all requests. */
  eventsWritten(): number;
  /** Streams whose client (the gateway) hung up before the stream was complete. */
  streamsAbandonedByClient(): number;
  close(): Promise<void>;
}

const DEFAULT_REPLY = 'Hello! How can I help you today?';
const DEFAULT_CHUNK_COUNT = 8;
const DEFAULT_EMBEDDING_DIMENSIONS = 8;
const FALLBACK_MODEL = 'mock-model';
const TOOL_CALL_ID = 'call_mock_1';
const TOOL_ARGUMENTS = '{"location":"Paris"}';
const MALFORMED_BODY = '{"id": "chatcmpl-broken", "choices": [';
const SSE_DONE = 'data: [DONE]\n\n';

function errorEnvelope(message: string, type: string, code: string | null, param: string | null) {
  return JSON.stringify({ error: { message, type, param, code } });
}

const DEFAULT_ERROR_BODY = errorEnvelope('Mock upstream error', 'server_error', null, null);
const INVALID_API_KEY_BODY = errorEnvelope(
  'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  'invalid_request_error',
  'invalid_api_key',
  null,
);
const UNPARSABLE_BODY = errorEnvelope(
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
  'invalid_request_error',
  null,
  null,
);
const MODELS_BODY = JSON.stringify({
  object: 'list',
  data: [{ id: FALLBACK_MODEL, object: 'model', created: 1700000000, owned_by: 'mock' }],
});

type Route = 'chat' | 'embeddings' | 'models';

type Answer =
  { kind: 'json'; status: number; payload: string } | { kind: 'sse'; events: readonly string[] };

type ChatPlan =
  | { kind: 'text'; text: string; finishReason: 'stop' | 'length'; completionTokens: number }
  | { kind: 'tool'; toolName: string; completionTokens: number };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

// Keeps the original spacing of the kept words so the prefix is a real prefix of the reply.
function truncateToWords(text: string, words: number): string {
  if (words <= 0) return '';
  const pattern = /\S+/g;
  let seen = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    seen += 1;
    if (seen === words) return text.slice(0, match.index + match[0].length);
  }
  return text;
}

// Splits by code point so a piece never ends inside a surrogate pair.
function splitIntoPieces(text: string, count: number): string[] {
  const characters = Array.from(text);
  const pieceCount = Math.max(1, Math.min(count, characters.length));
  const pieces: string[] = [];
  for (let index = 0; index < pieceCount; index += 1) {
    const start = Math.floor((index * characters.length) / pieceCount);
    const end = Math.floor(((index + 1) * characters.length) / pieceCount);
    if (end > start) pieces.push(characters.slice(start, end).join(''));
  }
  return pieces;
}

function nonNegativeInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/*
 * Prompt tokens: P = ceil(C / 4) + 3 * M, at least 1, where M is the number of entries in
 * `messages` and C the total length (UTF-16 code units) of every message `content` string,
 * counting the `text` of content parts when `content` is an array.
 */
function promptTokensFor(body: unknown): number {
  const messages = isRecord(body) && Array.isArray(body.messages) ? body.messages : [];
  let characters = 0;
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const content = message.content;
    if (typeof content === 'string') {
      characters += content.length;
    } else if (Array.isArray(content)) {
      for (const part of content) {
        if (isRecord(part) && typeof part.text === 'string') characters += part.text.length;
      }
    }
  }
  return Math.max(1, Math.ceil(characters / 4) + 3 * messages.length);
}

function toolNameFor(body: Record<string, unknown>, tools: readonly unknown[]): string {
  const choice = body.tool_choice;
  if (isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === 'string') {
    return choice.function.name;
  }
  const first = tools[0];
  if (isRecord(first) && isRecord(first.function) && typeof first.function.name === 'string') {
    return first.function.name;
  }
  return 'unknown_function';
}

/*
 * Completion tokens: C = number of whitespace-separated words of the reply; when the request
 * has `tools` and `tool_choice` is not 'none' the reply is a tool call and
 * C = ceil(length of the arguments JSON / 4). A text reply longer than `max_completion_tokens`
 * (or `max_tokens`) is cut to that many words, C becomes that limit, finish_reason 'length'.
 */
function planChat(body: unknown, replyText: string, replyWordCount: number): ChatPlan {
  const request = isRecord(body) ? body : {};
  const tools = request.tools;
  if (Array.isArray(tools) && tools.length > 0 && request.tool_choice !== 'none') {
    return {
      kind: 'tool',
      toolName: toolNameFor(request, tools),
      completionTokens: Math.ceil(TOOL_ARGUMENTS.length / 4),
    };
  }
  const limit =
    nonNegativeInteger(request.max_completion_tokens) ?? nonNegativeInteger(request.max_tokens);
  if (limit !== undefined && limit < replyWordCount) {
    return {
      kind: 'text',
      text: truncateToWords(replyText, limit),
      finishReason: 'length',
      completionTokens: limit,
    };
  }
  return { kind: 'text', text: replyText, finishReason: 'stop', completionTokens: replyWordCount };
}

/** The usage the mock reports for a chat request answered with `replyText`. */
export function mockUsageFor(
  requestBody: unknown,
  replyText: string,
): { prompt_tokens: number; completion_tokens: number } {
  return {
    prompt_tokens: promptTokensFor(requestBody),
    completion_tokens: planChat(requestBody, replyText, countWords(replyText)).completionTokens,
  };
}

function usageObject(promptTokens: number, completionTokens: number) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

/**
 * Deterministic unit-length embedding of `text`, every value exactly Float32-representable.
 * Token-array inputs are embedded as `mockEmbeddingFor(JSON.stringify(tokens), dimensions)`.
 */
export function mockEmbeddingFor(text: string, dimensions: number): number[] {
  // FNV-1a of the text seeds mulberry32: cheap, stable across runs and platforms.
  let state = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    state = Math.imul(state ^ text.charCodeAt(index), 0x01000193);
  }
  const raw: number[] = [];
  let squares = 0;
  for (let index = 0; index < dimensions; index += 1) {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    const value = (((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296) * 2 - 1;
    raw.push(value);
    squares += value * value;
  }
  const norm = Math.sqrt(squares) || 1;
  return raw.map((value) => Math.fround(value / norm));
}

interface EmbeddingInput {
  key: string;
  tokens: number;
}

// Prompt tokens per input: ceil(length / 4) (at least 1) for a string, its length for a token array.
function embeddingInputs(input: unknown): EmbeddingInput[] | undefined {
  const isTokens = (value: unknown): value is number[] =>
    Array.isArray(value) && value.length > 0 && value.every((token) => typeof token === 'number');
  if (typeof input === 'string') {
    return [{ key: input, tokens: Math.max(1, Math.ceil(input.length / 4)) }];
  }
  if (isTokens(input)) return [{ key: JSON.stringify(input), tokens: input.length }];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  const inputs: EmbeddingInput[] = [];
  for (const item of input) {
    if (typeof item === 'string') {
      inputs.push({ key: item, tokens: Math.max(1, Math.ceil(item.length / 4)) });
    } else if (isTokens(item)) {
      inputs.push({ key: JSON.stringify(item), tokens: item.length });
    } else {
      return undefined;
    }
  }
  return inputs;
}

/** The usage the mock reports for an embeddings request (zero when the input is invalid). */
export function mockEmbeddingUsageFor(requestBody: unknown): {
  prompt_tokens: number;
  total_tokens: number;
} {
  const inputs = isRecord(requestBody) ? embeddingInputs(requestBody.input) : undefined;
  const tokens = inputs?.reduce((sum, input) => sum + input.tokens, 0) ?? 0;
  return { prompt_tokens: tokens, total_tokens: tokens };
}

function float32Base64(values: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(values.length * 4);
  values.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

function routeOf(method: string | undefined, pathname: string): Route | undefined {
  if (method === 'POST') {
    if (pathname === '/v1/chat/completions') return 'chat';
    if (pathname === '/v1/embeddings') return 'embeddings';
  } else if (method === 'GET' && pathname === '/v1/models') {
    return 'models';
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    let ended = false;
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      data += chunk;
    });
    req.on('end', () => {
      ended = true;
      resolve(data);
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!ended) reject(new Error('request closed before its body ended'));
    });
  });
}

function sendJson(res: ServerResponse, status: number, payload: string, requestId: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-request-id': requestId,
  });
  res.end(payload);
}

// Ending first lets already-written bytes reach the client before the connection goes away.
function cutConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (socket === null) return;
  socket.end(() => socket.destroy());
}

/** Starts a mock OpenAI upstream on 127.0.0.1 with an ephemeral port. */
export async function startMockOpenAIUpstream(
  options: MockUpstreamOptions = {},
): Promise<MockUpstream> {
  const replyText = options.replyText ?? DEFAULT_REPLY;
  const replyWordCount = countWords(replyText);
  const chunkCount = Math.max(1, options.chunkCount ?? DEFAULT_CHUNK_COUNT);
  const chunkDelay = options.chunkDelayMilliseconds ?? 0;
  const latency = options.latencyMilliseconds ?? 0;
  const defaultDimensions = options.embeddingDimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  const includeStreamUsage = options.omitStreamUsage !== true;
  const includeUsage = options.omitUsage !== true;
  const expectedAuthorization =
    options.requireApiKey === undefined ? undefined : `Bearer ${options.requireApiKey}`;
  const recordRequests = options.recordRequests ?? true;

  // Precomputed so the common stream answer costs no JSON.stringify per content chunk.
  const defaultTextDeltas = splitIntoPieces(replyText, chunkCount).map((piece) =>
    JSON.stringify({ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }),
  );
  const toolArgumentDeltas = splitIntoPieces(TOOL_ARGUMENTS, chunkCount).map((piece) =>
    JSON.stringify({
      index: 0,
      delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] },
      logprobs: null,
      finish_reason: null,
    }),
  );
  const textRoleDelta = JSON.stringify({
    index: 0,
    delta: { role: 'assistant', content: '', refusal: null },
    logprobs: null,
    finish_reason: null,
  });

  const requests: RecordedRequest[] = [];
  const queue: MockBehavior[] = [];
  let defaultBehavior: MockBehavior = { kind: 'ok' };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let closing: Promise<void> | undefined;
  let completionCounter = 0;
  let eventsWrittenCount = 0;
  let streamsAbandoned = 0;
  let requestCounter = 0;

  // Timers stay tracked so close() can cancel them; a cancelled sleep simply never resolves.
  const sleep = (milliseconds: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, milliseconds);
      timers.add(timer);
    });

  const chunkPrefix = (id: string, created: number, model: string): string =>
    `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_mock","choices":[`;

  function chatAnswer(body: unknown): Answer {
    if (!isRecord(body)) {
      return { kind: 'json', status: 400, payload: UNPARSABLE_BODY };
    }
    const plan = planChat(body, replyText, replyWordCount);
    const promptTokens = promptTokensFor(body);
    completionCounter += 1;
    const id = `chatcmpl-mock-${completionCounter}`;
    const created = Math.floor(Date.now() / 1000);
    const model = typeof body.model === 'string' ? body.model : FALLBACK_MODEL;

    if (body.stream !== true) {
      const message =
        plan.kind === 'text'
          ? { role: 'assistant', content: plan.text, refusal: null }
          : {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [
                {
                  id: TOOL_CALL_ID,
                  type: 'function',
                  function: { name: plan.toolName, arguments: TOOL_ARGUMENTS },
                },
              ],
            };
      const finishReason = plan.kind === 'text' ? plan.finishReason : 'tool_calls';
      const response = {
        id,
        object: 'chat.completion',
        created,
        model,
        system_fingerprint: 'fp_mock',
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        ...(includeUsage ? { usage: usageObject(promptTokens, plan.completionTokens) } : {}),
      };
      return { kind: 'json', status: 200, payload: JSON.stringify(response) };
    }

    const streamOptions = body.stream_options;
    const usageRequested = isRecord(streamOptions) && streamOptions.include_usage === true;
    const prefix = chunkPrefix(id, created, model);
    // OpenAI adds "usage":null to every chunk once include_usage is requested.
    const suffix = usageRequested ? '],"usage":null}\n\n' : ']}\n\n';
    const events: string[] = [];
    let finishReason: string;
    if (plan.kind === 'text') {
      events.push(prefix + textRoleDelta + suffix);
      const deltas =
        plan.text === replyText
          ? defaultTextDeltas
          : splitIntoPieces(plan.text, chunkCount).map((piece) =>
              JSON.stringify({
                index: 0,
                delta: { content: piece },
                logprobs: null,
                finish_reason: null,
              }),
            );
      for (const delta of deltas) events.push(prefix + delta + suffix);
      finishReason = plan.finishReason;
    } else {
      const opening = JSON.stringify({
        index: 0,
        delta: {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              index: 0,
              id: TOOL_CALL_ID,
              type: 'function',
              function: { name: plan.toolName, arguments: '' },
            },
          ],
        },
        logprobs: null,
        finish_reason: null,
      });
      events.push(prefix + opening + suffix);
      for (const delta of toolArgumentDeltas) events.push(prefix + delta + suffix);
      finishReason = 'tool_calls';
    }
    events.push(
      `${prefix}{"index":0,"delta":{},"logprobs":null,"finish_reason":"${finishReason}"}${suffix}`,
    );
    if (usageRequested && includeStreamUsage) {
      const usage = JSON.stringify(usageObject(promptTokens, plan.completionTokens));
      events.push(`${prefix}],"usage":${usage}}\n\n`);
    }
    events.push(SSE_DONE);
    return { kind: 'sse', events };
  }

  function embeddingsAnswer(body: unknown): Answer {
    if (!isRecord(body)) {
      return { kind: 'json', status: 400, payload: UNPARSABLE_BODY };
    }
    const inputs = embeddingInputs(body.input);
    if (inputs === undefined) {
      const payload = errorEnvelope(
        "'input' must be a non-empty string, array of strings, or array of token arrays.",
        'invalid_request_error',
        null,
        'input',
      );
      return { kind: 'json', status: 400, payload };
    }
    let dimensions = defaultDimensions;
    if (body.dimensions !== undefined) {
      const requested = nonNegativeInteger(body.dimensions);
      if (requested === undefined || requested === 0) {
        const payload = errorEnvelope(
          "'dimensions' must be a positive integer.",
          'invalid_request_error',
          null,
          'dimensions',
        );
        return { kind: 'json', status: 400, payload };
      }
      dimensions = requested;
    }
    const base64 = body.encoding_format === 'base64' && options.ignoreEncodingFormat !== true;
    let tokens = 0;
    const data = inputs.map((input, index) => {
      tokens += input.tokens;
      const vector = mockEmbeddingFor(input.key, dimensions);
      return { object: 'embedding', index, embedding: base64 ? float32Base64(vector) : vector };
    });
    const response = {
      object: 'list',
      data,
      model: typeof body.model === 'string' ? body.model : FALLBACK_MODEL,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
    return { kind: 'json', status: 200, payload: JSON.stringify(response) };
  }

  async function sendAnswer(
    res: ServerResponse,
    answer: Answer,
    requestId: string,
    cutAfterChunks?: number,
  ): Promise<void> {
    if (answer.kind === 'json') {
      if (cutAfterChunks === undefined) {
        sendJson(res, answer.status, answer.payload, requestId);
        return;
      }
      // A non-stream body has no chunks: promise the whole body, deliver half of it.
      const bytes = Buffer.from(answer.payload);
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'content-length': bytes.length,
        'x-request-id': requestId,
      });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      cutConnection(res);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-request-id': requestId,
    });
    // [DONE] is never sent when cutting, so the stream is always visibly incomplete.
    const limit =
      cutAfterChunks === undefined
        ? answer.events.length
        : Math.min(Math.max(0, cutAfterChunks), answer.events.length - 1);
    if (limit === 0) res.flushHeaders();
    for (let index = 0; index < limit; index += 1) {
      if (index > 0 && chunkDelay > 0) {
        await sleep(chunkDelay);
        if (res.destroyed && !closed) streamsAbandoned += 1;
        if (closed || res.destroyed) return;
      }
      res.write(answer.events[index]);
      eventsWrittenCount += 1;
    }
    if (cutAfterChunks === undefined) res.end();
    else cutConnection(res);
  }

  function sendBrokenStream(res: ServerResponse, body: unknown, requestId: string): void {
    completionCounter += 1;
    const model = isRecord(body) && typeof body.model === 'string' ? body.model : FALLBACK_MODEL;
    const prefix = chunkPrefix(
      `chatcmpl-mock-${completionCounter}`,
      Math.floor(Date.now() / 1000),
      model,
    );
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-request-id': requestId,
    });
    res.write(`${prefix}${textRoleDelta}]}\n\n`);
    res.write('data: {not json}\n\n');
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    let body: unknown;
    let bodyParsed = rawBody.length === 0;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
        bodyParsed = true;
      } catch {
        body = undefined;
      }
    }
    const target = req.url ?? '/';
    if (recordRequests) {
      requests.push({
        method: req.method ?? '',
        path: target,
        headers: req.headers,
        body,
        rawBody,
      });
    }
    requestCounter += 1;
    const requestId = `req_mock_${requestCounter}`;

    if (latency > 0) {
      await sleep(latency);
      if (closed || res.destroyed) return;
    }

    const queryStart = target.indexOf('?');
    const pathname = queryStart === -1 ? target : target.slice(0, queryStart);
    const route = routeOf(req.method, pathname);
    if (route === undefined) {
      const payload = errorEnvelope(
        `Invalid URL (${req.method ?? ''} ${pathname})`,
        'invalid_request_error',
        null,
        null,
      );
      sendJson(res, 404, payload, requestId);
      return;
    }
    if (
      expectedAuthorization !== undefined &&
      req.headers.authorization !== expectedAuthorization
    ) {
      sendJson(res, 401, INVALID_API_KEY_BODY, requestId);
      return;
    }
    if (route === 'models') {
      sendJson(res, 200, MODELS_BODY, requestId);
      return;
    }

    const behavior = queue.shift() ?? defaultBehavior;
    switch (behavior.kind) {
      case 'hang':
        return;
      case 'reset-before-headers':
        req.socket.destroy();
        return;
      case 'malformed-json':
        sendJson(res, 200, MALFORMED_BODY, requestId);
        return;
      case 'broken-sse':
        sendBrokenStream(res, body, requestId);
        return;
      case 'error': {
        const payload =
          behavior.body === undefined
            ? DEFAULT_ERROR_BODY
            : typeof behavior.body === 'string'
              ? behavior.body
              : JSON.stringify(behavior.body);
        const headers: Record<string, string | number> = {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'x-request-id': requestId,
        };
        for (const [name, value] of Object.entries(behavior.headers ?? {})) {
          headers[name.toLowerCase()] = value;
        }
        res.writeHead(behavior.status, headers);
        res.end(payload);
        return;
      }
      case 'delay':
        await sleep(behavior.milliseconds);
        if (closed || res.destroyed) return;
        break;
      case 'ok':
      case 'reset-mid-stream':
        break;
    }

    const answer: Answer = !bodyParsed
      ? { kind: 'json', status: 400, payload: UNPARSABLE_BODY }
      : route === 'chat'
        ? chatAnswer(body)
        : embeddingsAnswer(body);
    const cutAfter = behavior.kind === 'reset-mid-stream' ? behavior.afterChunks : undefined;
    await sendAnswer(res, answer, requestId, cutAfter);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // The client is usually gone already; make sure the connection does not linger either way.
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 500, DEFAULT_ERROR_BODY, 'req_mock_error');
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('mock upstream did not get a TCP address');
  }
  const port = address.port;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    enqueue(...behaviors: MockBehavior[]): void {
      queue.push(...behaviors);
    },
    setDefault(behavior: MockBehavior): void {
      defaultBehavior = behavior;
    },
    reset(): void {
      requests.length = 0;
      queue.length = 0;
      defaultBehavior = { kind: 'ok' };
    },
    eventsWritten(): number {
      return eventsWrittenCount;
    },
    streamsAbandonedByClient(): number {
      return streamsAbandoned;
    },
    openConnections(): number {
      return sockets.size;
    },
    close(): Promise<void> {
      if (closing !== undefined) return closing;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
      for (const socket of sockets) socket.destroy();
      return closing;
    },
  };
}
