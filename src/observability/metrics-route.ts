import type { FastifyInstance, FastifyRequest } from 'fastify';
import { secretsEqual } from '../auth/sessions.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { GatewayMetrics } from './metrics.js';

export interface MetricsRouteOptions {
  /** SWITCHYARD_METRICS_TOKEN: when set, scrapes must carry it as `Authorization: Bearer`. */
  token: string | undefined;
}

const challenge = { 'www-authenticate': 'Bearer realm="metrics"' };

/** Refuses a scrape without the metrics token, comparing in constant time. */
function checkToken(request: FastifyRequest, token: string): void {
  const authorization = request.headers.authorization;
  if (authorization === undefined || authorization === '') {
    throw new GatewayError(
      'authentication_required',
      'The metrics of this gateway need a token. Send Authorization: Bearer <SWITCHYARD_METRICS_TOKEN>.',
      { headers: challenge },
    );
  }
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (presented === undefined || !secretsEqual(presented, token)) {
    throw new GatewayError(
      'invalid_credentials',
      'The Authorization header does not carry the metrics token (SWITCHYARD_METRICS_TOKEN).',
      { headers: challenge },
    );
  }
}

/**
 * GET /metrics in Prometheus text format. Metrics name models and volumes, so an operator who
 * exposes the gateway publicly sets a token; Prometheus sends it with `authorization` in its
 * scrape config.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: GatewayMetrics,
  options: MetricsRouteOptions,
): void {
  app.get('/metrics', async (request, reply) => {
    if (options.token !== undefined) checkToken(request, options.token);
    const text = await metrics.exposition();
    return reply.header('content-type', metrics.contentType).send(text);
  });
}
