/**
 * The limiter's own cost per request, memory and Redis: `npm run bench:limiter`. Each request is
 * what the relay does with the limiter: one admit() before the upstream call (all six limits set,
 * none triggering) and one complete() after it. Bounded: a fixed count of requests per backend.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Limiter, LimitSet } from '../src/limits/contract.js';
import { MemoryLimiter } from '../src/limits/memory/memory-limiter.js';
import { RedisLimiter } from '../src/limits/redis/redis-limiter.js';
import { Redis } from 'ioredis';

/** Deletes what the run left in Redis (lifetime quota counters have no expiry). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

const limits: LimitSet = {
  rpm: 10_000_000,
  tpm: 1_000_000_000,
  rpd: 1_000_000_000,
  dailySpend: Number.MAX_SAFE_INTEGER,
  tokenQuota: Number.MAX_SAFE_INTEGER,
  maxConcurrency: 100_000,
};

interface Measured {
  backend: string;
  requests: number;
  concurrency: number;
  microsecondsPerRequestWall: number;
  microsecondsPerRequestCpu: number;
}

async function measure(
  backend: string,
  limiter: Limiter,
  requests: number,
  concurrency: number,
): Promise<Measured> {
  // Spread over subjects as real traffic is: 100 keys.
  const one = async (index: number): Promise<void> => {
    const requestId = randomUUID();
    const subject = `bench:${index % 100}`;
    await limiter.admit({
      requestId,
      subject,
      limits,
      estimatedTokens: 500,
      estimatedSpend: 1000,
      now: Date.now(),
    });
    await limiter.complete({
      requestId,
      subject,
      actualTokens: 300,
      actualSpend: 600,
      now: Date.now(),
    });
  };
  for (let index = 0; index < 500; index++) await one(index); // warm-up
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) await one(next++);
    }),
  );
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    backend,
    requests,
    concurrency,
    microsecondsPerRequestWall: Math.round((elapsed * 1000) / requests),
    microsecondsPerRequestCpu: Math.round((cpu.user + cpu.system) / requests),
  };
}

async function main(): Promise<void> {
  const results: Measured[] = [];
  const memory = new MemoryLimiter();
  results.push(await measure('memory', memory, 50_000, 1));
  await memory.close();

  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `switchyard:bench:${randomUUID().slice(0, 8)}:`;
  const redis = new RedisLimiter({ url, keyPrefix: prefix });
  try {
    await redis.ready();
    results.push(await measure('redis', redis, 5_000, 1));
    results.push(await measure('redis', redis, 20_000, 50));
  } catch (error) {
    process.stdout.write(`Redis at ${url} not measured: ${(error as Error).message}\n`);
  } finally {
    await redis.close();
    await deleteKeys(url, prefix).catch(() => undefined);
  }

  process.stdout.write('backend  concurrency  requests  wall µs/request  client CPU µs/request\n');
  for (const result of results) {
    process.stdout.write(
      `${result.backend.padEnd(8)} ${String(result.concurrency).padStart(11)} ${String(result.requests).padStart(9)} ${String(result.microsecondsPerRequestWall).padStart(16)} ${String(result.microsecondsPerRequestCpu).padStart(21)}\n`,
    );
  }
  const directory = path.join(import.meta.dirname, 'results');
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    path.join(directory, 'limiter.json'),
    `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`,
  );
}

await main();
