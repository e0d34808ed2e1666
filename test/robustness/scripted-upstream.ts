import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How the scripted upstream ends a response it has started. */
export type Ending = 'end' | 'hang' | 'reset';

/** One scripted answer; each request takes the next one, or the default when none is queued. */
export type Script =
  /** Never answers, not even headers. */
  | { kind: 'hang' }
  /** Closes the connection before any header. */
  | { kind: 'reset' }
  /** A whole response; `ending` other than 'end' cuts or stalls it after half the body. */
  | {
      kind: 'respond';
      status: number;
      body: string;
      contentType?: string;
      ending?: Ending;
    }
  /** A 200 event stream: the chunks in order (`pauseMilliseconds` apart), then the ending. */
  | {
      kind: 'stream';
      chunks: readonly (string | Buffer)[];
      ending: Ending;
      pauseMilliseconds?: number;
      contentType?: string;
    };

export interface ScriptedUpstream {
  baseUrl: string;
  /** Bodies of the requests received, parsed. */
  requests: unknown[];
  enqueue(...scripts: Script[]): void;
  close(): Promise<void>;
}

/** A chat completion chunk carrying `content`, as OpenAI streams it. */
export function contentChunk(content: string): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-scripted',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'scripted',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  })}\n\n`;
}

/** The closing chunks of a complete stream: finish reason, usage, [DONE]. */
export function streamEnd(promptTokens: number, completionTokens: number): string[] {
  return [
    `data: ${JSON.stringify({
      id: 'chatcmpl-scripted',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'scripted',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    })}\n\n`,
    `data: ${JSON.stringify({
      id: 'chatcmpl-scripted',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'scripted',
      choices: [],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    })}\n\n`,
    'data: [DONE]\n\n',
  ];
}

/** A complete non-stream chat completion with the given usage. */
export function completionBody(text: string, promptTokens: number, completionTokens: number) {
  return JSON.stringify({
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'scripted',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', () => resolve(text));
  });
}

/**
 * An upstream that answers each request with the next queued script: for faults the shared mock
 * has no behaviour for (a stream that stalls mid-way, garbage after good chunks, odd content
 * types). Listens on 127.0.0.1; `close()` cuts every connection, hung ones included.
 */
export async function startScriptedUpstream(fallback: Script): Promise<ScriptedUpstream> {
  const queue: Script[] = [];
  const requests: unknown[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const pause = (milliseconds: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, milliseconds);
      timers.add(timer);
    });

  const finish = (response: ServerResponse, ending: Ending): void => {
    if (ending === 'end') response.end();
    // Ending the socket first lets what was written arrive before the connection goes.
    else if (ending === 'reset') response.socket?.end(() => response.socket?.destroy());
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const text = await readBody(request);
    try {
      requests.push(JSON.parse(text));
    } catch {
      requests.push(text);
    }
    const script = queue.shift() ?? fallback;
    switch (script.kind) {
      case 'hang':
        return;
      case 'reset':
        request.socket.destroy();
        return;
      case 'respond': {
        const ending = script.ending ?? 'end';
        response.writeHead(script.status, {
          'content-type': script.contentType ?? 'application/json',
          'content-length': Buffer.byteLength(script.body),
        });
        if (ending === 'end') {
          response.end(script.body);
          return;
        }
        response.write(script.body.slice(0, Math.floor(script.body.length / 2)));
        finish(response, ending);
        return;
      }
      case 'stream': {
        response.writeHead(200, {
          'content-type': script.contentType ?? 'text/event-stream',
          'cache-control': 'no-cache',
        });
        response.flushHeaders();
        for (const [index, chunk] of script.chunks.entries()) {
          if (index > 0 && script.pauseMilliseconds) await pause(script.pauseMilliseconds);
          if (response.destroyed) return;
          response.write(chunk);
        }
        finish(response, script.ending);
        return;
      }
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    requests,
    enqueue: (...scripts) => queue.push(...scripts),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
