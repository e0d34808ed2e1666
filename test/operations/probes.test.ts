import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { describeWithRedis, testRedisUrl } from '../support/services.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream();
});

afterAll(async () => {
  await upstream.close();
});

describe('probes of a gateway on SQLite', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ upstreamBaseUrl: upstream.baseUrl });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('answers /healthz, and /readyz with the database migrated and no Redis', async () => {
    const health = await fetch(`${gateway.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      database: true,
      migrations: 'applied',
      redis: 'not configured',
    });
  });
});

describeWithRedis('probes of a gateway with Redis', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      upstreamBaseUrl: upstream.baseUrl,
      environment: { REDIS_URL: testRedisUrl ?? '' },
    });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('checks that Redis answers', async () => {
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', redis: true });
  });
});
