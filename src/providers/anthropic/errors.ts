import type { TranslatedError } from '../contract.js';
import { isJsonObject } from '../json.js';

/**
 * Anthropic's error types with the HTTP status each comes with and the OpenAI error type a client
 * expects for it (the types the gateway itself uses for the same situations).
 */
const errorKinds: Readonly<Record<string, { status: number; type: string }>> = {
  invalid_request_error: { status: 400, type: 'invalid_request_error' },
  authentication_error: { status: 401, type: 'authentication_error' },
  billing_error: { status: 402, type: 'invalid_request_error' },
  permission_error: { status: 403, type: 'permission_error' },
  not_found_error: { status: 404, type: 'invalid_request_error' },
  request_too_large: { status: 413, type: 'invalid_request_error' },
  rate_limit_error: { status: 429, type: 'rate_limit_error' },
  api_error: { status: 500, type: 'server_error' },
  timeout_error: { status: 504, type: 'server_error' },
  overloaded_error: { status: 529, type: 'server_error' },
};

/**
 * True when the operator's Anthropic account cannot pay: `billing_error`, or the 400
 * `invalid_request_error` Anthropic sends when the credit balance is too low. No client can fix
 * either, so the relay tries the model's next deployment instead of passing them on.
 */
function isBillingFault(type: string | undefined, message: string | undefined): boolean {
  if (type === 'billing_error') return true;
  return type === 'invalid_request_error' && /credit balance is too low/i.test(message ?? '');
}

function fallbackType(status: number): string {
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/**
 * Translates Anthropic's error object (`{type, message}`), from an error body or a stream's
 * `error` event; `status` is the HTTP status when there was one, else the type's usual status.
 */
export function anthropicError(error: unknown, status?: number): TranslatedError {
  const type = isJsonObject(error) && typeof error.type === 'string' ? error.type : undefined;
  const kind = type === undefined ? undefined : errorKinds[type];
  const effective = status ?? kind?.status ?? 500;
  const upstreamMessage =
    isJsonObject(error) && typeof error.message === 'string' && error.message !== ''
      ? error.message
      : undefined;
  const message = upstreamMessage ?? `The upstream answered HTTP ${effective}.`;
  const translated: TranslatedError = {
    status: effective,
    message,
    type: kind?.type ?? fallbackType(effective),
    param: null,
    // Anthropic's own type names the failure precisely (overloaded_error, rate_limit_error, …);
    // OpenAI leaves the code empty for a plain invalid request, and so does the gateway.
    code: type === undefined || type === 'invalid_request_error' ? null : type,
  };
  if (isBillingFault(type, upstreamMessage)) translated.upstreamFault = true;
  return translated;
}

/**
 * Reads an Anthropic error body, `{"type":"error","error":{"type":…,"message":…}}`. Any other body
 * (an HTML page from a proxy, say) gets a generic message: its text may name hosts.
 */
export function translateAnthropicError(status: number, body: string): TranslatedError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  return anthropicError(isJsonObject(parsed) ? parsed.error : undefined, status);
}
