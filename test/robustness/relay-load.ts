import { Pool } from 'undici';

/** One request of a load run, as the client saw it. */
export interface LoadResult {
  status: number | undefined;
  requestId: string | undefined;
  stream: boolean;
  /** Date.now() when the whole response had arrived (or the request failed). */
  finishedAt: number;
  error: string | undefined;
}

export interface LoadOptions {
  /** Root URL of the gateway, e.g. http://127.0.0.1:PORT. */
  url: string;
  key: string;
  clients: number;
  /** The run stops at this Date.now(), or earlier when `stop()` is called. */
  until: number;
  /** Every how many requests one is streamed. */
  streamEvery: number;
}

export interface LoadRun {
  /** Resolves with every result once each client has stopped. */
  done: Promise<LoadResult[]>;
  /** No client starts another request after this. */
  stop(): void;
  /** Responses received so far with status 200. */
  served(): number;
}

const requestTimeoutMilliseconds = 10_000;

/**
 * `clients` loops, each sending one chat completion after another (every `streamEvery`th one
 * streamed, its body read to the end) through one pool to 127.0.0.1, recording when each
 * response was complete. Failed requests are recorded too; nothing throws.
 */
export function startLoad(options: LoadOptions): LoadRun {
  const pool = new Pool(options.url, { connections: options.clients, pipelining: 1 });
  const results: LoadResult[] = [];
  let stopped = false;
  let counter = 0;
  let served = 0;
  const client = async (): Promise<void> => {
    while (!stopped && Date.now() < options.until) {
      const stream = ++counter % options.streamEvery === 0;
      const body = JSON.stringify({
        model: 'mock-chat',
        messages: [{ role: 'user', content: `Request ${counter}: say hi` }],
        ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      });
      try {
        const response = await pool.request({
          method: 'POST',
          path: '/api/v1/chat/completions',
          headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' },
          body,
          headersTimeout: requestTimeoutMilliseconds,
          bodyTimeout: requestTimeoutMilliseconds,
        });
        const text = await response.body.text();
        const requestId = response.headers['x-request-id'];
        // A stream is complete only with its [DONE]; a cut one is not a completed response.
        const complete = !stream || text.includes('data: [DONE]');
        const status = response.statusCode === 200 && !complete ? undefined : response.statusCode;
        if (status === 200) served += 1;
        results.push({
          status,
          requestId: typeof requestId === 'string' ? requestId : undefined,
          stream,
          finishedAt: Date.now(),
          error: status === undefined ? 'stream cut before [DONE]' : undefined,
        });
      } catch (error) {
        results.push({
          status: undefined,
          requestId: undefined,
          stream,
          finishedAt: Date.now(),
          error: error instanceof Error ? error.message : String(error),
        });
        // The gateway is gone: wait a moment rather than spin on refused connections.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.clients }, client)).then(async () => {
    await pool.destroy();
    return results;
  });
  return {
    done,
    stop: () => {
      stopped = true;
    },
    served: () => served,
  };
}
