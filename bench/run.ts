import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { evaluateBudget } from './budget.js';
import {
  buildGateway,
  repositoryRoot,
  startGatewayProcess,
  type GatewayProcess,
} from './gateway.js';
import { cleanUp, installSignalHandlers, onCleanup } from './lifecycle.js';
import {
  requestShapes,
  runFirstToken,
  runScenarios,
  runUnbuffered,
  type Target,
} from './matrix.js';
import { replyFor, startMockProcess, type MockServerSpec } from './mock.js';
import { findNginx, startNginx, type NginxProxy } from './nginx.js';
import { startNodeFloor, type NodeFloor } from './node-floor.js';
import { measureOpenStreams } from './open-streams.js';
import { runLoad } from './load.js';
import { parseOptions, usage, type BenchOptions } from './options.js';
import { createBenchDatabase } from './postgres.js';
import { cpuResolutionMicroseconds, openFileLimit, sampleProcess } from './proc-stats.js';
import { topSelfTime } from './profile.js';
import { printReport } from './print.js';
import { writeReport, type BenchReport } from './report.js';
import { checkSoakAccounting, runSoak } from './soak.js';

const megabyte = 1024 * 1024;
/** Every run ends by then (a soak: 5 minutes past its length), whatever hangs: everything is
 * stopped and the run fails. */
const hardLimitMinutes = 10;
/** Events of one paced mock stream: role, 8 content chunks, finish, usage, [DONE]. */
const pacedEvents = 12;
/** Slow streams for --streams: one event a second for two minutes, longer than the measurement. */
const slowStream = { chunkCount: 120, chunkDelayMilliseconds: 1_000 };

