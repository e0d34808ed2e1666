import { parseArgs } from 'node:util';

/** Everything `npm run bench -- …` can set. */
export interface BenchOptions {
  /** Seconds of measured load per target and scenario. */
  duration: number;
  /** Seconds of unmeasured load before each measurement (JIT, pools, caches). */
  warmup: number;
  /** The many-connections case (the other one is 1). */
  connections: number;
  /** The mock upstream's delay before answering, ms. */
  latency: number;
  /** Content chunks per mock stream. */
  chunks: number;
  /** Delay between mock stream events, ms. */
  chunkDelay: number;
  /** Delay between events of the paced mock that shows whether chunks are forwarded unbuffered. */
  pacedDelay: number;
  /** When set: hold this many streams open through the gateway and report its RSS, nothing else. */
  streams: number | undefined;
  /** Mock origins the open streams are spread over (the gateway pools 256 connections per origin). */
  streamOrigins: number | undefined;
  /** When set: a soak of this many minutes at steady load, reporting memory over time. */
  soakMinutes: number | undefined;
  /** Requests per second of the soak. */
  soakRate: number;
  scaleOut: boolean;
  postgresUrl: string;
  redisUrl: string;
  profile: boolean;
  skipNginx: boolean;
  out: string | undefined;
}

export const usage = `Usage: npm run bench -- [options]

Runs a mock upstream, the gateway (its own process, SQLite in a temp dir) and nginx (if installed)
on 127.0.0.1 and measures direct vs nginx vs gateway, non-streaming and streaming, at 1 connection
and at --connections. Results: a table on stdout and bench/results/latest.json.

Options:
  --duration S        measured seconds per target and scenario (default 5)
  --warmup S          unmeasured seconds before each measurement (default 1)
  --connections N     the many-connections case (default 50)
  --latency MS        mock upstream delay before answering (default 0)
  --chunks N          content chunks per mock stream (default 8)
  --chunk-delay MS    delay between mock stream events (default 0)
  --paced-delay MS    event gap of the paced mock used for the unbuffered check (default 10)
  --streams N         instead: hold N slow streams open through the gateway, report its RSS
  --stream-origins K  spread those streams over K mock origins (default ceil(N / 200))
  --soak MIN          instead: steady load for MIN minutes (10 for the record); memory every 30 s,
                      then a graceful stop and a check that every answer was recorded and charged
  --soak-rate N       requests per second of the soak, a quarter of them streams (default 400)
  --scale-out         the gateway on a fresh PostgreSQL database (and REDIS_URL)
  --postgres-url URL  server for --scale-out (default postgres://postgres@127.0.0.1:5432/postgres)
  --redis-url URL     REDIS_URL for --scale-out (default redis://127.0.0.1:6379)
  --profile           run the gateway with node --cpu-prof; prints the top self-time functions
  --skip-nginx        leave nginx out even when it is installed
  --out FILE          where to write the JSON (default bench/results/latest[-mode].json)
  --help              this text
`;

function number(
  values: Record<string, string | boolean | undefined>,
  name: string,
  fallback: number,
  minimum: number,
  maximum: number,
): number {
  const text = values[name];
  if (text === undefined || typeof text === 'boolean') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < minimum || value > maximum)
    throw new Error(`--${name}: expected a number from ${minimum} to ${maximum}, got '${text}'`);
  return value;
}

/** Parses the command line; returns undefined for --help. */
export function parseOptions(argv: readonly string[]): BenchOptions | undefined {
  const stringOption = { type: 'string' } as const;
  const flag = { type: 'boolean', default: false } as const;
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      duration: stringOption,
      warmup: stringOption,
      connections: stringOption,
      latency: stringOption,
      chunks: stringOption,
      'chunk-delay': stringOption,
      'paced-delay': stringOption,
      streams: stringOption,
      'stream-origins': stringOption,
      soak: stringOption,
      'soak-rate': stringOption,
      'scale-out': flag,
      'postgres-url': stringOption,
      'redis-url': stringOption,
      profile: flag,
      'skip-nginx': flag,
      out: stringOption,
      help: flag,
    },
  });
  if (values.help) return undefined;
  if (values.soak !== undefined && values.streams !== undefined)
    throw new Error('--soak and --streams are separate runs; give one of them');
  if (values.soak !== undefined && values['scale-out'])
    throw new Error('--soak runs on the default SQLite store; leave out --scale-out');
  const streams =
    values.streams === undefined ? undefined : number(values, 'streams', 0, 1, 50_000);
  return {
    duration: number(values, 'duration', 5, 1, 600),
    warmup: number(values, 'warmup', 1, 0, 60),
    connections: Math.round(number(values, 'connections', 50, 2, 1000)),
    latency: number(values, 'latency', 0, 0, 60_000),
    chunks: Math.round(number(values, 'chunks', 8, 1, 10_000)),
    chunkDelay: number(values, 'chunk-delay', 0, 0, 60_000),
    pacedDelay: number(values, 'paced-delay', 10, 1, 1000),
    streams: streams === undefined ? undefined : Math.round(streams),
    streamOrigins:
      values['stream-origins'] === undefined
        ? undefined
        : Math.round(number(values, 'stream-origins', 1, 1, 100)),
    soakMinutes: values.soak === undefined ? undefined : number(values, 'soak', 10, 1, 120),
    soakRate: Math.round(number(values, 'soak-rate', 400, 4, 20_000)),
    scaleOut: values['scale-out'],
    postgresUrl: values['postgres-url'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: values['redis-url'] ?? 'redis://127.0.0.1:6379',
    profile: values.profile,
    skipNginx: values['skip-nginx'],
    out: values.out,
  };
}
