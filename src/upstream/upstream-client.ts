import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import type { DeploymentTimeouts } from '../config/schema.js';
import type { UpstreamHttpRequest } from '../providers/contract.js';

/** Why an upstream call failed before it produced a response. */
export type UpstreamFailureKind = 'timeout' | 'unavailable' | 'aborted';

/** An upstream call that failed at the transport level (connect, timeout, reset). */
export class UpstreamTransportError extends Error {
  constructor(
    readonly kind: UpstreamFailureKind,
    detail: string,
    options?: { cause: unknown },
  ) {
    super(detail, options);
    this.name = 'UpstreamTransportError';
  }
}

export interface UpstreamResponse {
  statusCode: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Dispatcher.ResponseData['body'];
}

/** Classifies an undici error without exposing the upstream's address to anyone. */
export function classifyTransportError(error: unknown): UpstreamTransportError {
  if (error instanceof UpstreamTransportError) return error;
  if (
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError
  ) {
    return new UpstreamTransportError('timeout', error.message, { cause: error });
  }
  if (
    error instanceof undiciErrors.RequestAbortedError ||
    (error as Error | undefined)?.name === 'AbortError'
  ) {
    return new UpstreamTransportError('aborted', 'the request was aborted', { cause: error });
  }
  return new UpstreamTransportError(
    'unavailable',
    (error as Error | undefined)?.message ?? 'unknown error',
    {
      cause: error,
    },
  );
}

/**
 * Keeps one keep-alive connection pool per upstream origin (and connect timeout) and sends
 * requests through it. Timeouts map onto undici's: connect, first byte (headers) and the idle
 * gap between body chunks.
 */
export class UpstreamClient {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: { connections?: number } = {}) {}

  /** Sends a request; resolves once the upstream's status and headers have arrived. */
  async send(
    request: UpstreamHttpRequest,
    timeouts: DeploymentTimeouts,
    signal: AbortSignal,
  ): Promise<UpstreamResponse> {
    const pool = this.pool(request.origin, timeouts.connectMilliseconds);
    try {
      return await pool.request({
        path: request.path,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal,
        headersTimeout: timeouts.firstByteMilliseconds,
        bodyTimeout: timeouts.idleMilliseconds,
      });
    } catch (error) {
      throw classifyTransportError(error);
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  private pool(origin: string, connectMilliseconds: number): Pool {
    const key = `${origin} ${connectMilliseconds}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connections ?? 256,
        connect: { timeout: connectMilliseconds },
        keepAliveTimeout: 30_000,
        pipelining: 1,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }
}