const startedAt = performance.now();
const log = (line: string): void => void process.stdout.write(`${line}\n`);
/** A progress line, stamped with the seconds since the start. */
const progress = (line: string): void =>
  log(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}`);

function gitDescription(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: repositoryRoot,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: repositoryRoot,
      encoding: 'utf8',
    }).trim();
    return dirty === '' ? commit : `${commit} + uncommitted changes in src/`;
  } catch {
    return 'unknown';
  }
}

/** Checks a non-streaming and a streaming request end to end before measuring anything. */
async function checkGateway(gateway: GatewayProcess): Promise<void> {
  const shapes = requestShapes(gateway.apiKey);
  for (const shape of [shapes.nonStream, shapes.stream]) {
    const response = await fetch(`${gateway.url}${shape.path}`, {
      method: 'POST',
      headers: shape.headers,
      body: shape.body,
    });
    const text = await response.text();
    if (response.status !== 200 || !(text.includes('"choices"') || text.includes('data: [DONE]')))
      throw new Error(
        `the gateway answered ${response.status}: ${text}\n${gateway.process.output()}`,
      );
  }
}

function mockSpecs(options: BenchOptions, streamOrigins: number): MockServerSpec[] {
  const specs: MockServerSpec[] = [
    {
      name: 'main',
      latencyMilliseconds: options.latency,
      chunkCount: options.chunks,
      chunkDelayMilliseconds: options.chunkDelay,
      replyText: replyFor(options.chunks),
    },
    {
      name: 'paced',
      latencyMilliseconds: 0,
      chunkCount: 8,
      chunkDelayMilliseconds: options.pacedDelay,
    },
  ];
  for (let index = 0; index < streamOrigins; index += 1)
    specs.push({
      name: `slow-${index}`,
      latencyMilliseconds: 0,
      ...slowStream,
      replyText: replyFor(slowStream.chunkCount),
    });
  return specs;
}

function checkFileLimit(needed: number, who: string): number | undefined {
  const limit = openFileLimit();
  if (limit !== undefined && limit < needed)
    throw new Error(
      `${who} needs about ${needed} open files but 'ulimit -n' is ${limit}. Raise it (ulimit -n ${needed * 2}) and run again.`,
    );
  return limit;
}

async function main(options: BenchOptions): Promise<void> {
  const mode = [
    options.streams !== undefined
      ? 'streams'
      : options.soakMinutes !== undefined
        ? 'soak'
        : options.scaleOut
          ? 'scale-out'
          : 'default',
    // A profiled gateway is slower; its figures go to a file of their own.
    ...(options.profile ? ['profile'] : []),
  ].join('-');
  const streamOrigins =
    options.streams === undefined ? 0 : (options.streamOrigins ?? Math.ceil(options.streams / 200));
  // Open streams: the gateway holds a client and an upstream socket for each; this process one.
  const fileLimit = checkFileLimit(
    options.streams === undefined ? 1024 : options.streams * 2 + 256,
    options.streams === undefined ? 'the benchmark' : `holding ${options.streams} streams open`,
  );
  const workDirectory = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
  onCleanup('temp directory', () => rmSync(workDirectory, { recursive: true, force: true }), true);

  log(
    `Switchyard benchmark (${mode}) on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`,
  );
  const busy = os.loadavg()[0] ?? 0;
  if (busy > os.cpus().length * 0.5)
    log(
      `note: load average ${busy.toFixed(1)} on ${os.cpus().length} cores: other work is running, absolute figures will be noisy`,
    );
  progress('Compiling the gateway (src/ → JavaScript, changed files only)…');
  buildGateway();
  const mock = await startMockProcess(mockSpecs(options, streamOrigins), workDirectory);

  let databaseUrl: string | undefined;
  let databasePids: (() => Promise<number[]>) | undefined;
  if (options.scaleOut) {
    const database = await createBenchDatabase(options.postgresUrl);
    onCleanup('drop the benchmark database', () => database.drop());
    databaseUrl = database.url;
    databasePids = () => database.localBackendPids();
    progress(`PostgreSQL database ${database.name} created; REDIS_URL=${options.redisUrl}`);
  }
  const base = (name: string): string => `${mock.origin(name)}/v1`;
  progress('Creating an account, a key and a top-up with the CLI, then starting the gateway…');
  const gateway = await startGatewayProcess({
    workDirectory: path.join(workDirectory, 'gateway'),
    models: [
      { id: 'bench-chat', upstreamBaseUrls: [base('main')] },
      { id: 'bench-chat-paced', upstreamBaseUrls: [base('paced')] },
      ...(streamOrigins > 0
        ? [
            {
              id: 'bench-chat-slow',
              upstreamBaseUrls: Array.from({ length: streamOrigins }, (_, index) =>
                base(`slow-${index}`),
              ),
            },
          ]
        : []),
    ],
    ...(databaseUrl === undefined ? {} : { databaseUrl, redisUrl: options.redisUrl }),
    ...(options.profile
      ? { profileDirectory: path.join(repositoryRoot, 'bench', 'results', 'profiles') }
      : {}),
  });
  await checkGateway(gateway);
  progress(
    `Gateway pid ${gateway.process.pid} at ${gateway.url} (started in ${gateway.startMilliseconds.toFixed(0)} ms); mock pid ${mock.process.pid}`,
  );

  let nginx: NginxProxy | undefined;
  let nginxNote: string | undefined;
  const nginxBinary = findNginx();
  if (options.skipNginx) nginxNote = 'left out (--skip-nginx)';
  else if (options.streams !== undefined) nginxNote = 'not used in --streams mode';
  else if (options.soakMinutes !== undefined) nginxNote = 'not used in --soak mode';
  else if (nginxBinary === undefined)
    nginxNote = 'not installed (apt-get install nginx): the nginx rows and ratios are left out';
  else
    nginx = await startNginx(nginxBinary, path.join(workDirectory, 'nginx'), [
      mock.ports.main ?? 0,
      mock.ports.paced ?? 0,
    ]);
  progress(
    nginx ? `nginx pid ${nginx.process.pid} (${nginx.version})` : `nginx: ${nginxNote ?? ''}`,
  );

  // The floor under any Node.js gateway, for the load scenarios only.
  let nodeFloor: NodeFloor | undefined;
  if (options.streams === undefined && options.soakMinutes === undefined) {
    nodeFloor = await startNodeFloor(
      [mock.origin('main'), mock.origin('paced')],
      path.join(workDirectory),
    );
    progress(`Bare Node.js proxy (node:http + undici) pid ${nodeFloor.process.pid}`);
  }

  // Idle: after a settle, before any load. Background timers (cache refresh, usage flush) run.
  await sleep(1_000);
  const idleStart = sampleProcess(gateway.process.pid);
  await sleep(2_000);
  const idleEnd = sampleProcess(gateway.process.pid);
  const idleCpuMillisecondsPerSecond =
    (idleEnd.cpuMicroseconds - idleStart.cpuMicroseconds) / 1000 / 2;
  progress(
    `Gateway idle: RSS ${(idleEnd.rssBytes / megabyte).toFixed(1)} MB, CPU ${idleCpuMillisecondsPerSecond.toFixed(2)} ms/s`,
  );

  const report: BenchReport = {
    meta: {
      mode,
      date: new Date().toISOString(),
      // Other work on this shared machine skews absolute figures; ratios within a run hold better.
      loadAverageAtStart: os.loadavg()[0],
      commit: gitDescription(),
      node: process.version,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryMegabytes: Math.round(os.totalmem() / megabyte),
      kernel: os.release(),
      database:
        databaseUrl === undefined
          ? 'sqlite (default, temp data dir)'
          : 'postgresql (fresh database)',
      redisUrl: databaseUrl === undefined ? null : options.redisUrl,
      openFileLimit: fileLimit ?? null,
      cpuResolutionMicroseconds: cpuResolutionMicroseconds(),
      options,
    },
    gateway: {
      startMilliseconds: gateway.startMilliseconds,
      idleRssBytes: idleEnd.rssBytes,
      idleRssAfterLoadBytes: undefined,
      peakRssBytes: undefined,
      idleCpuMillisecondsPerSecond,
    },
    nginx: nginx ? { version: nginx.version, idleRssBytes: 0 } : { skipped: nginxNote ?? '' },
    nodeFloor:
      nodeFloor === undefined
        ? undefined
        : { idleRssBytes: sampleProcess(nodeFloor.process.pid).rssBytes },
    scenarios: [],
    timeToFirstToken: [],
    unbuffered: [],
    openStreams: undefined,
    soak: undefined,
    budget: [],
    profile: undefined,
  };
  if (nginx && 'version' in report.nginx) {
    const pids = nginx.pids();
    report.nginx.idleRssBytes = pids.reduce((sum, pid) => sum + sampleProcess(pid).rssBytes, 0);
  }

  if (options.streams !== undefined) {
    await measureOpenStreams(options.streams, streamOrigins, gateway, report, progress);
  } else if (options.soakMinutes !== undefined) {
    report.soak = await runSoak(
      gateway,
      options.soakMinutes,
      options.soakRate,
      options.connections,
      progress,
    );
    report.gateway.peakRssBytes = Math.max(...report.soak.samples.map((item) => item.rssBytes));
  } else {
    const targets: Target[] = [
      {
        name: 'direct',
        origin: mock.origin('main'),
        pacedOrigin: mock.origin('paced'),
        pids: () => [],
      },
      ...(nginx
        ? [
            {
              name: 'nginx' as const,
              origin: nginx.originFor(mock.ports.main ?? 0),
              pacedOrigin: nginx.originFor(mock.ports.paced ?? 0),
              pids: nginx.pids,
            },
          ]
        : []),
      ...(nodeFloor
        ? [
            {
              name: 'node' as const,
              origin: nodeFloor.originFor(mock.origin('main')),
              pacedOrigin: nodeFloor.originFor(mock.origin('paced')),
              pids: () => [nodeFloor.process.pid],
            },
          ]
        : []),
      {
        name: 'gateway',
        origin: gateway.url,
        pacedOrigin: gateway.url,
        pids: () => [gateway.process.pid],
        ...(databasePids === undefined ? {} : { databasePids }),
      },
    ];
    const shapes = requestShapes(gateway.apiKey);
    const settings = {
      connections: options.connections,
      duration: options.duration,
      warmup: options.warmup,
      log: progress,
    };
    // The gateway's first few thousand requests pay for JIT compilation; that is not its cost.
    progress('Warming the gateway up (3 s non-streaming, 2 s streaming; not measured)…');
    await runLoad(gateway.url, shapes.nonStream, options.connections, 3);
    await runLoad(gateway.url, shapes.stream, options.connections, 2);
    progress(
      `Load: ${options.duration} s measured (+${options.warmup} s warm-up) per target and scenario`,
    );
    report.scenarios = await runScenarios(targets, shapes, settings);
    report.timeToFirstToken = await runFirstToken(
      targets,
      shapes,
      settings,
      Math.min(3, options.duration),
    );
    report.unbuffered = await runUnbuffered(targets, shapes, pacedEvents, options.pacedDelay, 2);
    await sleep(2_000);
    report.gateway.idleRssAfterLoadBytes = sampleProcess(gateway.process.pid).rssBytes;
    const peaks = report.scenarios
      .filter((item) => item.target === 'gateway')
      .map((item) => item.peakRssBytes ?? 0);
    report.gateway.peakRssBytes = Math.max(0, ...peaks);
  }

  await gateway.process.stop('SIGTERM', 30_000);
  if (report.soak !== undefined) {
    // The two requests checkGateway made count as well.
    const answered =
      2 + report.soak.samples.reduce((sum, item) => sum + item.responses - item.failures, 0);
    report.soak.accounting = await checkSoakAccounting(gateway, answered);
  }
  if (gateway.profileFile !== undefined) {
    if (existsSync(gateway.profileFile)) {
      const summary = topSelfTime(gateway.profileFile, 15);
      report.profile = {
        file: path.relative(repositoryRoot, gateway.profileFile),
        busyMilliseconds: summary.busyMilliseconds,
        top: summary.entries,
        modules: summary.modules,
      };
    } else {
      progress(`warning: the gateway wrote no profile at ${gateway.profileFile}`);
    }
  }
  report.meta.loadAverageAtEnd = os.loadavg()[0];
  // A soak has its own verdict (flat memory, nothing lost); the budget is for the other runs.
  if (report.soak === undefined)
    report.budget = evaluateBudget(report, databaseUrl === undefined ? 'SQLite' : 'PostgreSQL');
  printReport(report, options, log);
  if (report.soak !== undefined && !(report.soak.flat && report.soak.accounting?.consistent))
    process.exitCode = 1;
  const file =
    options.out ??
    path.join(
      repositoryRoot,
      'bench',
      'results',
      mode === 'default' ? 'latest.json' : `latest-${mode}.json`,
    );
  writeReport(path.resolve(file), report);
  log(
    `\nWrote ${path.relative(process.cwd(), path.resolve(file))} (${((performance.now() - startedAt) / 1000).toFixed(0)} s in all).`,
  );
}

let options: BenchOptions | undefined;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (options === undefined) {
  process.stdout.write(usage);
} else {
  installSignalHandlers();
  const limitMinutes = hardLimitMinutes + (options.soakMinutes ?? 0);
  const watchdog = setTimeout(() => {
    process.stderr.write(`The benchmark ran past ${limitMinutes} minutes; stopping everything.\n`);
    void cleanUp().finally(() => process.exit(1));
  }, limitMinutes * 60_000);
  watchdog.unref();
  main(options).then(
    () => cleanUp(),
    async (error: unknown) => {
      process.stderr.write(
        `\nbench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      await cleanUp();
      process.exitCode = 1;
    },
  );
}
