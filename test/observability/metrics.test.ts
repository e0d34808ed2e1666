import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError } from '../support/api-error.js';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import {
  parsePrometheusText,
  samplesOf,
  sumOf,
  valueOf,
  type Exposition,
} from '../support/prometheus-text.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const chat = { model: 'mock-chat', messages: [{ role: 'user' as const, content: 'Hi there' }] };
const metricsToken = 'metrics-token-for-tests-0123456789abcdef';

let upstream: MockUpstream;
/** The gateway the traffic goes through. */
let main: TestGateway;
/** A second gateway in the same process, scraped with a token, that settles only when told. */
let second: TestGateway;
/** A gateway with metrics turned off. */
let disabled: TestGateway;

async function scrape(harness: TestGateway, token?: string): Promise<Exposition> {
  const response = await fetch(`${harness.url}/metrics`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

function deploymentOf(harness: TestGateway, model: string): { id: string; provider: string } {
  const deployment = harness.gateway.catalog.model(model)?.deployments[0];
  if (!deployment) throw new Error(`no deployment for ${model}`);
  return { id: String(deployment.id), provider: deployment.providerName };
}

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream();
  main = await startTestGateway({ upstreamBaseUrl: upstream.baseUrl });
  second = await startTestGateway({
    upstreamBaseUrl: upstream.baseUrl,
    environment: { SWITCHYARD_METRICS_TOKEN: metricsToken },
    // Top-level settings after the models list: settle only on flush(), open circuits early.
    extraYaml: `usage:
  flushIntervalMilliseconds: 60000
routing:
  failureThreshold: 2
`,
  });
  disabled = await startTestGateway({
    upstreamBaseUrl: upstream.baseUrl,
    environment: { SWITCHYARD_METRICS: 'false' },
  });
});

afterAll(async () => {
  await Promise.all([main?.close(), second?.close(), disabled?.close()]);
  await upstream?.close();
});

