import type { ServerResponse } from 'node:http';
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
 * A mock of Anthropic's Messages API (`POST /v1/messages`), written from Anthropic's published
 * documentation (Messages API reference, streaming guide, tool use, prompt caching, errors):
 * JSON answers, the named SSE events (message_start, content_block_start / _delta / _stop, ping,
 * message_delta, message_stop, error), tool_use blocks, usage with cache reads and writes, and
 * Anthropic's error envelope. Token counts are deterministic so tests can predict bills.
 */

export interface MockAnthropicOptions {
  /** Assistant text; default 'Hello! How can I help you today?'. */
  replyText?: string;
  /** Number of text deltas a stream splits the reply into; default 4. */
  chunkCount?: number;
  /** Prompt tokens reported as read from the cache (`cache_read_input_tokens`). */
  cacheReadTokens?: number;
  /** Prompt tokens reported as written to the cache (`cache_creation_input_tokens`). */
  cacheCreationTokens?: number;
  /** When set, requests without `x-api-key: <it>` get 401 authentication_error. */
  requireApiKey?: string;
  /** Text the model writes before a tool call; default 'Let me check.' ('' for none). */
  toolPreface?: string;
}

export interface MockAnthropicUpstream {
  /** The base URL to configure: origin + `/v1`. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  enqueue: (...behaviors: MockBehavior[]) => void;
  setDefault: (behavior: MockBehavior) => void;
  reset: () => void;
  close: () => Promise<void>;
}

/** Anthropic's usage object, as the mock reports it. */
export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export const anthropicToolUseId = 'toolu_01A09q90qw90lq917835lq9';
export const anthropicToolInput = { location: 'Paris' };

const defaultReply = 'Hello! How can I help you today?';
const errorTypes: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

type Plan =
  | { kind: 'text'; text: string; stopReason: 'end_turn' | 'max_tokens'; outputTokens: number }
  | { kind: 'tool'; preface: string; name: string; outputTokens: number };

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => {
      if (!isRecord(block)) return '';
      if (typeof block.text === 'string') return block.text;
      if (block.type === 'tool_result') return textOf(block.content);
      if (block.type === 'tool_use') return JSON.stringify(block.input ?? {});
      return '';
    })
    .join('');
}

/**
 * The usage the mock reports. The prompt's size P = ceil(C / 4) + 3 × M (at least 1), C being
 * the characters of `system` and of every message's text, tool inputs and tool results, M the
 * number of messages; the configured cache reads and writes come out of P, the rest is
 * `input_tokens`. Output: the reply's words, or for a tool call the preface's words plus
 * ceil(input JSON length / 4); a reply longer than `max_tokens` is cut to it.
 */
export function mockAnthropicUsageFor(
  body: unknown,
  options: MockAnthropicOptions = {},
): AnthropicUsage {
  const request = isRecord(body) ? body : {};
  const messages = Array.isArray(request.messages) ? request.messages : [];
  const characters =
    textOf(request.system).length +
    messages.reduce<number>(
      (sum, message) => sum + (isRecord(message) ? textOf(message.content).length : 0),
      0,
    );
  const prompt = Math.max(1, Math.ceil(characters / 4) + 3 * messages.length);
  const read = Math.min(options.cacheReadTokens ?? 0, prompt);
  const created = Math.min(options.cacheCreationTokens ?? 0, prompt - read);
  return {
    input_tokens: prompt - read - created,
    cache_creation_input_tokens: created,
    cache_read_input_tokens: read,
    output_tokens: plan(request, options).outputTokens,
  };
}

function plan(request: Record<string, unknown>, options: MockAnthropicOptions): Plan {
  const tools: unknown[] = Array.isArray(request.tools) ? request.tools : [];
  const choice = isRecord(request.tool_choice) ? request.tool_choice : {};
  if (tools.length > 0 && choice.type !== 'none') {
    const first = tools[0];
    const name =
      choice.type === 'tool' && typeof choice.name === 'string'
        ? choice.name
        : isRecord(first) && typeof first.name === 'string'
          ? first.name
          : 'unknown_tool';
    const preface = options.toolPreface ?? 'Let me check.';
    const inputTokens = Math.ceil(JSON.stringify(anthropicToolInput).length / 4);
    return { kind: 'tool', preface, name, outputTokens: countWords(preface) + inputTokens };
  }
  const reply = options.replyText ?? defaultReply;
  const words = countWords(reply);
  const limit = typeof request.max_tokens === 'number' ? request.max_tokens : words;
  if (limit < words) {
    return {
      kind: 'text',
      text: firstWords(reply, limit),
      stopReason: 'max_tokens',
      outputTokens: limit,
    };
  }
  return { kind: 'text', text: reply, stopReason: 'end_turn', outputTokens: words };
}

function errorBody(type: string, message: string) {
  return { type: 'error', error: { type, message }, request_id: 'req_mock_anthropic' };
}

/** What the real API refuses that an adapter could get wrong; undefined when the body is fine. */
function invalidRequest(request: RecordedRequest): string | undefined {
  if (request.headers['anthropic-version'] === undefined) {
    return 'anthropic-version: header is required';
  }
  const body = request.body;
  if (!isRecord(body)) return 'The request body is not valid JSON.';
  if (typeof body.model !== 'string') return 'model: Field required';
  if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return 'messages: Field required';
  }
  let previousToolUses = new Set<string>();
  for (const [index, message] of body.messages.entries()) {
    if (!isRecord(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    }
    const blocks = Array.isArray(message.content) ? message.content : [];
    for (const block of blocks) {
      if (
        isRecord(block) &&
        block.type === 'tool_result' &&
        !previousToolUses.has(String(block.tool_use_id))
      ) {
        return `messages.${index}: tool_result block(s) provided when previous message does not have a matching tool_use block`;
      }
    }
    previousToolUses = new Set(
      blocks
        .filter((block) => isRecord(block) && block.type === 'tool_use')
        .map((block) => String((block as Record<string, unknown>).id)),
    );
  }
  return undefined;
}

