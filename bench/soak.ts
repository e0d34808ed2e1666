import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli, type GatewayProcess } from './gateway.js';
import { runLoad } from './load.js';
import { requestShapes } from './matrix.js';
import { sampleProcess } from './proc-stats.js';

const megabyte = 1024 * 1024;
/** Each slice of the soak runs this long; memory is sampled between slices. */
const sliceSeconds = 30;
/** The share of requests that stream (the rest are plain chat completions). */
const streamShare = 0.25;
/** What "flat" allows after the warm-up: growth of RSS or heap, per 10 minutes, in MB. */
const flatMegabytesPerTenMinutes = 10;

/** Memory and work after one slice of the soak. */
export interface SoakSample {
  elapsedSeconds: number;
  /** How long the slice took: the rate achieved is responses / this. */
  sliceSeconds: number;
  /** Responses in this slice, and those that were not 2xx or failed. */
  responses: number;
  failures: number;
  /** /proc VmRSS of the gateway. */
  rssBytes: number;
  /** V8 heap in use, from the gateway's own /metrics (prom-client's process metrics). */
  heapUsedBytes: number | undefined;
  /** switchyard_open_holds and switchyard_usage_queue_depth at the sample. */
  openHolds: number | undefined;
  usageQueueDepth: number | undefined;
  /** Gateway CPU per response in this slice, µs. */
  cpuMicrosecondsPerRequest: number;
}

/** A least-squares straight line through (minutes, MB) points: its slope, in MB per 10 minutes. */
export function growthPerTenMinutes(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return 0;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? 0 : (covariance / variance) * 10;
}

/** What the soak found. */
export interface SoakResult {
  minutes: number;
  requestsPerSecond: number;
  samples: SoakSample[];
  /** Samples before this time are the warm-up (JIT, pools, caches, SQLite page cache). */
  warmupSeconds: number;
  rssGrowthMegabytesPerTenMinutes: number;
  heapGrowthMegabytesPerTenMinutes: number | undefined;
  flat: boolean;
  /** Checked after a graceful stop, against the gateway's own database. */
  accounting: SoakAccounting | undefined;
}

export interface SoakAccounting {
  /** 2xx responses the clients received (the soak's, plus the two start-up checks). */
  answered: number;
  /** Usage records with status 200 in the database. */
  recorded: number;
  /** Sum of the records' cost, and of the ledger's charges (as a positive number), micro-units. */
  recordedCostMicros: number;
  chargedMicros: number;
  /** The wallet's held amount after the stop: no hold may outlive its request. */
  heldMicros: number;
  /** `switchyard ledger verify` exited 0. */
  ledgerVerified: boolean;
  consistent: boolean;
}

