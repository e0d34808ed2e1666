import type { TranslatedError } from '../contract.js';
import { isJsonObject, type JsonObject } from '../json.js';

/** Google's canonical status names, as the OpenAI error type a client expects for each. */
const statusTypes: Readonly<Record<string, string>> = {
  INVALID_ARGUMENT: 'invalid_request_error',
  FAILED_PRECONDITION: 'invalid_request_error',
  OUT_OF_RANGE: 'invalid_request_error',
  NOT_FOUND: 'invalid_request_error',
  UNAUTHENTICATED: 'authentication_error',
  PERMISSION_DENIED: 'permission_error',
  RESOURCE_EXHAUSTED: 'rate_limit_error',
  INTERNAL: 'server_error',
  UNAVAILABLE: 'server_error',
  DEADLINE_EXCEEDED: 'server_error',
  UNKNOWN: 'server_error',
};

/**
 * Reasons that say the provider account, not the request, is at fault: Google answers a bad or
 * restricted key and a disabled service or billing with HTTP 400, the status of a bad parameter.
 */
const accountReasons = new Set([
  'SERVICE_DISABLED',
  'BILLING_DISABLED',
  'CONSUMER_INVALID',
  'CONSUMER_SUSPENDED',
  'ACCESS_TOKEN_EXPIRED',
]);

/**
 * True for errors no client can fix: a key reason (`API_KEY_INVALID`, `API_KEY_EXPIRED`,
 * `API_KEY_SERVICE_BLOCKED`, …), an account reason, or FAILED_PRECONDITION, which Gemini sends
 * when the free tier is not available in the deployment's region.
 */
function isAccountFault(reason: string | undefined, statusName: string | undefined): boolean {
  if (statusName === 'FAILED_PRECONDITION') return true;
  return reason !== undefined && (reason.startsWith('API_KEY_') || accountReasons.has(reason));
}

/** The `reason` of a `google.rpc.ErrorInfo` detail, such as `API_KEY_INVALID`. */
function errorReason(error: JsonObject): string | undefined {
  if (!Array.isArray(error.details)) return undefined;
  for (const detail of error.details) {
    if (isJsonObject(detail) && typeof detail.reason === 'string') return detail.reason;
  }
  return undefined;
}

/**
 * Translates Google's error object (`{code, message, status, details}`), from an error body or a
 * stream chunk. The code names the precise reason when Google gave one, else the status.
 */
export function geminiError(error: unknown, status?: number): TranslatedError {
  const object = isJsonObject(error) ? error : {};
  const effective =
    status ?? (typeof object.code === 'number' && object.code >= 400 ? object.code : 500);
  const statusName = typeof object.status === 'string' ? object.status : undefined;
  const detailReason = errorReason(object);
  const reason = detailReason ?? statusName;
  const translated: TranslatedError = {
    status: effective,
    message:
      typeof object.message === 'string' && object.message !== ''
        ? object.message
        : `The upstream answered HTTP ${effective}.`,
    type:
      (statusName && statusTypes[statusName]) ??
      (effective >= 500 ? 'server_error' : 'invalid_request_error'),
    param: null,
    code: reason === undefined ? null : reason.toLowerCase(),
  };
  if (isAccountFault(detailReason, statusName)) translated.upstreamFault = true;
  return translated;
}

/**
 * Reads a Gemini error body: `{"error":{…}}`, or a list of them, which the non-SSE streaming
 * endpoint sends. Any other body gets a generic message: its text may name hosts.
 */
export function translateGeminiError(status: number, body: string): TranslatedError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const envelope: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  return geminiError(isJsonObject(envelope) ? envelope.error : undefined, status);
}
