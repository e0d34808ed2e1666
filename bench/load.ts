import autocannon from 'autocannon';
import { SampleBuffer, summarize, type LatencySummary } from './stats.js';

/** One request shape the load generator repeats. */
export interface RequestShape {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** What one load run measured on the client side. */
export interface LoadResult {
  /** Responses completed (any status) during the measured window. */
  responses: number;
  /** Responses that were not 2xx, plus connection errors and timeouts. */
  failures: number;
  seconds: number;
  requestsPerSecond: number;
  /** Full-response latency (for a stream: until its last byte), 2xx only, in ms. */
  latency: LatencySummary;
}

/**
 * A fixed number of requests at a steady rate instead of as many as fit in a time: every
 * request completes (none is cut off when time runs out), so a soak can account for each one.
 */
export interface Pacing {
  amount: number;
  requestsPerSecond: number;
}

/**
 * Runs autocannon against `origin` for `seconds` (or, paced, until `pacing.amount` requests
 * have answered). Latencies are taken from each client's `response` event (float milliseconds),
 * not from autocannon's histogram, which keeps whole milliseconds only: far too coarse for
 * sub-millisecond overheads.
 */
export async function runLoad(
  origin: string,
  shape: RequestShape,
  connections: number,
  seconds: number,
  pacing?: Pacing,
): Promise<LoadResult> {
  const latencies = new SampleBuffer();
  let responses = 0;
  let failures = 0;
  const result = await autocannon({
    url: `${origin}${shape.path}`,
    method: 'POST',
    headers: shape.headers,
    body: shape.body,
    connections,
    pipelining: 1,
    ...(pacing === undefined
      ? { duration: seconds }
      : { amount: pacing.amount, overallRate: pacing.requestsPerSecond }),
    timeout: 30,
    setupClient(client) {
      client.on('response', (statusCode: number, _bytes: number, milliseconds: number) => {
        responses += 1;
        if (statusCode >= 200 && statusCode < 300) latencies.add(milliseconds);
        else failures += 1;
      });
    },
  });
  failures += result.errors;
  const measuredSeconds = result.duration > 0 ? result.duration : seconds;
  return {
    responses,
    failures,
    seconds: measuredSeconds,
    requestsPerSecond: responses / measuredSeconds,
    latency: summarize(latencies.values),
  };
}
