import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/api-keys.js';
import type { Store } from '../../src/store/contract.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import type { KeyLimits } from '../../src/store/records.js';
import { forgetLimiterKeys, unusedKeyIdRange } from '../limits/redis-services.js';
import {
  createTestDatabase,
  killLeftoverGatewayProcesses,
  newSecretKey,
  startGatewayProcess,
  type GatewayProcess,
  type TestDatabase,
} from '../support/gateway-process.js';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { describeWithPostgres, describeWithRedis, testRedisUrl } from '../support/services.js';
import { holdPerRequest, meteredBody, meteredPricesYaml } from './wallet-race.js';

// DESIGN.md §5 and §7 across processes: two gateways (real `switchyard serve` processes) sharing
// one PostgreSQL database and the machine's Redis. A limit holds globally, not per instance, and
// a limit changed through one instance is used by the other within the catalog poll.

/** The propagation bound is the requirement itself (DESIGN.md §3). */
const propagationBoundMilliseconds = 1_000;
const upstreamSecret = 'upstream-secret-shared-by-both';
const adminToken = 'rate-limits-admin-token-0123456789abcdef';

// Both services, or none: skipped without either (an error under SWITCHYARD_REQUIRE_SERVICES=1).
const describeWithPostgresAndRedis = testRedisUrl ? describeWithPostgres : describeWithRedis;

