/**
 * Every error code the gateway itself emits, with its HTTP status and OpenAI error `type`.
 * DESIGN.md §3 is the source of the table; tests check that nothing is emitted outside it.
 */
export const errorCatalogue = {
  invalid_json: { status: 400, type: 'invalid_request_error' },
  missing_required_parameter: { status: 400, type: 'invalid_request_error' },
  invalid_value: { status: 400, type: 'invalid_request_error' },
  missing_api_key: { status: 401, type: 'authentication_error' },
  invalid_api_key: { status: 401, type: 'authentication_error' },
  api_key_disabled: { status: 401, type: 'authentication_error' },
  api_key_expired: { status: 401, type: 'authentication_error' },
  // Management API: no session cookie or admin token, or one that is no longer valid; /metrics:
  // no metrics token, or a wrong one.
  authentication_required: { status: 401, type: 'authentication_error' },
  invalid_credentials: { status: 401, type: 'authentication_error' },
  insufficient_balance: { status: 402, type: 'insufficient_quota' },
  wallet_suspended: { status: 402, type: 'insufficient_quota' },
  model_not_allowed: { status: 403, type: 'permission_error' },
  permission_denied: { status: 403, type: 'permission_error' },
  csrf_token_invalid: { status: 403, type: 'permission_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  route_not_found: { status: 404, type: 'invalid_request_error' },
  // Also what a management caller gets for something outside its reach, so existence never leaks.
  resource_not_found: { status: 404, type: 'invalid_request_error' },
  already_exists: { status: 409, type: 'invalid_request_error' },
  // A recharge code that is unknown, already used, void or expired.
  recharge_code_invalid: { status: 400, type: 'invalid_request_error' },
  request_too_large: { status: 413, type: 'invalid_request_error' },
  // Refused by Node's HTTP parser before any route ran.
  request_timeout: { status: 408, type: 'invalid_request_error' },
  request_headers_too_large: { status: 431, type: 'invalid_request_error' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  token_quota_exhausted: { status: 429, type: 'rate_limit_error' },
  daily_limit_reached: { status: 429, type: 'rate_limit_error' },
  too_many_login_attempts: { status: 429, type: 'rate_limit_error' },
  too_many_redeem_attempts: { status: 429, type: 'rate_limit_error' },
  internal_error: { status: 500, type: 'server_error' },
  upstream_unavailable: { status: 502, type: 'upstream_error' },
  upstream_timeout: { status: 502, type: 'upstream_error' },
  shutting_down: { status: 503, type: 'server_error' },
  // The shared limiter (Redis) cannot be reached and the gateway is set to fail closed.
  limits_unavailable: { status: 503, type: 'server_error' },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof errorCatalogue;
