import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { DeploymentHealthRow } from '../routing/health-report.js';
import { parsePrometheusText, sumOf, valueOf } from '../../test/support/prometheus-text.js';
import { GatewayMetrics, type MetricSources } from './metrics.js';

function row(
  deploymentId: number,
  overrides: Partial<DeploymentHealthRow> = {},
): DeploymentHealthRow {
  return {
    deploymentId,
    model: 'chat-model',
    provider: 'main',
    upstreamModel: 'upstream-chat',
    priority: 0,
    weight: 1,
    state: 'closed',
    requests: 0,
    errorRate: null,
    latencyP50Milliseconds: null,
    latencyEwmaMilliseconds: null,
    cooldownUntil: null,
    consecutiveFailures: 0,
    lastError: null,
    ...overrides,
  };
}

function sources(overrides: Partial<MetricSources> = {}): MetricSources {
  return {
    deployments: () => [],
    settlementQueueDepth: () => 0,
    openHolds: async () => ({ count: 0, amount: 0 }),
    ...overrides,
  };
}

async function scrape(metrics: GatewayMetrics) {
  return parsePrometheusText(await metrics.exposition());
}

describe('GatewayMetrics', () => {
  it('keeps each instance in its own registry and registers nothing globally', async () => {
    const first = new GatewayMetrics(sources(), { processMetrics: true });
    const second = new GatewayMetrics(sources(), { processMetrics: true });
    first.recordRequest('chat_completions', 'chat-model', 200, null, 0.2);
    const counted = { route: 'chat_completions', model: 'chat-model', status: '200', code: 'none' };
    expect(valueOf(await scrape(first), 'switchyard_requests_total', counted)).toBe(1);
    expect(sumOf(await scrape(second), 'switchyard_requests_total')).toBe(0);
    expect(await globalRegistry.metrics()).not.toContain('switchyard_');
    expect(globalRegistry.getSingleMetric('process_cpu_user_seconds_total')).toBeUndefined();
  });

  it('adds process metrics only when asked', async () => {
    const metrics = await scrape(new GatewayMetrics(sources(), { processMetrics: false }));
    expect(metrics.samples.some((sample) => /^(process|nodejs)_/.test(sample.name))).toBe(false);
  });

  it('counts codes from outside the catalogue under one name, so labels cannot grow unbounded', async () => {
    const metrics = new GatewayMetrics(sources(), { processMetrics: false });
    metrics.recordRequest('chat_completions', 'chat-model', 400, 'context_length_exceeded', 0.1);
    metrics.recordRequest('chat_completions', 'chat-model', 400, 'some_other_upstream_code', 0.1);
    metrics.recordRequest('chat_completions', 'chat-model', 429, 'rate_limit_exceeded', 0.1);
    metrics.recordRequest('chat_completions', 'chat-model', 499, 'client_disconnected', 0.1);
    const scraped = await scrape(metrics);
    const labels = (status: string, code: string) => ({ status, code, model: 'chat-model' });
    expect(
      valueOf(scraped, 'switchyard_requests_total', labels('400', 'upstream_client_error')),
    ).toBe(2);
    expect(
      valueOf(scraped, 'switchyard_requests_total', labels('429', 'rate_limit_exceeded')),
    ).toBe(1);
    expect(
      valueOf(scraped, 'switchyard_requests_total', labels('499', 'client_disconnected')),
    ).toBe(1);
    expect(
      valueOf(scraped, 'switchyard_request_duration_seconds_count', { model: 'chat-model' }),
    ).toBe(4);
  });

  it('observes time to first token only when it is given', async () => {
    const metrics = new GatewayMetrics(sources(), { processMetrics: false });
    metrics.recordRequest('chat_completions', 'chat-model', 200, null, 2, 0.5);
    metrics.recordRequest('chat_completions', 'chat-model', 200, null, 1);
    const scraped = await scrape(metrics);
    expect(valueOf(scraped, 'switchyard_time_to_first_token_seconds_count')).toBe(1);
    expect(valueOf(scraped, 'switchyard_time_to_first_token_seconds_sum')).toBe(0.5);
    expect(valueOf(scraped, 'switchyard_time_to_first_token_seconds_bucket', { le: '0.5' })).toBe(
      1,
    );
    expect(valueOf(scraped, 'switchyard_request_duration_seconds_sum')).toBe(3);
  });

  it('lists every rejection reason from the start', async () => {
    const metrics = new GatewayMetrics(sources(), { processMetrics: false });
    metrics.recordRejection('tpm');
    const scraped = await scrape(metrics);
    expect(valueOf(scraped, 'switchyard_rejections_total', { limit: 'tpm' })).toBe(1);
    for (const limit of ['rpm', 'rpd', 'dailySpend', 'tokenQuota', 'maxConcurrency']) {
      expect(valueOf(scraped, 'switchyard_rejections_total', { limit })).toBe(0);
    }
    expect(valueOf(scraped, 'switchyard_rejections_total', { limit: 'wallet_suspended' })).toBe(0);
  });

  it('relabels upstream latency when the catalog reloads a deployment under a new provider name', async () => {
    const metrics = new GatewayMetrics(sources(), { processMetrics: false });
    metrics.recordUpstream('chat-model', { id: 7, providerName: 'old' }, 0.05, '2xx');
    metrics.recordUpstream('chat-model', { id: 7, providerName: 'new' }, 0.05, '2xx');
    const scraped = await scrape(metrics);
    for (const provider of ['old', 'new']) {
      expect(
        valueOf(scraped, 'switchyard_upstream_duration_seconds_count', {
          deployment: '7',
          provider,
        }),
      ).toBe(1);
    }
  });

  it('reads the gauges at scrape time, drops deployments that left, one holds query a scrape', async () => {
    let deployments = [row(1, { state: 'open', consecutiveFailures: 6 }), row(2)];
    let depth = 3;
    let holdQueries = 0;
    const metrics = new GatewayMetrics(
      sources({
        deployments: () => deployments,
        settlementQueueDepth: () => depth,
        openHolds: async () => {
          holdQueries++;
          return { count: 2, amount: 1_500 };
        },
      }),
      { processMetrics: false },
    );
    let scraped = await scrape(metrics);
    expect(holdQueries).toBe(1);
    const first = { deployment: '1', provider: 'main', model: 'chat-model' };
    expect(valueOf(scraped, 'switchyard_deployment_circuit_state', first)).toBe(2);
    expect(valueOf(scraped, 'switchyard_deployment_consecutive_failures', first)).toBe(6);
    expect(valueOf(scraped, 'switchyard_deployment_circuit_state', { deployment: '2' })).toBe(0);
    expect(valueOf(scraped, 'switchyard_usage_queue_depth')).toBe(3);
    expect(valueOf(scraped, 'switchyard_open_holds')).toBe(2);
    expect(valueOf(scraped, 'switchyard_open_hold_amount_micro_units')).toBe(1_500);

    deployments = [row(2, { state: 'half-open', consecutiveFailures: 1 })];
    depth = 0;
    scraped = await scrape(metrics);
    expect(holdQueries).toBe(2);
    expect(sumOf(scraped, 'switchyard_deployment_circuit_state', { deployment: '1' })).toBe(0);
    expect(valueOf(scraped, 'switchyard_deployment_circuit_state', { deployment: '2' })).toBe(1);
    expect(valueOf(scraped, 'switchyard_usage_queue_depth')).toBe(0);
  });

  it('answers the scrape with NaN holds when the database cannot be read', async () => {
    const metrics = new GatewayMetrics(
      sources({
        openHolds: () => Promise.reject(new Error('database is down')),
        settlementQueueDepth: () => 5,
      }),
      { processMetrics: false },
    );
    const scraped = await scrape(metrics);
    expect(valueOf(scraped, 'switchyard_open_holds')).toBeNaN();
    expect(valueOf(scraped, 'switchyard_open_hold_amount_micro_units')).toBeNaN();
    expect(valueOf(scraped, 'switchyard_usage_queue_depth')).toBe(5);
  });

  it('remembers which errors a trace already counted', () => {
    const metrics = new GatewayMetrics(sources(), { processMetrics: false });
    const counted = new Error('counted');
    metrics.markRecorded(counted);
    expect(metrics.wasRecorded(counted)).toBe(true);
    expect(metrics.wasRecorded(new Error('other'))).toBe(false);
    expect(metrics.wasRecorded('a string')).toBe(false);
  });
});
