import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/load.js';
import { LimiterUnavailableError } from '../../src/limits/contract.js';
import { startGateway } from '../../src/main.js';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { describeWithRedis, testRedisUrl } from '../support/services.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { defineLimitsSuite } from './limits-suite.js';
import {
  chatBody,
  expectError,
  expectNoRateLimitHeaders,
  post,
  type Reply,
} from './relay-calls.js';
import {
  forgetLimiterKeys,
  freePort,
  startThrowawayRedis,
  unusedKeyIdRange,
  type ThrowawayRedis,
} from './redis-services.js';

// The same limits through the Redis limiter (REDIS_URL), and what a gateway does when its Redis
// is not there: it does not start without it, and once running it fails open (the default) or
// closed (SWITCHYARD_REDIS_FAILURE_MODE=closed) while Redis is away, money untouched either way.

describeWithRedis('limits with the Redis limiter', () => {
  const redisUrl = testRedisUrl as string;
  const used = new Set<number>();
  const firstApiKeyId = unusedKeyIdRange();

  afterAll(async () => {
    await forgetLimiterKeys(redisUrl, [...used]);
  });

  defineLimitsSuite(() => ({
    environment: { REDIS_URL: redisUrl },
    firstApiKeyId,
    async forget(keyIds) {
      for (const id of keyIds) used.add(id);
      await forgetLimiterKeys(redisUrl, keyIds);
    },
  }));
});

