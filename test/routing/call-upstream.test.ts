import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedDeployment, ResolvedModel } from '../../src/catalog/catalog-cache.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import { createOpenAICompatibleAdapter } from '../../src/providers/openai-compatible/adapter.js';
import { ClientGoneError, callUpstream, settleAttempt } from '../../src/relay/call-upstream.js';
import { DeploymentHealth } from '../../src/routing/deployment-health.js';
import { readBodyText } from '../../src/upstream/read-body.js';
import { UpstreamClient } from '../../src/upstream/upstream-client.js';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';

/** mulberry32: a small seeded PRNG, so every run draws the same numbers. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const adapter = createOpenAICompatibleAdapter({ maxTokensField: 'max_tokens' });
const breaker = {
  failureThreshold: 3,
  errorRateThreshold: 0.5,
  minimumRequests: 20,
  windowMilliseconds: 60_000,
  cooldownMilliseconds: 1_000,
  maxCooldownMilliseconds: 4_000,
};

let upstreams: MockUpstream[];
const client = new UpstreamClient();

beforeAll(async () => {
  upstreams = await Promise.all([1, 2, 3, 4].map(() => startMockOpenAIUpstream()));
});

afterAll(async () => {
  await client.close();
  await Promise.all(upstreams.map((upstream) => upstream.close()));
});

beforeEach(() => {
  for (const upstream of upstreams) upstream.reset();
});

function deployment(index: number, priority: number, weight: number): ResolvedDeployment {
  const upstream = upstreams[index] as MockUpstream;
  return {
    id: index + 1,
    providerName: `mock-${index + 1}`,
    priority,
    weight,
    timeouts: { connectMilliseconds: 1_000, firstByteMilliseconds: 1_000, idleMilliseconds: 1_000 },
    target: {
      origin: new URL(upstream.baseUrl).origin,
      basePath: '/v1',
      apiKey: 'upstream-secret',
      upstreamModel: `model-${index + 1}`,
      streamUsage: true,
      extraHeaders: {},
    },
    adapter,
  };
}

function model(deployments: ResolvedDeployment[]): ResolvedModel {
  return {
    id: 'routed',
    aliases: [],
    kind: 'chat',
    prices: { input: 0, output: 0, cachedInput: 0, perRequest: 0 },
    contextWindow: null,
    maxOutputTokens: null,
    createdAt: 0,
    deployments,
  };
}

const body = { model: 'routed', messages: [{ role: 'user', content: 'Hi' }] };

function options(target: ResolvedModel, health: DeploymentHealth, extra = {}) {
  return {
    client,
    health,
    model: target,
    signal: new AbortController().signal,
    maxAttempts: 3,
    build: (chosen: ResolvedDeployment) =>
      chosen.adapter.chatRequest({ body, target: chosen.target, maxOutputTokens: undefined }),
    ...extra,
  };
}

describe('callUpstream routing', () => {
  it('splits traffic by weight within a priority (seeded)', async () => {
    const health = new DeploymentHealth(breaker);
    const target = model([deployment(0, 0, 1), deployment(1, 0, 3), deployment(2, 1, 100)]);
    const random = seededRandom(20_250_101);
    const rounds = 400;
    for (let round = 0; round < rounds; round++) {
      const attempt = await callUpstream(options(target, health, { random }));
      await settleAttempt(attempt, () => readBodyText(attempt.response));
    }
    const light = upstreams[0]?.requests.length ?? 0;
    const heavy = upstreams[1]?.requests.length ?? 0;
    expect(light + heavy).toBe(rounds);
    // The lower priority, however heavy, is never chosen while the top one answers.
    expect(upstreams[2]?.requests).toHaveLength(0);
    expect(Math.abs(heavy / rounds - 0.75)).toBeLessThanOrEqual(0.05);
  });

  it('tries at most maxAttempts deployments', async () => {
    const health = new DeploymentHealth(breaker);
    for (const upstream of upstreams) upstream.setDefault({ kind: 'error', status: 500 });
    const target = model([0, 1, 2, 3].map((index) => deployment(index, index, 1)));
    const error = await callUpstream(options(target, health, { maxAttempts: 2 })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).message).toBe(
      "No upstream for the model 'routed' could serve the request (attempt 1 answered HTTP 500, attempt 2 answered HTTP 500). Retry later or switch model.",
    );
    expect(upstreams.map((upstream) => upstream.requests.length)).toEqual([1, 1, 0, 0]);
  });

  it('answers upstream_timeout when every attempt timed out', async () => {
    const health = new DeploymentHealth(breaker);
    upstreams[0]?.setDefault({ kind: 'hang' });
    const quick = { ...deployment(0, 0, 1) };
    quick.timeouts = {
      connectMilliseconds: 1_000,
      firstByteMilliseconds: 100,
      idleMilliseconds: 100,
    };
    const error = await callUpstream(options(model([quick]), health)).catch(
      (caught: unknown) => caught,
    );
    expect((error as GatewayError).code).toBe('upstream_timeout');
  });

  it('passes a request the adapter refuses straight to the client, freeing the probe slot', async () => {
    let clock = 0;
    const health = new DeploymentHealth(breaker, () => clock);
    const only = deployment(0, 0, 1);
    for (let index = 0; index < 3; index++) health.admit(only.id)?.fail('server_error');
    clock += 1_000;
    const refusal = new GatewayError('invalid_value', 'no such parameter here');
    const error = await callUpstream(
      options(model([only]), health, {
        build: () => {
          throw refusal;
        },
      }),
    ).catch((caught: unknown) => caught);
    expect(error).toBe(refusal);
    expect(upstreams[0]?.requests).toHaveLength(0);
    // The probe slot came back: the next request may probe.
    expect(health.admit(only.id)?.probe).toBe(true);
  });

  it('gives up quietly when the client has gone, without counting a failure', async () => {
    const health = new DeploymentHealth(breaker);
    upstreams[0]?.setDefault({ kind: 'hang' });
    const controller = new AbortController();
    const pending = callUpstream(
      options(model([deployment(0, 0, 1), deployment(1, 1, 1)]), health, {
        signal: controller.signal,
      }),
    ).catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(await pending).toBeInstanceOf(ClientGoneError);
    expect(upstreams[1]?.requests).toHaveLength(0);
    expect(health.snapshot(1)).toMatchObject({ requests: 0, consecutiveFailures: 0 });
  });
});
