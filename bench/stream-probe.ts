import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { RequestShape } from './load.js';
import { median, SampleBuffer, summarize, type LatencySummary } from './stats.js';

/** What the streaming client saw: time to the first `data:` chunk and how chunks arrived. */
export interface StreamProbeResult {
  streams: number;
  failures: number;
  /** Time from sending the request to the first body chunk holding `data:`, in ms. */
  timeToFirstToken: LatencySummary;
  /** Time to the end of the stream, in ms. */
  total: LatencySummary;
  /** Median number of separate body reads that carried `data:` events, per stream. */
  medianDataReads: number;
  /** Median time between the first and the last `data:` read of a stream, in ms. */
  medianSpreadMilliseconds: number;
}

const maximumStreams = 200_000;

/**
 * A small undici client: `connections` loops each send one streaming request after another for
 * `seconds` (and at most `maximumStreams` in all), timing the first `data:` chunk of each.
 */
export async function probeStreams(
  origin: string,
  shape: RequestShape,
  connections: number,
  seconds: number,
): Promise<StreamProbeResult> {
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const firstTokens = new SampleBuffer();
  const totals = new SampleBuffer();
  const dataReads: number[] = [];
  const spreads: number[] = [];
  let started = 0;
  let failures = 0;
  const stopAt = performance.now() + seconds * 1000;

  async function oneStream(): Promise<void> {
    const sentAt = performance.now();
    const response = await pool.request({
      path: shape.path,
      method: 'POST',
      headers: shape.headers,
      body: shape.body,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    let firstData: number | undefined;
    let lastData = sentAt;
    let reads = 0;
    for await (const chunk of response.body) {
      if ((chunk as Buffer).includes('data:')) {
        const now = performance.now();
        firstData ??= now;
        lastData = now;
        reads += 1;
      }
    }
    const endedAt = performance.now();
    if (response.statusCode !== 200 || firstData === undefined) {
      failures += 1;
      return;
    }
    firstTokens.add(firstData - sentAt);
    totals.add(endedAt - sentAt);
    if (dataReads.length < 10_000) {
      dataReads.push(reads);
      spreads.push(lastData - firstData);
    }
  }

  async function loop(): Promise<void> {
    while (performance.now() < stopAt && started < maximumStreams) {
      started += 1;
      try {
        await oneStream();
      } catch {
        failures += 1;
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: connections }, () => loop()));
  } finally {
    await pool.close();
  }
  return {
    streams: firstTokens.values.length,
    failures,
    timeToFirstToken: summarize(firstTokens.values),
    total: summarize(totals.values),
    medianDataReads: median(dataReads),
    medianSpreadMilliseconds: median(spreads),
  };
}