export function metricValue(text: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{'))
      continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

async function scrape(gateway: GatewayProcess): Promise<string> {
  try {
    const response = await fetch(`${gateway.url}/metrics`);
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}

/**
 * Steady load for `minutes`: `requestsPerSecond` requests a second (a quarter of them streams),
 * in 30-second slices of a fixed number of requests each, so every request completes and can be
 * accounted for. Between slices it samples the gateway's RSS (/proc), heap, open holds and
 * usage queue (/metrics). Memory is flat when neither RSS nor heap grows by more than 10 MB per
 * 10 minutes after the warm-up (the first fifth of the run, at least one minute), fitted as a
 * straight line through the samples.
 */
export async function runSoak(
  gateway: GatewayProcess,
  minutes: number,
  requestsPerSecond: number,
  connections: number,
  progress: (line: string) => void,
): Promise<SoakResult> {
  const shapes = requestShapes(gateway.apiKey);
  const slices = Math.max(1, Math.round((minutes * 60) / sliceSeconds));
  const warmupSeconds = Math.max(60, Math.round(minutes * 60 * 0.2));
  const streamRate = Math.max(1, Math.round(requestsPerSecond * streamShare));
  const plainRate = Math.max(1, requestsPerSecond - streamRate);
  const streamConnections = Math.max(1, Math.round(connections * streamShare));
  const plainConnections = Math.max(1, connections - streamConnections);
  const samples: SoakSample[] = [];
  const started = performance.now();
  progress(
    `Soak: ${minutes} min at ${requestsPerSecond} requests/s (${streamRate} streaming), ${connections} connections, sampled every ${sliceSeconds} s…`,
  );
  for (let slice = 0; slice < slices; slice += 1) {
    const before = sampleProcess(gateway.process.pid);
    const sliceStarted = performance.now();
    const [plain, streaming] = await Promise.all([
      runLoad(gateway.url, shapes.nonStream, plainConnections, sliceSeconds, {
        amount: plainRate * sliceSeconds,
        requestsPerSecond: plainRate,
      }),
      runLoad(gateway.url, shapes.stream, streamConnections, sliceSeconds, {
        amount: streamRate * sliceSeconds,
        requestsPerSecond: streamRate,
      }),
    ]);
    const after = sampleProcess(gateway.process.pid);
    const metrics = await scrape(gateway);
    const responses = plain.responses + streaming.responses;
    const sample: SoakSample = {
      elapsedSeconds: (performance.now() - started) / 1000,
      sliceSeconds: (performance.now() - sliceStarted) / 1000,
      responses,
      failures: plain.failures + streaming.failures,
      rssBytes: after.rssBytes,
      heapUsedBytes: metricValue(metrics, 'nodejs_heap_size_used_bytes'),
      openHolds: metricValue(metrics, 'switchyard_open_holds'),
      usageQueueDepth: metricValue(metrics, 'switchyard_usage_queue_depth'),
      cpuMicrosecondsPerRequest:
        responses === 0 ? 0 : (after.cpuMicroseconds - before.cpuMicroseconds) / responses,
    };
    samples.push(sample);
    progress(
      `  ${(sample.elapsedSeconds / 60).toFixed(1).padStart(5)} min: ${responses} responses (${(responses / sample.sliceSeconds).toFixed(0)}/s, ${sample.failures} failed), RSS ${(sample.rssBytes / megabyte).toFixed(1)} MB, heap ${sample.heapUsedBytes === undefined ? '?' : (sample.heapUsedBytes / megabyte).toFixed(1)} MB, holds ${sample.openHolds ?? '?'}, usage queue ${sample.usageQueueDepth ?? '?'}, ${sample.cpuMicrosecondsPerRequest.toFixed(0)} µs CPU/req`,
    );
  }
  const settled = samples.filter((sample) => sample.elapsedSeconds > warmupSeconds);
  const rssGrowth = growthPerTenMinutes(
    settled.map((sample) => [sample.elapsedSeconds / 60, sample.rssBytes / megabyte] as const),
  );
  const heapPoints = settled.flatMap((sample) =>
    sample.heapUsedBytes === undefined
      ? []
      : [[sample.elapsedSeconds / 60, sample.heapUsedBytes / megabyte] as const],
  );
  const heapGrowth = heapPoints.length < 2 ? undefined : growthPerTenMinutes(heapPoints);
  return {
    minutes,
    requestsPerSecond,
    samples,
    warmupSeconds,
    rssGrowthMegabytesPerTenMinutes: rssGrowth,
    heapGrowthMegabytesPerTenMinutes: heapGrowth,
    flat:
      settled.length >= 2 &&
      rssGrowth <= flatMegabytesPerTenMinutes &&
      (heapGrowth ?? 0) <= flatMegabytesPerTenMinutes,
    accounting: undefined,
  };
}

/**
 * After the gateway has stopped gracefully: every answered request has exactly one usage record
 * and one charge, no hold is left, and the ledger verifies. SQLite only (the default run).
 */
export async function checkSoakAccounting(
  gateway: GatewayProcess,
  answered: number,
): Promise<SoakAccounting> {
  const database = new Database(path.join(gateway.dataDirectory, 'switchyard.db'), {
    readonly: true,
  });
  try {
    const records = database
      .prepare(
        'SELECT count(*) AS n, coalesce(sum(cost), 0) AS cost FROM usage_records WHERE status = 200',
      )
      .get() as { n: number; cost: number };
    const charged = database
      .prepare("SELECT coalesce(sum(amount), 0) AS total FROM ledger_entries WHERE kind = 'charge'")
      .get() as { total: number };
    const held = database.prepare('SELECT coalesce(sum(held), 0) AS held FROM wallets').get() as {
      held: number;
    };
    let ledgerVerified = true;
    try {
      await runCli(['ledger', 'verify'], gateway.environment, gateway.workDirectory);
    } catch {
      ledgerVerified = false;
    }
    const accounting: SoakAccounting = {
      answered,
      recorded: records.n,
      recordedCostMicros: records.cost,
      chargedMicros: -charged.total,
      heldMicros: held.held,
      ledgerVerified,
      consistent: false,
    };
    accounting.consistent =
      accounting.answered === accounting.recorded &&
      accounting.recordedCostMicros === accounting.chargedMicros &&
      accounting.heldMicros === 0 &&
      ledgerVerified;
    return accounting;
  } finally {
    database.close();
  }
}
