import type { ResolvedDeployment, ResolvedModel } from '../catalog/catalog-cache.js';
import { GatewayError, UpstreamClientError } from '../errors/gateway-error.js';
import type { UpstreamHttpRequest } from '../providers/contract.js';
import type { GatewayMetrics, UpstreamOutcome } from '../observability/metrics.js';
import type { AttemptTicket, DeploymentHealth } from '../routing/deployment-health.js';
import {
  failureCategoryOf,
  retryAfterMilliseconds,
  statusCategory,
} from '../routing/failure-category.js';
import { readBodyText } from '../upstream/read-body.js';
import {
  classifyTransportError,
  UpstreamTransportError,
  type UpstreamClient,
  type UpstreamResponse,
} from '../upstream/upstream-client.js';
import type { StreamOutcome } from './relay-stream.js';
import { orderDeployments } from './select-deployments.js';

const statusClasses: Readonly<Record<number, UpstreamOutcome>> = {
  2: '2xx',
  3: '3xx',
  4: '4xx',
  5: '5xx',
};

/** Upstream statuses the client caused (a bad parameter, a body too large): passed through. */
const clientCausedStatuses = new Set([400, 413, 422]);

export interface UpstreamAttempt {
  response: UpstreamResponse;
  deployment: ResolvedDeployment;
  /**
   * The verdict still owed on this attempt: the relay reports once the answer was read (or the
   * stream ended), so a 200 with a body nobody can read still counts against the deployment.
   */
  outcome: AttemptTicket;
}

export interface CallUpstreamOptions {
  client: UpstreamClient;
  health: DeploymentHealth;
  model: ResolvedModel;
  build: (deployment: ResolvedDeployment) => UpstreamHttpRequest;
  signal: AbortSignal;
  maxAttempts: number;
  /** The weighted-random draw; injectable so tests can seed it. */
  random?: () => number;
  /** Times every attempt (upstream latency by deployment). */
  metrics?: Pick<GatewayMetrics, 'recordUpstream'>;
}

/** Raised when the client went away while the gateway was still waiting on the upstream. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection');
    this.name = 'ClientGoneError';
  }
}

/**
 * Removes the upstream's address and secret from a message that is passed on to the client: some
 * servers echo the URL they were called at, or part of the key, in their error text.
 */
export function scrubUpstreamDetails(message: string, deployment: ResolvedDeployment): string {
  const { origin, apiKey } = deployment.target;
  let scrubbed = message
    .replaceAll(origin, '[upstream]')
    .replaceAll(new URL(origin).host, '[upstream]');
  if (apiKey && apiKey.length >= 8) {
    scrubbed = scrubbed.replaceAll(apiKey, '[redacted]').replaceAll(apiKey.slice(-8), '[redacted]');
  }
  return scrubbed;
}

/** What one failed attempt adds to the 502's message. */
interface Failure {
  summary: string;
  timedOut: boolean;
}

async function attemptDeployment(
  options: CallUpstreamOptions,
  deployment: ResolvedDeployment,
  ticket: AttemptTicket,
): Promise<UpstreamAttempt | Failure> {
  const { signal } = options;
  let request: UpstreamHttpRequest;
  try {
    // An adapter that refuses the request (a parameter this provider lacks) is not a network
    // failure to route around: its error goes to the client as it is.
    request = options.build(deployment);
  } catch (error) {
    ticket.release();
    throw error;
  }
  const startedAt = performance.now();
  let response: UpstreamResponse;
  try {
    response = await options.client.send(request, deployment.timeouts, signal);
  } catch (error) {
    if (signal.aborted) {
      ticket.release();
      throw new ClientGoneError();
    }
    const transport = classifyTransportError(error);
    const timedOut = transport.kind === 'timeout';
    const category = timedOut ? 'timeout' : 'connect_error';
    options.metrics?.recordUpstream(
      options.model.id,
      deployment,
      (performance.now() - startedAt) / 1000,
      category,
    );
    ticket.fail(category);
    return { summary: timedOut ? 'timed out' : 'could not be reached', timedOut };
  }
  ticket.firstByteMilliseconds = performance.now() - startedAt;
  options.metrics?.recordUpstream(
    options.model.id,
    deployment,
    ticket.firstByteMilliseconds / 1000,
    statusClasses[Math.floor(response.statusCode / 100)] ?? '5xx',
  );
  if (response.statusCode < 300) return { response, deployment, outcome: ticket };

  const text = await readBodyText(response).catch(() => '');
  if (clientCausedStatuses.has(response.statusCode)) {
    const error = deployment.adapter.errorResponse(response.statusCode, text);
    if (!error.upstreamFault) {
      // The upstream answered, correctly: the request was bad. That is a sign of life.
      ticket.succeed({ countLatency: false });
      throw new UpstreamClientError(error.status, {
        error: {
          message: scrubUpstreamDetails(error.message, deployment),
          type: error.type,
          param: error.param,
          code: error.code,
        },
      });
    }
    ticket.fail('rejected');
    return { summary: `was refused (HTTP ${response.statusCode})`, timedOut: false };
  }
  // 429 (RFC 6585) and 503 (RFC 9110) are the statuses whose Retry-After is worth honouring.
  const saysWhen = response.statusCode === 429 || response.statusCode === 503;
  ticket.fail(
    statusCategory(response.statusCode),
    saysWhen ? retryAfterMilliseconds(response.headers, Date.now()) : undefined,
  );
  return { summary: `answered HTTP ${response.statusCode}`, timedOut: false };
}

