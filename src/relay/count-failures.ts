import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpFailure } from '../http/error-handler.js';
import { noModel, type GatewayMetrics, type RelayRoute } from '../observability/metrics.js';

/**
 * A relay route's `onError` hook: counts the requests that failed where no usage trace saw them
 * (a body that is not JSON or too large, a missing or bad key, a gateway shutting down, any
 * failure of the models routes), with the status and code the error handler is about to send.
 * Requests a trace already counted are skipped. No model is known at that point, so none is named.
 */
export function countUntracedFailures(metrics: GatewayMetrics, route: RelayRoute) {
  return function countFailure(
    request: FastifyRequest,
    reply: FastifyReply,
    error: unknown,
    done: () => void,
  ): void {
    if (!metrics.wasRecorded(error)) {
      const failure = toHttpFailure(error, request.id);
      metrics.recordRequest(
        route,
        noModel,
        failure.status,
        failure.envelope.error.code,
        reply.elapsedTime / 1000,
      );
    }
    done();
  };
}
