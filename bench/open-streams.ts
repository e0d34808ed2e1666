import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { GatewayProcess } from './gateway.js';
import type { RequestShape } from './load.js';
import { requestShapes } from './matrix.js';
import { openFileCount, sampleProcess } from './proc-stats.js';
import type { BenchReport } from './report.js';

/** What happened while holding many streams open at once. */
export interface OpenStreamsResult {
  requested: number;
  /** Streams open (first `data:` chunk received, not yet ended) when `whileOpen` began. */
  openAtMeasurement: number;
  /** Streams open when `whileOpen` ended. */
  openAfterMeasurement: number;
  /** Requests that failed or answered with something other than a 200 stream. */
  failed: number;
  /** From the first request until all were open, or until the patience ran out. */
  openingMilliseconds: number;
  /** Client requests still unsettled 15 s after they were all aborted (should be 0). */
  unsettledAfterAbort: number;
  /** Streams that ended or broke after opening but before the abort (should be 0). */
  endedEarly: number;
  /** The first error seen, for the report. */
  firstError: string | undefined;
}

/**
 * Opens `count` slow streaming requests at once (at most `openingConcurrency` being set up at a
 * time, so no listen backlog overflows), waits until each has delivered its first chunk or
 * `openPatienceMilliseconds` pass, calls `whileOpen`, then aborts them all.
 */
export async function holdOpenStreams(
  origin: string,
  shape: RequestShape,
  count: number,
  whileOpen: () => Promise<void>,
  { openingConcurrency = 100, openPatienceMilliseconds = 60_000 } = {},
): Promise<OpenStreamsResult> {
  const pool = new Pool(origin, {
    connections: count,
    pipelining: 1,
    headersTimeout: openPatienceMilliseconds,
    bodyTimeout: openPatienceMilliseconds * 2,
  });
  let open = 0;
  let failed = 0;
  let opened = 0;
  let endedEarly = 0;
  let firstError: string | undefined;
  let aborting = false;

  // A counting semaphore: setting up a stream holds a slot until its first chunk arrives.
  let freeSlots = openingConcurrency;
  const queue: Array<() => void> = [];
  const takeSlot = (): Promise<void> => {
    if (freeSlots > 0) {
      freeSlots -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => queue.push(resolve));
  };
  const giveSlot = (): void => {
    const next = queue.shift();
    if (next) next();
    else freeSlots += 1;
  };

  let markAllSettled: () => void = () => undefined;
  const allSettled = new Promise<void>((resolve) => (markAllSettled = resolve));
  const checkSettled = (): void => {
    if (opened + failed >= count) markAllSettled();
  };

  async function oneStream(signal: AbortSignal): Promise<void> {
    await takeSlot();
    let holdsSlot = true;
    const release = (): void => {
      if (holdsSlot) {
        holdsSlot = false;
        giveSlot();
      }
    };
    let isOpen = false;
    try {
      if (aborting) return;
      const response = await pool.request({
        path: shape.path,
        method: 'POST',
        headers: shape.headers,
        body: shape.body,
        signal,
      });
      for await (const chunk of response.body) {
        if (!isOpen && (chunk as Buffer).includes('data:')) {
          release();
          if (response.statusCode !== 200) break;
          isOpen = true;
          open += 1;
          opened += 1;
          checkSettled();
        }
      }
      if (!isOpen) {
        failed += 1;
        firstError ??= `status ${response.statusCode}`;
        checkSettled();
      } else if (!aborting) {
        endedEarly += 1;
        firstError ??= 'a stream ended before it was aborted';
      }
    } catch (error) {
      if (!aborting) {
        firstError ??= (error as Error).message;
        if (isOpen) {
          endedEarly += 1;
        } else {
          failed += 1;
          checkSettled();
        }
      }
    } finally {
      release();
      if (isOpen) open -= 1;
    }
  }

  const controllers = Array.from({ length: count }, () => new AbortController());
  const startedAt = performance.now();
  const streams = controllers.map((controller) => oneStream(controller.signal));
  await Promise.race([allSettled, sleep(openPatienceMilliseconds, undefined, { ref: false })]);
  const openingMilliseconds = performance.now() - startedAt;
  const openAtMeasurement = open;
  await whileOpen();
  const openAfterMeasurement = open;
  aborting = true;
  for (const controller of controllers) controller.abort();
  let unsettled = count;
  const settledAll = Promise.allSettled(
    streams.map((stream) => stream.finally(() => (unsettled -= 1))),
  );
  await Promise.race([settledAll, sleep(15_000, undefined, { ref: false })]);
  await pool.destroy();
  return {
    requested: count,
    openAtMeasurement,
    openAfterMeasurement,
    failed,
    openingMilliseconds,
    unsettledAfterAbort: unsettled,
    endedEarly,
    firstError,
  };
}

/** The --streams mode: N slow streams through the gateway, its RSS and descriptors meanwhile. */
export async function measureOpenStreams(
  count: number,
  origins: number,
  gateway: GatewayProcess,
  report: BenchReport,
  progress: (line: string) => void,
): Promise<void> {
  const shape = { ...requestShapes(gateway.apiKey).stream };
  shape.body = shape.body.replace('"bench-chat"', '"bench-chat-slow"');
  const before = sampleProcess(gateway.process.pid).rssBytes;
  let rssOpen = 0;
  let descriptors = 0;
  progress(
    `Opening ${count} slow streams through the gateway, spread over ${origins} mock origin(s)…`,
  );
  const result = await holdOpenStreams(gateway.url, shape, count, async () => {
    // A few samples while everything is open; the largest counts.
    for (let index = 0; index < 6; index += 1) {
      rssOpen = Math.max(rssOpen, sampleProcess(gateway.process.pid).rssBytes);
      descriptors = Math.max(descriptors, openFileCount(gateway.process.pid));
      await sleep(500);
    }
  });
  await sleep(5_000);
  const after = sampleProcess(gateway.process.pid).rssBytes;
  report.openStreams = {
    ...result,
    origins,
    rssBeforeBytes: before,
    rssOpenBytes: rssOpen,
    rssAfterBytes: after,
    gatewayOpenFiles: descriptors,
  };
  report.gateway.peakRssBytes = rssOpen;
}
