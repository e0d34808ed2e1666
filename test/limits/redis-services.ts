import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

// Redis for the limits suites: the machine's shared Redis (TEST_REDIS_URL), whose keys other
// suites use at the same time, and throwaway redis-server processes a test may kill.

/** The limiter's default key prefix; the gateway has no setting to change it. */
const limiterPrefix = 'switchyard:limits:';

/**
 * A first API key id for a gateway's fresh database, far from every other suite's: the limiter's
 * Redis keys are named after key ids (`{key:<id>}`), so two databases must not share ids.
 */
export function unusedKeyIdRange(): number {
  // A thousand ids each, and at most 14 digits: the management API takes ids of up to 15.
  return 1_000_000 + randomInt(0, 2 ** 36) * 1_000;
}

/** Deletes the limiter's keys of these API keys, and nothing else, from a shared Redis. */
export async function forgetLimiterKeys(
  redisUrl: string,
  keyIds: readonly number[],
): Promise<void> {
  if (keyIds.length === 0) return;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const id of keyIds) {
      // `{` and `}` are not special in a SCAN pattern: this matches one subject's keys only.
      const pattern = `${limiterPrefix}{key:${id}}:*`;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** A redis-server of the test's own, on 127.0.0.1 only, keeping nothing on disk. */
export interface ThrowawayRedis {
  port: number;
  url: string;
  /** SIGKILL by pid: Redis vanishes as it would in a crash. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts redis-server on `port` and resolves once it accepts connections. */
export async function startThrowawayRedis(port: number): Promise<ThrowawayRedis> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`redis-server did not start:\n${output}`)),
      10_000,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) finish();
    };
    const onExit = (): void => fail(new Error(`redis-server exited:\n${output}`));
    const onError = (error: Error): void =>
      fail(new Error(`could not run redis-server (is it installed?): ${error.message}`));
    const stopWatching = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      // Keep draining its log, so a full pipe never stalls it.
      child.stdout?.resume();
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const finish = (): void => {
      stopWatching();
      resolve();
    };
    const fail = (error: Error): void => {
      stopWatching();
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      reject(error);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      await exited;
    },
  };
}