function event(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** The named events of one streamed message, in the order Anthropic sends them. */
function streamEvents(
  id: string,
  model: string,
  chosen: Plan,
  usage: AnthropicUsage,
  chunkCount: number,
): string[] {
  const events = [
    event('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        content: [],
        model,
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
    event('ping', {}),
  ];
  const text = chosen.kind === 'text' ? chosen.text : chosen.preface;
  let index = 0;
  if (text !== '') {
    events.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const piece of splitIntoPieces(text, chunkCount)) {
      events.push(
        event('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }),
      );
    }
    events.push(event('content_block_stop', { index }));
    index++;
  }
  if (chosen.kind === 'tool') {
    events.push(
      event('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: anthropicToolUseId, name: chosen.name, input: {} },
      }),
    );
    // The documented stream opens a tool's input with an empty fragment.
    for (const piece of ['', ...splitIntoPieces(JSON.stringify(anthropicToolInput), 3)]) {
      events.push(
        event('content_block_delta', {
          index,
          delta: { type: 'input_json_delta', partial_json: piece },
        }),
      );
    }
    events.push(event('content_block_stop', { index }));
  }
  const stopReason = chosen.kind === 'tool' ? 'tool_use' : chosen.stopReason;
  events.push(
    event('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
    event('message_stop', {}),
  );
  return events;
}

function messageBody(id: string, model: string, chosen: Plan, usage: AnthropicUsage) {
  const content: Record<string, unknown>[] = [];
  const text = chosen.kind === 'text' ? chosen.text : chosen.preface;
  if (text !== '') content.push({ type: 'text', text });
  if (chosen.kind === 'tool') {
    content.push({
      type: 'tool_use',
      id: anthropicToolUseId,
      name: chosen.name,
      input: anthropicToolInput,
    });
  }
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: chosen.kind === 'tool' ? 'tool_use' : chosen.stopReason,
    stop_sequence: null,
    usage,
  };
}

async function writeStream(
  response: ServerResponse,
  events: readonly string[],
  server: MockServer,
  cutAfter: number | undefined,
): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const limit = cutAfter === undefined ? events.length : Math.min(cutAfter, events.length - 1);
  for (let index = 0; index < limit; index++) {
    response.write(events[index]);
    // Let the gateway see events arrive apart, as they do from the real API.
    if (index % 4 === 3) await server.sleep(1);
    if (server.isClosed() || response.destroyed) return;
  }
  if (cutAfter === undefined) response.end();
  else cutConnection(response);
}

/** Starts the mock on 127.0.0.1 with an ephemeral port. */
export async function startMockAnthropicUpstream(
  options: MockAnthropicOptions = {},
): Promise<MockAnthropicUpstream> {
  let counter = 0;
  const server = await startMockServer(async (request, response, mock) => {
    if (request.method !== 'POST' || request.path !== '/v1/messages') {
      sendJson(response, 404, errorBody('not_found_error', 'Not found'));
      return;
    }
    if (
      options.requireApiKey !== undefined &&
      request.headers['x-api-key'] !== options.requireApiKey
    ) {
      sendJson(response, 401, errorBody('authentication_error', 'invalid x-api-key'));
      return;
    }
    const behavior = mock.nextBehavior();
    if (behavior.kind === 'hang') return;
    if (behavior.kind === 'error') {
      const type = errorTypes[behavior.status] ?? 'api_error';
      const body = behavior.body ?? errorBody(type, `Mock ${type}`);
      sendJson(response, behavior.status, body, behavior.headers);
      return;
    }
    const problem = invalidRequest(request);
    if (problem !== undefined) {
      sendJson(response, 400, errorBody('invalid_request_error', problem));
      return;
    }
    const body = request.body as Record<string, unknown>;
    counter += 1;
    const id = `msg_mock_${counter}`;
    const model = body.model as string;
    const chosen = plan(body, options);
    const usage = mockAnthropicUsageFor(body, options);
    if (body.stream !== true) {
      if (behavior.kind === 'malformed-json') {
        sendJson(response, 200, '{"id": "msg_broken", "content": [');
        return;
      }
      sendJson(response, 200, messageBody(id, model, chosen, usage));
      return;
    }
    const events = streamEvents(id, model, chosen, usage, options.chunkCount ?? 4);
    if (behavior.kind === 'malformed-json') {
      await writeStream(
        response,
        [events[0] as string, 'event: content_block_start\ndata: {not json}\n\n'],
        mock,
        undefined,
      );
      return;
    }
    if (behavior.kind === 'error-event') {
      const broken = [
        ...events.slice(0, 4),
        `event: error\ndata: ${JSON.stringify(errorBody('overloaded_error', 'Overloaded'))}\n\n`,
      ];
      await writeStream(response, broken, mock, undefined);
      return;
    }
    const cutAfter = behavior.kind === 'reset-mid-stream' ? behavior.afterEvents : undefined;
    await writeStream(response, events, mock, cutAfter);
  });
  return {
    baseUrl: `${server.origin}/v1`,
    requests: server.requests,
    enqueue: server.enqueue,
    setDefault: server.setDefault,
    reset: server.reset,
    close: server.close,
  };
}
