import { GatewayError, UpstreamClientError } from '../errors/gateway-error.js';
import { MalformedUpstreamError } from '../providers/contract.js';
import { UpstreamTransportError } from '../upstream/upstream-client.js';

/**
 * Turns what went wrong after an upstream answered into the error the client should see: bad
 * upstream output and broken connections become 502s that name the model and nothing else.
 */
export function toClientError(
  error: unknown,
  modelId: string,
  billing: 'nothing' | 'delivered' = 'nothing',
): unknown {
  const billed =
    billing === 'nothing'
      ? 'You were not charged.'
      : 'You are charged only for the prompt and what was delivered.';
  if (error instanceof MalformedUpstreamError) {
    return new GatewayError(
      'upstream_unavailable',
      `The upstream for the model '${modelId}' sent a response the gateway could not read (${error.message}). ${billed} Retry later or switch model.`,
      { cause: error },
    );
  }
  if (error instanceof UpstreamTransportError) {
    return error.kind === 'timeout'
      ? new GatewayError(
          'upstream_timeout',
          `The upstream for the model '${modelId}' stopped answering in time. ${billed} Retry later or switch model.`,
          { cause: error },
        )
      : new GatewayError(
          'upstream_unavailable',
          `The connection to the upstream for the model '${modelId}' broke. ${billed} Retry later or switch model.`,
          { cause: error },
        );
  }
  return error;
}

/** The status and code a usage record keeps for an error. */
export function describeForRecord(error: unknown): { status: number; code: string } {
  if (error instanceof GatewayError) return { status: error.status, code: error.code };
  if (error instanceof UpstreamClientError) {
    return { status: error.status, code: error.envelope.error.code ?? 'upstream_client_error' };
  }
  return { status: 500, code: 'internal_error' };
}