describe('GET /metrics after traffic', () => {
  /** What was sent, by route, model, status and code. */
  const sent = [
    { route: 'chat_completions', model: 'mock-chat', status: '200', code: 'none', count: 3 },
    { route: 'chat_completions', model: 'none', status: '401', code: 'invalid_api_key', count: 1 },
    { route: 'chat_completions', model: 'none', status: '400', code: 'invalid_json', count: 1 },
    {
      route: 'chat_completions',
      model: 'mock-chat',
      status: '429',
      code: 'rate_limit_exceeded',
      count: 1,
    },
    {
      route: 'chat_completions',
      model: 'mock-chat',
      status: '402',
      code: 'insufficient_balance',
      count: 1,
    },
    {
      route: 'chat_completions',
      model: 'mock-chat',
      status: '502',
      code: 'upstream_unavailable',
      count: 1,
    },
    { route: 'embeddings', model: 'mock-embed', status: '200', code: 'none', count: 1 },
    { route: 'models', model: 'none', status: '200', code: 'none', count: 1 },
  ];
  let metrics: Exposition;

  beforeAll(async () => {
    const { key } = await main.createKey();
    const client = main.client(key);
    await client.chat.completions.create(chat);
    const stream = await client.chat.completions.create({
      ...chat,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) expect(chunk.object).toBe('chat.completion.chunk');
    await client.embeddings.create({ model: 'mock-embed', input: 'embed me' });
    await client.models.list();

    expect((await apiError(main.client('sk-unknown').chat.completions.create(chat))).status).toBe(
      401,
    );
    const notJson = await fetch(`${main.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{"model": "mock-chat",',
    });
    expect(notJson.status).toBe(400);

    const limited = main.client((await main.createKey({ limits: { rpm: 1 } })).key);
    await limited.chat.completions.create(chat);
    expect((await apiError(limited.chat.completions.create(chat))).status).toBe(429);

    const poor = main.client((await main.createKey({ balance: 1 })).key);
    expect((await apiError(poor.chat.completions.create(chat))).status).toBe(402);

    // Last, so the deployment's run of failures is still 1 when scraped.
    upstream.enqueue({ kind: 'error', status: 500 });
    expect((await apiError(client.chat.completions.create(chat))).status).toBe(502);

    // Settled first, so the usage records exist and no hold is open.
    await main.usageRecords();
    metrics = await scrape(main);
  });

  it('counts requests by route, model, status and code, exactly as sent', () => {
    expect(metrics.types.get('switchyard_requests_total')).toBe('counter');
    for (const { count, ...labels } of sent) {
      expect(valueOf(metrics, 'switchyard_requests_total', labels), JSON.stringify(labels)).toBe(
        count,
      );
    }
    const total = sent.reduce((sum, line) => sum + line.count, 0);
    expect(sumOf(metrics, 'switchyard_requests_total')).toBe(total);
  });

  it('observes every request in the latency histogram, and streams in time to first token', () => {
    expect(metrics.types.get('switchyard_request_duration_seconds')).toBe('histogram');
    for (const route of ['chat_completions', 'embeddings', 'models']) {
      for (const model of ['mock-chat', 'mock-embed', 'none']) {
        const labels = { route, model };
        const requests = sumOf(metrics, 'switchyard_requests_total', labels);
        if (requests === 0) continue;
        expect(sumOf(metrics, 'switchyard_request_duration_seconds_count', labels)).toBe(requests);
        expect(
          valueOf(metrics, 'switchyard_request_duration_seconds_bucket', { ...labels, le: '+Inf' }),
        ).toBe(requests);
        expect(sumOf(metrics, 'switchyard_request_duration_seconds_sum', labels)).toBeGreaterThan(
          0,
        );
      }
    }
    expect(metrics.types.get('switchyard_time_to_first_token_seconds')).toBe('histogram');
    const streamed = { route: 'chat_completions', model: 'mock-chat' };
    expect(valueOf(metrics, 'switchyard_time_to_first_token_seconds_count', streamed)).toBe(1);
    expect(valueOf(metrics, 'switchyard_time_to_first_token_seconds_sum', streamed)).toBeLessThan(
      valueOf(metrics, 'switchyard_request_duration_seconds_sum', streamed),
    );
  });

  it('times upstream attempts by deployment, provider, model and outcome', () => {
    expect(metrics.types.get('switchyard_upstream_duration_seconds')).toBe('histogram');
    const chatDeployment = deploymentOf(main, 'mock-chat');
    const embedDeployment = deploymentOf(main, 'mock-embed');
    const attempts = (
      deployment: { id: string; provider: string },
      model: string,
      outcome: string,
    ) =>
      valueOf(metrics, 'switchyard_upstream_duration_seconds_count', {
        deployment: deployment.id,
        provider: deployment.provider,
        model,
        outcome,
      });
    // Plain, streamed, the rate-limited key's first: three answers; then the one 500.
    expect(attempts(chatDeployment, 'mock-chat', '2xx')).toBe(3);
    expect(attempts(chatDeployment, 'mock-chat', '5xx')).toBe(1);
    expect(attempts(embedDeployment, 'mock-embed', '2xx')).toBe(1);
    expect(sumOf(metrics, 'switchyard_upstream_duration_seconds_count')).toBe(5);
  });

  it('counts tokens and cost by model as the usage records have them', async () => {
    expect(metrics.types.get('switchyard_tokens_total')).toBe('counter');
    expect(metrics.types.get('switchyard_cost_micro_units_total')).toBe('counter');
    const records = await main.usageRecords();
    for (const model of ['mock-chat', 'mock-embed']) {
      const mine = records.filter((record) => record.modelId === model);
      const total = (pick: (record: (typeof mine)[number]) => number) =>
        mine.reduce((sum, record) => sum + pick(record), 0);
      expect(total((record) => record.promptTokens)).toBeGreaterThan(0);
      expect(valueOf(metrics, 'switchyard_tokens_total', { model, type: 'prompt' })).toBe(
        total((record) => record.promptTokens),
      );
      expect(valueOf(metrics, 'switchyard_tokens_total', { model, type: 'completion' })).toBe(
        total((record) => record.completionTokens),
      );
      expect(valueOf(metrics, 'switchyard_cost_micro_units_total', { model })).toBe(
        total((record) => record.cost),
      );
      expect(total((record) => record.cost)).toBeGreaterThan(0);
    }
  });

  it('counts rejections by the limit that refused, listing every limit', () => {
    expect(metrics.types.get('switchyard_rejections_total')).toBe('counter');
    expect(valueOf(metrics, 'switchyard_rejections_total', { limit: 'rpm' })).toBe(1);
    expect(valueOf(metrics, 'switchyard_rejections_total', { limit: 'insufficient_balance' })).toBe(
      1,
    );
    for (const limit of ['tpm', 'rpd', 'dailySpend', 'tokenQuota', 'maxConcurrency']) {
      expect(valueOf(metrics, 'switchyard_rejections_total', { limit })).toBe(0);
    }
    expect(valueOf(metrics, 'switchyard_rejections_total', { limit: 'wallet_suspended' })).toBe(0);
  });

  it("reports each deployment's circuit and run of failures", () => {
    expect(metrics.types.get('switchyard_deployment_circuit_state')).toBe('gauge');
    expect(metrics.types.get('switchyard_deployment_consecutive_failures')).toBe('gauge');
    for (const [model, failures] of [
      ['mock-chat', 1],
      ['mock-embed', 0],
    ] as const) {
      const { id, provider } = deploymentOf(main, model);
      const labels = { deployment: id, provider, model };
      expect(valueOf(metrics, 'switchyard_deployment_circuit_state', labels)).toBe(0);
      expect(valueOf(metrics, 'switchyard_deployment_consecutive_failures', labels)).toBe(failures);
    }
  });

  it('reads open holds and the usage queue at scrape time: none once settled', () => {
    expect(valueOf(metrics, 'switchyard_open_holds')).toBe(0);
    expect(valueOf(metrics, 'switchyard_open_hold_amount_micro_units')).toBe(0);
    expect(valueOf(metrics, 'switchyard_usage_queue_depth')).toBe(0);
  });

  it("includes the process's memory, CPU and event loop lag", () => {
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(samplesOf(metrics, name), name).toHaveLength(1);
    }
    expect(valueOf(metrics, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('never labels a key, a user or a request id', async () => {
    const labelValues = new Set(metrics.samples.flatMap((sample) => Object.values(sample.labels)));
    for (const value of labelValues) {
      expect(value).not.toMatch(/^(sk-|req_|user-)/);
    }
    expect(labelValues).not.toContain('upstream-secret');
  });
});

describe('a second gateway in the same process', () => {
  it('keeps its own counts, and its gauges follow its own queue, holds and circuits', async () => {
    const before = await scrape(main);
    const { key } = await second.createKey();
    const client = second.client(key);
    await client.chat.completions.create(chat);
    await client.chat.completions.create(chat);

    let metrics = await scrape(second, metricsToken);
    const succeeded = { route: 'chat_completions', model: 'mock-chat', status: '200' };
    expect(valueOf(metrics, 'switchyard_requests_total', succeeded)).toBe(2);
    expect(sumOf(metrics, 'switchyard_requests_total')).toBe(2);
    // Nothing is settled until flush(): each request waits in the queue with its hold.
    expect(valueOf(metrics, 'switchyard_usage_queue_depth')).toBe(2);
    expect(valueOf(metrics, 'switchyard_open_holds')).toBe(2);
    expect(valueOf(metrics, 'switchyard_open_hold_amount_micro_units')).toBeGreaterThan(0);

    upstream.enqueue({ kind: 'error', status: 503 }, { kind: 'error', status: 503 });
    await apiError(client.chat.completions.create(chat));
    await apiError(client.chat.completions.create(chat));
    metrics = await scrape(second, metricsToken);
    const { id, provider } = deploymentOf(second, 'mock-chat');
    const deployment = { deployment: id, provider, model: 'mock-chat' };
    expect(valueOf(metrics, 'switchyard_deployment_circuit_state', deployment)).toBe(2);
    expect(valueOf(metrics, 'switchyard_deployment_consecutive_failures', deployment)).toBe(2);
    expect(valueOf(metrics, 'switchyard_usage_queue_depth')).toBe(4);
    expect(valueOf(metrics, 'switchyard_open_holds')).toBe(4);

    await second.gateway.settlements.flush();
    metrics = await scrape(second, metricsToken);
    expect(valueOf(metrics, 'switchyard_usage_queue_depth')).toBe(0);
    expect(valueOf(metrics, 'switchyard_open_holds')).toBe(0);

    // The first gateway saw none of it.
    const after = await scrape(main);
    expect(sumOf(after, 'switchyard_requests_total')).toBe(
      sumOf(before, 'switchyard_requests_total'),
    );
    expect(sumOf(after, 'switchyard_upstream_duration_seconds_count')).toBe(
      sumOf(before, 'switchyard_upstream_duration_seconds_count'),
    );
  });
});

describe('access to /metrics', () => {
  it('asks for the token when one is set: 401 without it or with a wrong one, 200 with it', async () => {
    const without = await fetch(`${second.url}/metrics`);
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe(
      'authentication_required',
    );
    const wrong = await fetch(`${second.url}/metrics`, {
      headers: { authorization: `Bearer ${metricsToken}x` },
    });
    expect(wrong.status).toBe(401);
    const body = (await wrong.json()) as { error: { code: string; type: string; message: string } };
    expect(body.error).toMatchObject({ code: 'invalid_credentials', type: 'authentication_error' });
    expect(body.error.message).not.toContain(metricsToken);
    const metrics = await scrape(second, metricsToken);
    expect(samplesOf(metrics, 'switchyard_requests_total').length).toBeGreaterThan(0);
  });

  it('answers 404 when metrics are turned off', async () => {
    const response = await fetch(`${disabled.url}/metrics`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'route_not_found',
    );
  });
});
