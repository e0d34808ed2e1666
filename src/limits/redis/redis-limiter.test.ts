import { Redis } from 'ioredis';
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  describeWithRedis,
  testRedisUrl,
  uniqueSchemaName,
} from '../../../test/support/services.js';
import { limiterContractSuite } from '../common.case.js';
import { LimiterUnavailableError } from '../contract.js';
import { admission, completionOf, newSubject, t0 } from '../limiter-fixture.case.js';
import { RedisLimiter } from './redis-limiter.js';

describeWithRedis('Redis limiter', () => {
  const url = testRedisUrl as string;
  // Every key of this run lives under one prefix, deleted afterwards.
  const keyPrefix = `switchyard-test:${uniqueSchemaName('limits')}:`;
  const admin = new Redis(url, { lazyConnect: true });

  async function keysOfRun(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  }

  afterAll(async () => {
    const keys = await keysOfRun();
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  const open = async (options = {}) => {
    const limiter = new RedisLimiter({ url, keyPrefix, ...options });
    await limiter.ready();
    return limiter;
  };

  limiterContractSuite('redis', open, { sharedState: true });

  it('gives every key a TTL, except the counters holding a lifetime quota', async () => {
    const limiter = await open();
    const subject = newSubject();
    const limits = { rpm: 5, tpm: 100, rpd: 5, dailySpend: 5, maxConcurrency: 5 };
    await limiter.admit(admission(subject, limits, t0, { requestId: `ttl-${subject}` }));
    const lifetime = newSubject();
    await limiter.admit(admission(lifetime, { tokenQuota: 5 }, t0));
    await limiter.close();

    const keys = (await keysOfRun()).filter((key) => key.includes(subject));
    expect(keys.length).toBe(5);
    for (const key of keys) expect(await admin.pttl(key)).toBeGreaterThan(0);
    const counters = (await keysOfRun()).find((key) => key.includes(`${lifetime}}:n`));
    expect(counters && (await admin.pttl(counters))).toBe(-1);
  });

  it('rebuilds the window sum if its counters vanish', async () => {
    const limiter = await open();
    const subject = newSubject();
    const limits = { tpm: 100, rpm: 10 };
    const first = admission(subject, limits, t0, { estimatedTokens: 60 });
    await limiter.admit(first);
    await admin.del(`${keyPrefix}{${subject}}:n`);
    await limiter.complete({ ...completionOf(first), actualTokens: 70 });
    expect(await limiter.peek(subject, limits, t0)).toMatchObject({
      requests: { remaining: 9 },
      tokens: { remaining: 30 },
    });
    await limiter.close();
  });
});

describe('Redis limiter when Redis is not there', () => {
  const servers: net.Server[] = [];
  const limiters: RedisLimiter[] = [];

  afterEach(async () => {
    for (const limiter of limiters.splice(0)) await limiter.close();
    for (const server of servers.splice(0)) await new Promise((done) => server.close(done));
  });

  /** A local server that runs `onData` on each connection's input: a stand-in for Redis. */
  async function fakeRedis(onData: (socket: net.Socket, data: string) => void): Promise<number> {
    const server = net.createServer((socket) => {
      socket.on('data', (data) => onData(socket, data.toString()));
      server.on('close', () => socket.destroy());
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return (server.address() as net.AddressInfo).port;
  }

  function limiterOn(port: number): RedisLimiter {
    const limiter = new RedisLimiter({
      url: `redis://127.0.0.1:${port}`,
      commandTimeoutMs: 200,
      connectTimeoutMs: 200,
    });
    limiters.push(limiter);
    return limiter;
  }

  it('fails fast with LimiterUnavailableError when the connection is refused', async () => {
    const port = await fakeRedis(() => undefined);
    await new Promise((done) => servers.pop()?.close(done));
    const limiter = limiterOn(port);
    await expect(limiter.ready()).rejects.toBeInstanceOf(LimiterUnavailableError);
    await expect(limiter.admit(admission('k', { rpm: 1 }, t0))).rejects.toBeInstanceOf(
      LimiterUnavailableError,
    );
    await expect(limiter.peek('k', { rpm: 1 }, t0)).rejects.toBeInstanceOf(LimiterUnavailableError);
  });

  it('times out with LimiterUnavailableError when Redis accepts but never answers', async () => {
    // Answers what ioredis sends on connecting (CLIENT SETINFO, the INFO ready check), then
    // nothing: a hung server.
    const port = await fakeRedis((socket, data) => {
      for (const command of data.split(/\*\d+\r\n/).filter(Boolean)) {
        const name = command.split('\r\n')[1]?.toLowerCase();
        if (name === 'client') socket.write('+OK\r\n');
        if (name === 'info') {
          const info = '# Server\r\nloading:0\r\n';
          socket.write(`$${info.length}\r\n${info}\r\n`);
        }
      }
    });
    const limiter = limiterOn(port);
    await limiter.ready();
    const failure: unknown = await limiter
      .admit(admission('k', { rpm: 1 }, t0))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LimiterUnavailableError);
    expect((failure as LimiterUnavailableError).message).toMatch(/timed out/i);
  });
});