describeWithRedis('a gateway whose Redis cannot be reached', () => {
  it('does not start, and says why without leaking the Redis password', async () => {
    const port = await freePort();
    const url = `redis://:not-for-logs-2f9a@127.0.0.1:${port}`;
    const directory = mkdtempSync(path.join(tmpdir(), 'switchyard-no-redis-'));
    const environment = {
      SWITCHYARD_DATA_DIR: directory,
      SWITCHYARD_PORT: '0',
      SWITCHYARD_LOG_LEVEL: 'silent',
      SWITCHYARD_ADMIN_PASSWORD: 'test-admin-password',
      REDIS_URL: url,
    };
    try {
      const loaded = loadConfig({ environment, workingDirectory: directory });
      const started = await startGateway(loaded).then(
        async (gateway) => {
          await gateway.close();
          return undefined;
        },
        (error: unknown) => error,
      );
      expect(started).toBeInstanceOf(LimiterUnavailableError);
      const message = (started as Error).message;
      expect(message).toMatch(/^The Redis rate limiter is unavailable: .*ECONNREFUSED/);
      expect(message).not.toContain('not-for-logs-2f9a');

      // `switchyard serve` ends with the same message (run.ts prints it and exits 1).
      const output = new Writable({ write: (_chunk, _encoding, done) => done() });
      const served = await runCli(['serve'], {
        environment,
        workingDirectory: directory,
        stdout: output,
        stderr: output,
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect((served as Error | undefined)?.message).toMatch(/Redis rate limiter is unavailable/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describeWithRedis('a gateway whose Redis goes away while it runs', () => {
  let upstream: MockUpstream;
  let redis: ThrowawayRedis;
  let failOpen: TestGateway;
  let failClosed: TestGateway;

  beforeAll(async () => {
    upstream = await startMockOpenAIUpstream();
    redis = await startThrowawayRedis(await freePort());
    [failOpen, failClosed] = await Promise.all([
      startTestGateway({
        upstreamBaseUrl: upstream.baseUrl,
        environment: { REDIS_URL: redis.url },
      }),
      startTestGateway({
        upstreamBaseUrl: upstream.baseUrl,
        environment: { REDIS_URL: redis.url, SWITCHYARD_REDIS_FAILURE_MODE: 'closed' },
      }),
    ]);
  });

  afterAll(async () => {
    await failOpen?.close();
    await failClosed?.close();
    await redis?.kill();
    await upstream?.close();
  });

  const balance = 10_000_000;
  const chat = (gateway: TestGateway, key: string): Promise<Reply> =>
    post(gateway.baseURL, key, '/chat/completions', chatBody({ maxTokens: 5 }));

  /** The wallet paid exactly the cost of each served request, holds nothing, and verifies. */
  async function expectChargedExactly(gateway: TestGateway, accountId: number): Promise<void> {
    const records = (await gateway.usageRecords()).filter(
      (record) => record.accountId === accountId,
    );
    const paid = records.reduce((sum, record) => sum + record.cost, 0);
    expect(records.filter((record) => record.status !== 200).every((r) => r.cost === 0)).toBe(true);
    const wallet = await gateway.gateway.store.wallets.find(accountId);
    expect(wallet).toMatchObject({ balance: balance - paid, held: 0 });
    expect(await gateway.gateway.store.wallets.verify()).toEqual([]);
  }

  it('admits without limits (open) or refuses with 503 (closed), and recovers when Redis is back', async () => {
    const open = await failOpen.createKey({ limits: { rpm: 100 }, balance });
    const closed = await failClosed.createKey({ limits: { rpm: 100 }, balance });
    for (const [gateway, key] of [
      [failOpen, open.key],
      [failClosed, closed.key],
    ] as const) {
      const reply = await chat(gateway, key);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('x-ratelimit-limit')).toBe('100');
    }
    // A lifetime quota with room for two requests (9 tokens used each, 25 estimated).
    const quota = await failOpen.createKey({ limits: { tokenQuota: 40 }, balance });
    expect((await chat(failOpen, quota.key)).status).toBe(200);
    expect((await chat(failOpen, quota.key)).status).toBe(200);
    expectError(await chat(failOpen, quota.key), 429, 'token_quota_exhausted');

    await redis.kill();

    // Fail open: served, without rate-limit headers (there is no window to report).
    for (let index = 0; index < 3; index++) {
      const reply = await chat(failOpen, open.key);
      expect(reply.status, reply.text).toBe(200);
      expectNoRateLimitHeaders(reply.headers);
    }
    // Failing open admits past the quota too: what a limit cannot count, it cannot refuse.
    expect((await chat(failOpen, quota.key)).status).toBe(200);
    const unknownModel = await post(failOpen.baseURL, open.key, '/chat/completions', {
      model: 'no-such-model',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expectError(unknownModel, 404, 'model_not_found');

    // Fail closed: refused before any hold is placed.
    for (let index = 0; index < 3; index++) {
      const reply = await chat(failClosed, closed.key);
      const error = expectError(reply, 503, 'limits_unavailable');
      expect(error.type).toBe('server_error');
      expect(error.message).toContain('cannot check rate limits right now');
      expect(reply.headers.get('retry-after')).toBe('5');
    }

    await expectChargedExactly(failOpen, open.accountId);
    await expectChargedExactly(failClosed, closed.accountId);
    const openRecords = (await failOpen.usageRecords()).filter((r) => r.apiKeyId === open.id);
    expect(openRecords.filter((record) => record.status === 200)).toHaveLength(4);
    const closedRecords = (await failClosed.usageRecords()).filter(
      (record) => record.apiKeyId === closed.id,
    );
    expect(closedRecords.map((record) => record.status).sort()).toEqual([200, 503, 503, 503]);

    // Redis is back (empty, as after a crash without persistence): limits hold again.
    redis = await startThrowawayRedis(redis.port);
    for (const [gateway, key] of [
      [failOpen, open.key],
      [failClosed, closed.key],
    ] as const) {
      const deadline = Date.now() + 15_000;
      let reply = await chat(gateway, key);
      while (reply.headers.get('x-ratelimit-limit') === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        reply = await chat(gateway, key);
      }
      expect(reply.status, reply.text).toBe(200);
      expect(reply.headers.get('x-ratelimit-limit')).toBe('100');
    }
    await expectChargedExactly(failOpen, open.accountId);
    await expectChargedExactly(failClosed, closed.accountId);

    // The new Redis has no quota counter: it is rebuilt from the usage records (which include
    // the request served while Redis was away), not started again from zero.
    await failOpen.usageRecords();
    const afterOutage = await chat(failOpen, quota.key);
    const error = expectError(afterOutage, 429, 'token_quota_exhausted');
    expect(error.message).toContain('may use 40 tokens in total and has used 27');
  });
});
