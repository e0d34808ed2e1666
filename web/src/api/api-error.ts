/** An error the management API answered with, or a failure to reach it at all. */
export class ApiError extends Error {
  /** HTTP status; 0 when the request never got an answer (offline, server down). */
  readonly status: number;
  /** The envelope's machine-readable code, e.g. `insufficient_balance`. */
  readonly code: string | null;
  /** The request field the error is about (`amount`, `models[2]`), to highlight in a form. */
  readonly param: string | null;
  readonly type: string | null;

  constructor(options: {
    message: string;
    status: number;
    code?: string | null;
    param?: string | null;
    type?: string | null;
  }) {
    super(options.message);
    this.name = 'ApiError';
    this.status = options.status;
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.type = options.type ?? null;
  }
}

function textField(record: Record<string, unknown>, name: string): string | null {
  const value = record[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns an error answer into an ApiError. The gateway answers with OpenAI's envelope
 * `{error:{message,type,param,code}}`; anything else (a proxy's HTML page, an empty body) still
 * becomes a message a person can act on.
 */
export function apiErrorFromResponse(status: number, body: unknown): ApiError {
  const envelope = isRecord(body) && isRecord(body.error) ? body.error : null;
  const message = envelope ? textField(envelope, 'message') : null;
  if (envelope && message) {
    return new ApiError({
      message,
      status,
      code: textField(envelope, 'code'),
      param: textField(envelope, 'param'),
      type: textField(envelope, 'type'),
    });
  }
  return new ApiError({ message: fallbackMessage(status), status });
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'Your session has ended. Sign in again.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found. It may have been deleted.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return `The gateway failed (HTTP ${status}). Try again in a moment.`;
  return `The request failed (HTTP ${status}).`;
}

/** The error of a request that got no answer at all. */
export function networkError(): ApiError {
  return new ApiError({
    message: 'Cannot reach the gateway. Check your connection and try again.',
    status: 0,
  });
}

/** Any thrown value as a sentence to show. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/**
 * The form field an error is about: `param` is a body path like `limits.rpm` or `models[2]`;
 * forms name their fields by the top-level body key, so only that part is kept.
 */
export function fieldOfParam(param: string | null): string | null {
  if (param === null) return null;
  const match = /^[^.[]+/.exec(param);
  return match ? match[0] : null;
}
