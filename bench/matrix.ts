import { runLoad, type RequestShape } from './load.js';
import { sampleProcesses, watchPeakRss } from './proc-stats.js';
import type {
  FirstTokenMeasurement,
  ScenarioMeasurement,
  ScenarioName,
  TargetName,
  UnbufferedMeasurement,
} from './report.js';
import { probeStreams } from './stream-probe.js';

/** Where one target is reached, and which processes do its work (none for direct). */
export interface Target {
  name: TargetName;
  /** Origin for the main mock's model. */
  origin: string;
  /** Origin for the paced mock's model. */
  pacedOrigin: string;
  pids: () => readonly number[];
  /** Database server processes working for this target (local PostgreSQL), if any. */
  databasePids?: () => Promise<readonly number[]>;
}

/** CPU time of each process, µs; processes that are gone are left out. */
function cpuByPid(pids: readonly number[]): Map<number, number> {
  const times = new Map<number, number>();
  for (const pid of pids) {
    const sample = sampleProcesses([pid]);
    if (sample.rssBytes > 0) times.set(pid, sample.cpuMicroseconds);
  }
  return times;
}

/** The request bodies every target gets, byte for byte. */
export interface Shapes {
  nonStream: RequestShape;
  stream: RequestShape;
  paced: RequestShape;
}

/** Request shapes for `apiKey`; the mock ignores the key and echoes the model name. */
export function requestShapes(apiKey: string): Shapes {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const messages = [{ role: 'user', content: 'Say hello to the benchmark.' }];
  const shape = (body: Record<string, unknown>): RequestShape => ({
    path: '/v1/chat/completions',
    headers,
    body: JSON.stringify(body),
  });
  const streaming = { stream: true, stream_options: { include_usage: true } };
  return {
    nonStream: shape({ model: 'bench-chat', messages }),
    stream: shape({ model: 'bench-chat', messages, ...streaming }),
    paced: shape({ model: 'bench-chat-paced', messages, ...streaming }),
  };
}

export interface MatrixSettings {
  connections: number;
  duration: number;
  warmup: number;
  log: (line: string) => void;
}

/**
 * Non-streaming and streaming at 1 and `connections` connections; within a scenario the targets
 * run back to back, so a noisy neighbour on this shared machine hits them alike.
 */
export async function runScenarios(
  targets: readonly Target[],
  shapes: Shapes,
  settings: MatrixSettings,
): Promise<ScenarioMeasurement[]> {
  const measurements: ScenarioMeasurement[] = [];
  const plan: Array<[ScenarioName, number]> = [
    ['non-stream', 1],
    ['non-stream', settings.connections],
    ['stream', 1],
    ['stream', settings.connections],
  ];
  for (const [scenario, connections] of plan) {
    const shape = scenario === 'stream' ? shapes.stream : shapes.nonStream;
    for (const target of targets) {
      if (settings.warmup > 0) await runLoad(target.origin, shape, connections, settings.warmup);
      const isProxy = target.pids().length > 0;
      const databaseBefore = cpuByPid((await target.databasePids?.()) ?? []);
      const before = sampleProcesses(target.pids());
      const peak = watchPeakRss(target.pids);
      const load = await runLoad(target.origin, shape, connections, settings.duration);
      const peakRssBytes = peak.stop();
      const after = sampleProcesses(target.pids());
      // Backends that appeared during the run count from zero: they started within it.
      const databaseAfter = cpuByPid((await target.databasePids?.()) ?? []);
      let databaseCpu = 0;
      for (const [pid, micros] of databaseAfter)
        databaseCpu += micros - (databaseBefore.get(pid) ?? 0);
      const cpu = after.cpuMicroseconds - before.cpuMicroseconds;
      const system = after.systemMicroseconds - before.systemMicroseconds;
      const perResponse = (micros: number): number | undefined =>
        isProxy && load.responses > 0 ? micros / load.responses : undefined;
      measurements.push({
        scenario,
        connections,
        target: target.name,
        load,
        cpuMicrosecondsPerRequest: perResponse(cpu),
        systemMicrosecondsPerRequest: perResponse(system),
        databaseCpuMicrosecondsPerRequest:
          target.databasePids === undefined ? undefined : perResponse(databaseCpu),
        peakRssBytes: isProxy ? peakRssBytes : undefined,
      });
      settings.log(
        `  ${`${scenario} c=${connections}`.padEnd(16)} ${target.name.padEnd(8)} ` +
          `${load.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${load.latency.p50.toFixed(3)} ms` +
          (load.failures > 0 ? `  (${load.failures} errors)` : ''),
      );
    }
  }
  return measurements;
}

/** Time to first token at 1 and `connections` streams, per target. */
export async function runFirstToken(
  targets: readonly Target[],
  shapes: Shapes,
  settings: MatrixSettings,
  seconds: number,
): Promise<FirstTokenMeasurement[]> {
  const measurements: FirstTokenMeasurement[] = [];
  for (const connections of [1, settings.connections]) {
    for (const target of targets) {
      const probe = await probeStreams(target.origin, shapes.stream, connections, seconds);
      measurements.push({ target: target.name, connections, probe });
      settings.log(
        `  first token c=${String(connections).padEnd(4)} ${target.name.padEnd(8)} ` +
          `p50 ${probe.timeToFirstToken.p50.toFixed(3)} ms over ${probe.streams} streams`,
      );
    }
  }
  return measurements;
}

/** The paced mock's streams through each target: do the chunks arrive spread out? */
export async function runUnbuffered(
  targets: readonly Target[],
  shapes: Shapes,
  eventsPerStream: number,
  pacedDelayMilliseconds: number,
  seconds: number,
): Promise<UnbufferedMeasurement[]> {
  const measurements: UnbufferedMeasurement[] = [];
  for (const target of targets) {
    const probe = await probeStreams(target.pacedOrigin, shapes.paced, 4, seconds);
    measurements.push({
      target: target.name,
      probe,
      eventsPerStream,
      expectedSpreadMilliseconds: (eventsPerStream - 1) * pacedDelayMilliseconds,
    });
  }
  return measurements;
}
