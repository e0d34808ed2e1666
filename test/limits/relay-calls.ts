import { expect } from 'vitest';
import { isoSeconds } from '../../src/limits/messages.js';

// Plain HTTP calls to the relay for the limits suites: the exact body bytes matter (the token
// estimate is computed from them), and every header is looked at.

/** One relay answer, its body read whole (an event stream as text). */
export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an event stream or an empty body. */
  body: unknown;
  text: string;
}

export interface ErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string;
}

/** A chat request body as the exact text sent, so its size in bytes is known. */
export function chatBody(options: {
  model?: string;
  content?: string;
  maxTokens?: number;
  stream?: boolean;
}): string {
  return JSON.stringify({
    model: options.model ?? 'mock-chat',
    messages: [{ role: 'user', content: options.content ?? 'Hi' }],
    ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
    ...(options.stream === true ? { stream: true } : {}),
  });
}

/** The relay's token estimate of a chat body: about four bytes a token, plus max_tokens. */
export function estimatedTokens(body: string, maxTokens = 0): number {
  return Math.ceil(Buffer.byteLength(body) / 4) + maxTokens;
}

/** POSTs a body (sent as is when it is text) to a relay path such as /chat/completions. */
export async function post(
  baseURL: string,
  key: string,
  path: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<Reply> {
  const response = await fetch(`${baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
  return read(response);
}

/** GETs a relay path such as /models. */
export async function get(baseURL: string, key: string, path: string): Promise<Reply> {
  const response = await fetch(`${baseURL}${path}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return read(response);
}

async function read(response: Response): Promise<Reply> {
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
  return {
    status: response.status,
    headers: response.headers,
    body: json && text.length > 0 ? (JSON.parse(text) as unknown) : undefined,
    text,
  };
}

/** The error of an error reply, after checking its status and code. */
export function expectError(reply: Reply, status: number, code: string): ErrorBody {
  expect(reply.status, reply.text).toBe(status);
  const error = (reply.body as { error?: ErrorBody } | undefined)?.error;
  expect(error?.code, reply.text).toBe(code);
  return error as ErrorBody;
}

/** A Go-style duration as OpenAI's x-ratelimit-reset-* headers write it: 6m0s, 1.5s, 20ms. */
const openAiDurationPattern = /^(\d+h)?(\d+m)?(\d+(\.\d+)?s|\d+ms)$/;

/**
 * Checks the rate-limit headers of a reply: the seed's X-RateLimit-{Limit,Remaining,Reset}
 * (Reset ISO 8601 to the second) and OpenAI's x-ratelimit-*-requests, and -tokens when a tpm
 * window is expected. `resetAt`, when given, is the epoch ms the request window empties.
 */
export function expectRateLimitHeaders(
  headers: Headers,
  requests: { limit: number; remaining: number; resetAt?: number },
  tokens?: { limit: number; remaining?: number },
): void {
  expect(headers.get('x-ratelimit-limit')).toBe(String(requests.limit));
  expect(headers.get('x-ratelimit-remaining')).toBe(String(requests.remaining));
  const reset = headers.get('x-ratelimit-reset') ?? '';
  expect(reset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  if (requests.resetAt !== undefined) expect(reset).toBe(isoSeconds(requests.resetAt));
  expect(headers.get('x-ratelimit-limit-requests')).toBe(String(requests.limit));
  expect(headers.get('x-ratelimit-remaining-requests')).toBe(String(requests.remaining));
  expect(headers.get('x-ratelimit-reset-requests')).toMatch(openAiDurationPattern);
  if (tokens === undefined) {
    expect(headers.get('x-ratelimit-limit-tokens')).toBeNull();
    return;
  }
  expect(headers.get('x-ratelimit-limit-tokens')).toBe(String(tokens.limit));
  const remaining = headers.get('x-ratelimit-remaining-tokens');
  if (tokens.remaining === undefined) expect(remaining).toMatch(/^\d+$/);
  else expect(remaining).toBe(String(tokens.remaining));
  expect(headers.get('x-ratelimit-reset-tokens')).toMatch(openAiDurationPattern);
}

/** No rate-limit header at all (a key the limiter could not be asked about). */
export function expectNoRateLimitHeaders(headers: Headers): void {
  const names = [...headers.keys()].filter((name) => name.startsWith('x-ratelimit'));
  expect(names).toEqual([]);
}
