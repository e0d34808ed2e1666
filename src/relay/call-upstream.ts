import type { ResolvedDeployment, ResolvedModel } from '../catalog/catalog-cache.js';
import { GatewayError, UpstreamClientError } from '../errors/gateway-error.js';
import type { UpstreamHttpRequest } from '../providers/contract.js';
import { readBodyText } from '../upstream/read-body.js';
import {
  UpstreamTransportError,
  type UpstreamClient,
  type UpstreamResponse,
} from '../upstream/upstream-client.js';
import { orderDeployments } from './select-deployments.js';

/** Upstream statuses the client caused (a bad parameter, a body too large): passed through. */
const clientCausedStatuses = new Set([400, 413, 422]);

export interface UpstreamAttempt {
  response: UpstreamResponse;
  deployment: ResolvedDeployment;
}

export interface CallUpstreamOptions {
  client: UpstreamClient;
  model: ResolvedModel;
  build: (deployment: ResolvedDeployment) => UpstreamHttpRequest;
  signal: AbortSignal;
  maxAttempts: number;
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

/**
 * Calls the model's deployments in routing order until one answers 2xx. Before anything reaches
 * the client, a transport failure, 429 or 5xx moves on to the next deployment; an error the client
 * caused is passed back at once. Messages name the model but never an upstream's address.
 */
export async function callUpstream(options: CallUpstreamOptions): Promise<UpstreamAttempt> {
  const { model, signal } = options;
  const deployments = orderDeployments(model.deployments).slice(0, options.maxAttempts);
  if (deployments.length === 0) {
    throw new GatewayError(
      'upstream_unavailable',
      `The model '${model.id}' has no upstream configured. Ask your admin to add a deployment for it, or switch model.`,
    );
  }
  const failures: string[] = [];
  let allTimedOut = true;
  for (const deployment of deployments) {
    // Built outside the try: an adapter bug is a bug, not a network failure to route around.
    const request = options.build(deployment);
    let response: UpstreamResponse;
    try {
      response = await options.client.send(request, deployment.timeouts, signal);
    } catch (error) {
      if (signal.aborted) throw new ClientGoneError();
      const transport = error as UpstreamTransportError;
      failures.push(transport.kind === 'timeout' ? 'timed out' : 'could not be reached');
      if (transport.kind !== 'timeout') allTimedOut = false;
      continue;
    }
    if (response.statusCode < 300) return { response, deployment };
    allTimedOut = false;
    const text = await readBodyText(response).catch(() => '');
    if (clientCausedStatuses.has(response.statusCode)) {
      const error = deployment.adapter.errorResponse(response.statusCode, text);
      throw new UpstreamClientError(error.status, {
        error: {
          message: scrubUpstreamDetails(error.message, deployment),
          type: error.type,
          param: error.param,
          code: error.code,
        },
      });
    }
    failures.push(`answered HTTP ${response.statusCode}`);
  }
  const summary = failures.map((failure, index) => `attempt ${index + 1} ${failure}`).join(', ');
  if (allTimedOut) {
    throw new GatewayError(
      'upstream_timeout',
      `The upstream for the model '${model.id}' did not answer in time (${summary}). Retry later or switch model.`,
    );
  }
  throw new GatewayError(
    'upstream_unavailable',
    `No upstream for the model '${model.id}' could serve the request (${summary}). Retry later or switch model.`,
  );
}

export { UpstreamTransportError };
