import { errorCatalogue, type ErrorCode } from './catalogue.js';

/** The body OpenAI's SDKs expect for every non-2xx answer. */
export interface ErrorEnvelope {
  error: { message: string; type: string; param: string | null; code: string | null };
}

interface GatewayErrorOptions {
  param?: string | null;
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * The one error type of the gateway. Its code comes from the catalogue, so status and type can
 * never disagree with DESIGN.md's table; the message is written for the person reading it.
 */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.type = errorCatalogue[code].type;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  /** The OpenAI error envelope for this error. */
  toEnvelope(): ErrorEnvelope {
    return {
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    };
  }
}

/**
 * An error the upstream returned that the client caused (a 4xx for a bad parameter): its status
 * and message pass through, but never the upstream's URL or credentials.
 */
export class UpstreamClientError extends Error {
  readonly status: number;
  readonly envelope: ErrorEnvelope;

  constructor(status: number, envelope: ErrorEnvelope) {
    super(envelope.error.message);
    this.name = 'UpstreamClientError';
    this.status = status;
    this.envelope = envelope;
  }
}
