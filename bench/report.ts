import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadResult } from './load.js';
import type { OpenStreamsResult } from './open-streams.js';
import type { SoakResult } from './soak.js';
import type { ModuleEntry, ProfileEntry } from './profile.js';
import type { StreamProbeResult } from './stream-probe.js';

/** node: the bare Node.js proxy (bench/node-floor-process.ts), the floor under any Node gateway. */
export type TargetName = 'direct' | 'nginx' | 'node' | 'gateway';
export type ScenarioName = 'non-stream' | 'stream';

/** One autocannon run against one target. */
export interface ScenarioMeasurement {
  scenario: ScenarioName;
  connections: number;
  target: TargetName;
  load: LoadResult;
  /** The proxy's own CPU time per response, µs (not for direct). */
  cpuMicrosecondsPerRequest: number | undefined;
  /** The kernel's part of it (stime). */
  systemMicrosecondsPerRequest: number | undefined;
  /** CPU of the PostgreSQL backends serving the gateway, per response, µs (scale-out only). */
  databaseCpuMicrosecondsPerRequest: number | undefined;
  /** The proxy's largest RSS during the run, bytes (not for direct). */
  peakRssBytes: number | undefined;
}

/** Time to first token from the streaming client. */
export interface FirstTokenMeasurement {
  target: TargetName;
  connections: number;
  probe: StreamProbeResult;
}

/** The paced stream: chunks must arrive spread out as the mock wrote them. */
export interface UnbufferedMeasurement {
  target: TargetName;
  probe: StreamProbeResult;
  /** How far apart the first and last events leave the mock, ms. */
  expectedSpreadMilliseconds: number;
  eventsPerStream: number;
}

export interface BudgetLine {
  line: string;
  budget: string;
  measured: string;
  verdict: 'meets' | 'misses' | 'not measured';
  margin: string;
}

/** Everything one run writes to its JSON file. */
export interface BenchReport {
  meta: Record<string, unknown>;
  gateway: {
    startMilliseconds: number;
    idleRssBytes: number;
    idleRssAfterLoadBytes: number | undefined;
    peakRssBytes: number | undefined;
    idleCpuMillisecondsPerSecond: number;
  };
  nginx: { version: string; idleRssBytes: number } | { skipped: string };
  /** Idle RSS of the bare Node.js proxy, when it ran. */
  nodeFloor: { idleRssBytes: number } | undefined;
  scenarios: ScenarioMeasurement[];
  timeToFirstToken: FirstTokenMeasurement[];
  unbuffered: UnbufferedMeasurement[];
  openStreams:
    | (OpenStreamsResult & {
        origins: number;
        rssBeforeBytes: number;
        rssOpenBytes: number;
        rssAfterBytes: number;
        /** File descriptors the gateway held with the streams open. */
        gatewayOpenFiles: number;
      })
    | undefined;
  soak: SoakResult | undefined;
  budget: BudgetLine[];
  profile:
    | { file: string; busyMilliseconds: number; top: ProfileEntry[]; modules: ModuleEntry[] }
    | undefined;
}

const megabyte = 1024 * 1024;

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function ratio(value: number | undefined, base: number | undefined): string {
  // A ratio to nothing, or to a negative addition (noise), says nothing.
  if (value === undefined || base === undefined || base <= 0 || !Number.isFinite(value / base))
    return '–';
  return `${(value / base).toFixed(2)}×`;
}

/** Ratio of two added latencies; below 0.05 ms nginx's addition is noise, and so is a ratio to it. */
function additionRatio(value: number | undefined, base: number | undefined): string {
  return base === undefined || base < 0.05 ? '–' : ratio(value, base);
}

/** A plain-text table; the first `leftColumns` columns are left-aligned, numbers right. */
function table(headers: readonly string[], rows: readonly string[][], leftColumns = 2): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column < leftColumns
          ? cell.padEnd(widths[column] ?? 0)
          : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

function find<T extends { target: TargetName }>(
  list: readonly T[],
  target: TargetName,
  match: (item: T) => boolean,
): T | undefined {
  return list.find((item) => item.target === target && match(item));
}

/** The main table: one row per scenario and target, with ratios against direct and nginx. */
export function scenarioTable(scenarios: readonly ScenarioMeasurement[]): string {
  const withDatabase = scenarios.some(
    (item) => item.databaseCpuMicrosecondsPerRequest !== undefined,
  );
  const rows: string[][] = [];
  for (const measurement of scenarios) {
    const same = (item: ScenarioMeasurement): boolean =>
      item.scenario === measurement.scenario && item.connections === measurement.connections;
    const direct = find(scenarios, 'direct', same);
    const nginx = find(scenarios, 'nginx', same);
    const { load } = measurement;
    const added = direct === undefined ? undefined : load.latency.p50 - direct.load.latency.p50;
    const nginxAdded =
      direct === undefined || nginx === undefined
        ? undefined
        : nginx.load.latency.p50 - direct.load.latency.p50;
    const isProxy = measurement.target !== 'direct';
    const isGateway = measurement.target === 'gateway';
    rows.push([
      `${measurement.scenario} c=${measurement.connections}`,
      measurement.target,
      fixed(load.requestsPerSecond, 0),
      fixed(load.latency.p50, 3),
      fixed(load.latency.p99, 3),
      isProxy ? fixed(added, 3) : '',
      isProxy ? fixed(measurement.cpuMicrosecondsPerRequest, 1) : '',
      ...(withDatabase
        ? [isGateway ? fixed(measurement.databaseCpuMicrosecondsPerRequest, 1) : '']
        : []),
      isProxy ? fixed((measurement.peakRssBytes ?? Number.NaN) / megabyte, 1) : '',
      isProxy ? ratio(load.requestsPerSecond, direct?.load.requestsPerSecond) : '',
      isProxy ? ratio(load.latency.p50, direct?.load.latency.p50) : '',
      isGateway ? ratio(load.requestsPerSecond, nginx?.load.requestsPerSecond) : '',
      isGateway ? additionRatio(added, nginxAdded) : '',
      isGateway
        ? ratio(measurement.cpuMicrosecondsPerRequest, nginx?.cpuMicrosecondsPerRequest)
        : '',
      String(load.failures),
    ]);
  }
  return table(
    [
      'scenario',
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      '+p50 ms',
      'CPU µs/req',
      ...(withDatabase ? ['DB CPU µs/req'] : []),
      'RSS MB',
      'req/s÷direct',
      'p50÷direct',
      'req/s÷nginx',
      '+p50÷nginx',
      'CPU÷nginx',
      'errors',
    ],
    rows,
  );
}

