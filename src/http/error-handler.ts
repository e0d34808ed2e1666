import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, UpstreamClientError, type ErrorEnvelope } from '../errors/gateway-error.js';

interface HttpFailure {
  status: number;
  envelope: ErrorEnvelope;
  headers: Record<string, string>;
  /** Whether this is the gateway's own fault, to be logged with its stack. */
  unexpected: boolean;
}

/** Errors Fastify raises itself while reading a request, mapped to the catalogue. */
function fromFastifyError(error: FastifyError): GatewayError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError(
        'request_too_large',
        'The request body is larger than this gateway accepts. Send a smaller request.',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError('invalid_json', 'The request body is empty. Send a JSON object.');
    default:
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return new GatewayError('invalid_value', `The request could not be read: ${error.message}`);
      }
      return undefined;
  }
}

/** Maps anything thrown while handling a request to its status and OpenAI envelope. */
export function toHttpFailure(error: unknown, requestId: string): HttpFailure {
  if (error instanceof GatewayError) {
    return {
      status: error.status,
      envelope: error.toEnvelope(),
      headers: error.headers,
      unexpected: false,
    };
  }
  if (error instanceof UpstreamClientError) {
    return { status: error.status, envelope: error.envelope, headers: {}, unexpected: false };
  }
  const known =
    typeof error === 'object' && error !== null && 'code' in error
      ? fromFastifyError(error as FastifyError)
      : undefined;
  if (known)
    return { status: known.status, envelope: known.toEnvelope(), headers: {}, unexpected: false };
  // A bug: the client learns nothing about internals, only how to report it.
  const internal = new GatewayError(
    'internal_error',
    `The gateway hit an internal error. Retry later; if it keeps happening, report request id ${requestId} to your admin.`,
  );
  return {
    status: internal.status,
    envelope: internal.toEnvelope(),
    headers: {},
    unexpected: true,
  };
}

/** The one place that writes error responses. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const failure = toHttpFailure(error, request.id);
  if (failure.unexpected)
    request.log.error({ err: error }, 'internal error while handling a request');
  else if (failure.status >= 500)
    request.log.warn({ code: failure.envelope.error.code }, failure.envelope.error.message);
  void reply
    .code(failure.status)
    .headers(failure.headers)
    .header('content-type', 'application/json; charset=utf-8')
    .send(failure.envelope);
}
