import { z } from 'zod';
import type { DeploymentHealthRow } from '../../routing/health-report.js';
import { isoTime, listOf, timestamp } from '../common-schemas.js';
import type { ManageDependencies } from '../manage-dependencies.js';
import type { ManageRouter } from '../router.js';

const failureCategory = z
  .enum([
    'connect_error',
    'timeout',
    'rate_limited',
    'server_error',
    'rejected',
    'malformed_output',
    'stream_error',
  ])
  .describe('What went wrong, as a category: upstream messages can name hosts and are not kept');

const milliseconds = z.number().nonnegative().nullable();

/** One deployment's health as the management API answers it. */
export const deploymentHealthView = z.object({
  deploymentId: z.number().int(),
  model: z.string(),
  provider: z.string().describe('The provider’s name'),
  upstreamModel: z.string(),
  priority: z.number().int(),
  weight: z.number().int(),
  state: z
    .enum(['closed', 'open', 'half-open'])
    .describe('closed: in rotation; open: cooling down, skipped; half-open: one probe allowed'),
  requests: z.number().int().describe('Requests with a verdict within the window'),
  errorRate: z.number().min(0).max(1).nullable().describe('Failed share of them; null without any'),
  latency: z
    .object({
      p50Milliseconds: milliseconds,
      ewmaMilliseconds: milliseconds,
    })
    .describe('Time to the response headers of successful requests'),
  cooldownUntil: timestamp.nullable().describe('When an open circuit lets a probe through'),
  consecutiveFailures: z.number().int(),
  lastError: z.object({ category: failureCategory, at: timestamp }).nullable(),
});

type DeploymentHealthView = z.output<typeof deploymentHealthView>;

function viewHealth(row: DeploymentHealthRow): DeploymentHealthView {
  return {
    deploymentId: row.deploymentId,
    model: row.model,
    provider: row.provider,
    upstreamModel: row.upstreamModel,
    priority: row.priority,
    weight: row.weight,
    state: row.state,
    requests: row.requests,
    errorRate: row.errorRate,
    latency: {
      p50Milliseconds: roundOrNull(row.latencyP50Milliseconds),
      ewmaMilliseconds: roundOrNull(row.latencyEwmaMilliseconds),
    },
    cooldownUntil: row.cooldownUntil === null ? null : isoTime(row.cooldownUntil),
    consecutiveFailures: row.consecutiveFailures,
    lastError:
      row.lastError === null
        ? null
        : { category: row.lastError.category, at: isoTime(row.lastError.at) },
  };
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

/** Deployment health: each circuit breaker as the instance that answers sees it. */
export function healthRoutes(router: ManageRouter, dependencies: ManageDependencies): void {
  router.route({
    method: 'GET',
    path: '/deployments/health',
    operationId: 'listDeploymentHealth',
    tag: 'models',
    summary: 'List deployment health',
    description:
      'Every enabled deployment’s circuit breaker, error rate and latency over the routing window. Health is kept in memory by each gateway instance: behind a load balancer, this is the view of the instance that answered.',
    access: 'admin',
    response: listOf(deploymentHealthView),
    handler: async () => ({ data: (dependencies.deploymentHealth?.() ?? []).map(viewHealth) }),
  });
}