describeWithPostgresAndRedis('two gateway processes sharing PostgreSQL and Redis', () => {
  const redisUrl = testRedisUrl as string;
  let database: TestDatabase;
  let upstream: MockUpstream;
  let directory: string;
  let store: Store;
  let first: GatewayProcess;
  let second: GatewayProcess;
  let accounts = 0;
  const keyIds: number[] = [];

  beforeAll(async () => {
    upstream = await startMockOpenAIUpstream({
      latencyMilliseconds: 20,
      recordRequests: false,
      requireApiKey: upstreamSecret,
    });
    database = await createTestDatabase();
    directory = mkdtempSync(path.join(tmpdir(), 'switchyard-limits-multi-'));
    const configFile = path.join(directory, 'switchyard.yaml');
    writeFileSync(
      configFile,
      `
providers:
  - name: mock
    baseUrl: ${upstream.baseUrl}
    apiKey: ${upstreamSecret}
models:
  - id: mock-chat
    prices: ${meteredPricesYaml}
    deployments:
      - provider: mock
        upstreamModel: upstream-chat
`,
    );
    const secretKey = newSecretKey();
    const start = (): Promise<GatewayProcess> =>
      startGatewayProcess({
        databaseUrl: database.url,
        configFile,
        secretKey,
        environment: { REDIS_URL: redisUrl, SWITCHYARD_ADMIN_TOKEN: adminToken },
      });
    [first, second] = await Promise.all([start(), start()]);
    store = await openPostgresStore(database.url, { maxConnections: 4 });
    // The limiter names its Redis keys after key ids, and every fresh database starts at 1: move
    // this one's ids where no other suite's are.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query("select setval('api_keys_id_seq', $1)", [unusedKeyIdRange()]);
    } finally {
      await client.end();
    }
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    killLeftoverGatewayProcesses();
    await forgetLimiterKeys(redisUrl, keyIds);
    await store?.close();
    await upstream?.close();
    await database?.drop();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  /** A new user with a funded wallet and a key with these limits, in the shared database. */
  async function limitedKey(
    limits: KeyLimits,
    balance = 100_000_000,
  ): Promise<{ key: string; id: number; accountId: number }> {
    const account = await store.accounts.create({ username: `user-${++accounts}`, role: 'user' });
    await store.wallets.move({
      accountId: account.id,
      amount: balance,
      kind: 'topup',
      actorAccountId: null,
      reason: 'test funds',
    });
    const { record, key } = await issueApiKey(store.apiKeys, {
      accountId: account.id,
      name: 'test',
      limits,
    });
    keyIds.push(record.id);
    await forgetLimiterKeys(redisUrl, [record.id]);
    return { key, id: record.id, accountId: account.id };
  }

  interface Outcome {
    gateway: number;
    status: number;
    headers: Record<string, string>;
    body: unknown;
  }

  /** `count` requests at once, round-robin over the gateways, one bounded pool per gateway. */
  async function hammer(key: string, count: number): Promise<Outcome[]> {
    const pools = [first.url, second.url].map((url) => new Pool(url, { connections: 64 }));
    try {
      return await Promise.all(
        Array.from({ length: count }, async (_, index): Promise<Outcome> => {
          const gateway = index % pools.length;
          const response = await (pools[gateway] as Pool).request({
            method: 'POST',
            path: '/v1/chat/completions',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: meteredBody('mock-chat'),
            headersTimeout: 20_000,
            bodyTimeout: 20_000,
          });
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (typeof value === 'string') headers[name] = value;
          }
          return {
            gateway,
            status: response.statusCode,
            headers,
            body: await response.body.json(),
          };
        }),
      );
    } finally {
      await Promise.all(pools.map((pool) => pool.close()));
    }
  }

  async function chat(gateway: GatewayProcess, key: string): Promise<number> {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: meteredBody('mock-chat'),
    });
    await response.arrayBuffer();
    return response.status;
  }

  async function manage(gateway: GatewayProcess, keyId: number, body: unknown): Promise<number> {
    const response = await fetch(`${gateway.url}/api/manage/keys/${keyId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** Sends until `accepted(status)` or the bound has passed; answers the time it took. */
  async function untilAccepted(
    send: () => Promise<number>,
    accepted: (status: number) => boolean,
  ): Promise<{ elapsed: number; status: number }> {
    const changedAt = performance.now();
    for (;;) {
      const status = await send();
      const elapsed = performance.now() - changedAt;
      if (accepted(status) || elapsed > propagationBoundMilliseconds) return { elapsed, status };
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('a key with rpm 30 hammered by 100 requests over both gets exactly 30 admitted', async () => {
    const initialBalance = 100_000_000;
    const { key, accountId } = await limitedKey({ rpm: 30 }, initialBalance);
    const outcomes = await hammer(key, 100);

    const admitted = outcomes.filter((outcome) => outcome.status === 200);
    const refused = outcomes.filter((outcome) => outcome.status !== 200);
    const perGateway = [0, 1].map(
      (gateway) => admitted.filter((outcome) => outcome.gateway === gateway).length,
    );
    expect(admitted.length, `admitted per instance: ${perGateway.join(' + ')}`).toBe(30);
    for (const outcome of admitted) {
      expect(outcome.headers['x-ratelimit-limit']).toBe('30');
      expect(Number(outcome.headers['x-ratelimit-remaining'])).toBeLessThan(30);
    }
    // Every admitted request took its own slot: the remaining counts are 29 down to 0, once each.
    const remaining = admitted.map((outcome) => Number(outcome.headers['x-ratelimit-remaining']));
    expect(remaining.sort((left, right) => left - right)).toEqual(
      Array.from({ length: 30 }, (_, index) => index),
    );
    for (const outcome of refused) {
      expect(outcome.status).toBe(429);
      expect(outcome.body).toMatchObject({
        error: {
          code: 'rate_limit_exceeded',
          type: 'rate_limit_error',
          message: expect.stringContaining('30 requests per minute') as unknown,
        },
      });
      const retryAfter = Number(outcome.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(outcome.headers['x-ratelimit-remaining']).toBe('0');
      expect(outcome.headers['x-ratelimit-reset']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }

    // Money is exact: the 30 paid their cost once, the refused paid nothing, nothing is held.
    const deadline = Date.now() + 10_000;
    while ((await store.usage.list({ accountId, limit: 1_000 })).length < 100) {
      if (Date.now() > deadline) throw new Error('usage records were not written within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const wallet = await store.wallets.find(accountId);
    expect(wallet).toMatchObject({ balance: initialBalance - 30 * holdPerRequest, held: 0 });
    expect(await store.wallets.verify()).toEqual([]);
  });

  it('a limit raised through one instance’s management API is used by the other within 1 s', async () => {
    const { key, id } = await limitedKey({ rpm: 1 });
    expect(await chat(second, key)).toBe(200);
    expect(await chat(second, key)).toBe(429);

    expect(await manage(first, id, { limits: { rpm: 1_000 } })).toBe(200);
    const { elapsed, status } = await untilAccepted(
      () => chat(second, key),
      (answer) => answer === 200,
    );
    expect(status, `still refused ${Math.round(elapsed)} ms after the change`).toBe(200);
    expect(elapsed).toBeLessThanOrEqual(propagationBoundMilliseconds);
  });

  it('a key disabled through one instance’s management API is refused by the other within 1 s', async () => {
    const { key, id } = await limitedKey({ rpm: 100 });
    expect(await chat(second, key)).toBe(200);

    expect(await manage(first, id, { status: 'disabled' })).toBe(200);
    const { elapsed, status } = await untilAccepted(
      () => chat(second, key),
      (answer) => answer === 401,
    );
    expect(status, `still accepted ${Math.round(elapsed)} ms after the change`).toBe(401);
    expect(elapsed).toBeLessThanOrEqual(propagationBoundMilliseconds);
  });
});