/**
 * The gateway against the bare Node.js proxy, scenario by scenario: what the gateway's own work
 * (authentication, limits, the hold, routing, metering, records) costs above Node's HTTP floor.
 */
export function floorTable(scenarios: readonly ScenarioMeasurement[]): string | undefined {
  const rows: string[][] = [];
  for (const gateway of scenarios.filter((item) => item.target === 'gateway')) {
    const same = (item: ScenarioMeasurement): boolean =>
      item.scenario === gateway.scenario && item.connections === gateway.connections;
    const floor = find(scenarios, 'node', same);
    const direct = find(scenarios, 'direct', same);
    if (floor === undefined) continue;
    const floorCpu = floor.cpuMicrosecondsPerRequest;
    const gatewayCpu = gateway.cpuMicrosecondsPerRequest;
    rows.push([
      `${gateway.scenario} c=${gateway.connections}`,
      fixed(floorCpu, 1),
      fixed(gatewayCpu, 1),
      fixed(
        gatewayCpu === undefined || floorCpu === undefined ? undefined : gatewayCpu - floorCpu,
        1,
      ),
      fixed(direct === undefined ? undefined : floor.load.latency.p50 - direct.load.latency.p50, 3),
      fixed(
        direct === undefined ? undefined : gateway.load.latency.p50 - direct.load.latency.p50,
        3,
      ),
    ]);
  }
  if (rows.length === 0) return undefined;
  return table(
    [
      'gateway vs bare Node proxy',
      'node CPU µs/req',
      'gateway CPU µs/req',
      "gateway's own µs/req",
      'node +p50 ms',
      'gateway +p50 ms',
    ],
    rows,
    1,
  );
}

/** Time to first token per target, with the addition over direct. */
export function firstTokenTable(measurements: readonly FirstTokenMeasurement[]): string {
  const rows = measurements.map((measurement) => {
    const direct = find(
      measurements,
      'direct',
      (item) => item.connections === measurement.connections,
    );
    const nginx = find(
      measurements,
      'nginx',
      (item) => item.connections === measurement.connections,
    );
    const ttft = measurement.probe.timeToFirstToken;
    const added = direct === undefined ? undefined : ttft.p50 - direct.probe.timeToFirstToken.p50;
    const nginxAdded =
      direct === undefined || nginx === undefined
        ? undefined
        : nginx.probe.timeToFirstToken.p50 - direct.probe.timeToFirstToken.p50;
    return [
      `stream c=${measurement.connections}`,
      measurement.target,
      String(measurement.probe.streams),
      fixed(ttft.p50, 3),
      fixed(ttft.p99, 3),
      measurement.target === 'direct' ? '' : fixed(added, 3),
      measurement.target === 'direct' ? '' : ratio(ttft.p50, direct?.probe.timeToFirstToken.p50),
      measurement.target === 'gateway' ? additionRatio(added, nginxAdded) : '',
      String(measurement.probe.failures),
    ];
  });
  return table(
    [
      'time to first token',
      'target',
      'streams',
      'p50 ms',
      'p99 ms',
      '+p50 ms',
      'p50÷direct',
      '+p50÷nginx',
      'errors',
    ],
    rows,
  );
}

/** Whether chunks arrived spread out (forwarded as they came) or in one lump (buffered). */
export function unbufferedTable(measurements: readonly UnbufferedMeasurement[]): string {
  const rows = measurements.map((measurement) => [
    `paced stream (${measurement.eventsPerStream} events)`,
    measurement.target,
    String(measurement.probe.streams),
    fixed(measurement.probe.medianDataReads, 0),
    fixed(measurement.probe.medianSpreadMilliseconds, 1),
    fixed(measurement.expectedSpreadMilliseconds, 1),
    isUnbuffered(measurement) ? 'yes' : 'NO',
  ]);
  return table(
    [
      'chunk forwarding',
      'target',
      'streams',
      'reads/stream',
      'first→last ms',
      'mock wrote over ms',
      'unbuffered',
    ],
    rows,
  );
}

/** Unbuffered: the first and last events arrive at least 80% as far apart as the mock sent them. */
export function isUnbuffered(measurement: UnbufferedMeasurement): boolean {
  return (
    measurement.probe.streams > 0 &&
    measurement.probe.medianSpreadMilliseconds >= 0.8 * measurement.expectedSpreadMilliseconds &&
    measurement.probe.medianDataReads >= Math.ceil(measurement.eventsPerStream / 2)
  );
}

/** The budget lines of DESIGN.md §8. */
export function budgetTable(lines: readonly BudgetLine[]): string {
  return table(
    ['DESIGN.md §8 budget line', 'budget', 'measured', 'verdict', 'margin'],
    lines.map((line) => [line.line, line.budget, line.measured, line.verdict, line.margin]),
    5,
  );
}

/** Writes the report as JSON, creating the directory. */
export function writeReport(file: string, report: BenchReport): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