/** The deployment whose cooldown ends first; the list is not empty. */
function soonestAvailable(
  deployments: readonly ResolvedDeployment[],
  health: DeploymentHealth,
): ResolvedDeployment {
  let best = deployments[0] as ResolvedDeployment;
  for (const deployment of deployments) {
    if (health.availableAt(deployment.id) < health.availableAt(best.id)) best = deployment;
  }
  return best;
}

/**
 * Calls the model's deployments in routing order until one answers 2xx. Before anything reaches
 * the client, a transport failure, 429 or 5xx (or a 400 the adapter says is the upstream's
 * fault) moves on to the next deployment, up to `maxAttempts`; an error the client caused is
 * passed back at once. Deployments whose circuit is open are skipped; when every one is, the one
 * whose cooldown ends first gets a single attempt rather than the client an outright refusal.
 * Messages name the model but never an upstream's address.
 */
export async function callUpstream(options: CallUpstreamOptions): Promise<UpstreamAttempt> {
  const { model, health } = options;
  if (model.deployments.length === 0) {
    throw new GatewayError(
      'upstream_unavailable',
      `The model '${model.id}' has no upstream configured. Ask your admin to add a deployment for it, or switch model.`,
    );
  }
  const ordered = orderDeployments(model.deployments, options.random);
  const failures: Failure[] = [];
  let cooling = 0;
  for (const deployment of ordered) {
    if (failures.length >= options.maxAttempts) break;
    const ticket = health.admit(deployment.id);
    if (!ticket) {
      cooling++;
      continue;
    }
    const result = await attemptDeployment(options, deployment, ticket);
    if ('response' in result) return result;
    failures.push(result);
  }
  if (failures.length === 0) {
    const deployment = soonestAvailable(ordered, health);
    const result = await attemptDeployment(options, deployment, health.force(deployment.id));
    if ('response' in result) return result;
    failures.push(result);
    cooling--;
  }
  throw noUpstream(model, failures, cooling);
}

function noUpstream(model: ResolvedModel, failures: readonly Failure[], cooling: number) {
  let summary = failures
    .map((failure, index) => `attempt ${index + 1} ${failure.summary}`)
    .join(', ');
  if (cooling > 0) {
    summary += `; ${cooling} more ${cooling === 1 ? 'deployment was' : 'deployments were'} skipped while cooling down after repeated failures`;
  }
  if (failures.every((failure) => failure.timedOut)) {
    return new GatewayError(
      'upstream_timeout',
      `The upstream for the model '${model.id}' did not answer in time (${summary}). Retry later or switch model.`,
    );
  }
  return new GatewayError(
    'upstream_unavailable',
    `No upstream for the model '${model.id}' could serve the request (${summary}). Retry later or switch model.`,
  );
}

/**
 * Runs the rest of an exchange with the upstream (reading and translating its answer) and
 * reports the verdict on the attempt: success, a failure for unreadable output or a broken
 * connection, or none when the client left first.
 */
export async function settleAttempt<T>(
  attempt: UpstreamAttempt,
  work: () => Promise<T>,
): Promise<T> {
  try {
    const value = await work();
    attempt.outcome.succeed();
    return value;
  } catch (error) {
    reportFailure(attempt.outcome, error);
    throw error;
  }
}

/**
 * Reports how a relayed stream ended. A stream the upstream broke, filled with something
 * unreadable or ended with its own error event counts against the deployment, though nothing
 * could be retried by then; one the client left says nothing about the upstream.
 */
export function settleStream(outcome: AttemptTicket, result: StreamOutcome): void {
  if (result.kind === 'completed') outcome.succeed();
  else if (result.kind === 'client-gone') outcome.release();
  else outcome.fail(failureCategoryOf(result.error) ?? 'stream_error');
}

/** Reports a failure the relay caught on an attempt; errors that say nothing release it. */
export function reportFailure(outcome: AttemptTicket, error: unknown): void {
  const category = failureCategoryOf(error);
  if (category === undefined) outcome.release();
  else outcome.fail(category);
}

export { UpstreamTransportError };
