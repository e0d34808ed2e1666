import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What the provider mocks (Anthropic, Gemini) share: a node:http server on an ephemeral port that
 * records every request, a queue of scripted behaviours, and a clean shutdown that cancels
 * pending timers and drops hanging connections.
 */

/** One request as a mock received it. */
export interface RecordedRequest {
  method: string;
  /** The raw request target, query string included. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined when the body is empty or not valid JSON. */
  body: unknown;
  rawBody: string;
}

/** How a provider mock answers its next request. */
export type MockBehavior =
  | { kind: 'ok' }
  /** An error in the provider's own shape; `body` replaces it when given. */
  | { kind: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed-json' }
  /** A stream that starts, then ends with the provider's error event. */
  | { kind: 'error-event' }
  /** A stream cut (connection closed) after this many events. */
  | { kind: 'reset-mid-stream'; afterEvents: number };

export interface MockServer {
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** The next scripted behaviour, or the default. */
  nextBehavior: () => MockBehavior;
  enqueue: (...behaviors: MockBehavior[]) => void;
  setDefault: (behavior: MockBehavior) => void;
  reset: () => void;
  /** Resolves after `milliseconds`; never, once the server is closed. */
  sleep: (milliseconds: number) => Promise<void>;
  isClosed: () => boolean;
  close: () => Promise<void>;
}

export type MockHandler = (
  request: RecordedRequest,
  response: ServerResponse,
  server: MockServer,
) => Promise<void>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** The first `words` words of `text`, with its original spacing. */
export function firstWords(text: string, words: number): string {
  const pattern = /\S+/g;
  let seen = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    seen += 1;
    if (seen === words) return text.slice(0, match.index + match[0].length);
  }
  return words <= 0 ? '' : text;
}

/** Splits text into about `count` pieces, never inside a surrogate pair. */
export function splitIntoPieces(text: string, count: number): string[] {
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

export function sendJson(
  response: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Ends the connection after what was written so far, so the client sees a cut stream. */
export function cutConnection(response: ServerResponse): void {
  const socket = response.socket;
  if (socket === null) return;
  socket.end(() => socket.destroy());
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      data += chunk;
    });
    request.on('end', () => resolve(data));
    request.on('error', reject);
  });
}

/** Starts a mock on 127.0.0.1 with an ephemeral port. */
export async function startMockServer(handler: MockHandler): Promise<MockServer> {
  const requests: RecordedRequest[] = [];
  const queue: MockBehavior[] = [];
  let defaultBehavior: MockBehavior = { kind: 'ok' };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const server = createServer((incoming, response) => {
    void (async () => {
      const rawBody = await readBody(incoming);
      let body: unknown;
      try {
        body = rawBody === '' ? undefined : JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '/',
        headers: incoming.headers,
        body,
        rawBody,
      };
      requests.push(recorded);
      await handler(recorded, response, mock);
    })().catch(() => {
      if (!response.headersSent && !response.destroyed) sendJson(response, 500, '{}');
      else response.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');

  const mock: MockServer = {
    origin: `http://127.0.0.1:${address.port}`,
    port: address.port,
    requests,
    nextBehavior: () => queue.shift() ?? defaultBehavior,
    enqueue: (...behaviors) => void queue.push(...behaviors),
    setDefault: (behavior) => {
      defaultBehavior = behavior;
    },
    reset: () => {
      requests.length = 0;
      queue.length = 0;
      defaultBehavior = { kind: 'ok' };
    },
    sleep: (milliseconds) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, milliseconds);
        timers.add(timer);
      }),
    isClosed: () => closed,
    close: () => {
      if (closing) return closing;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      closing = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      return closing;
    },
  };
  return mock;
}
