import { formatMoney } from '../billing/money.js';
import type { ErrorCode } from '../errors/catalogue.js';
import type { AdmitRefused, AdmitResult, LimitName, LimitSet, LimitState } from './contract.js';

/** The error codes a refusal maps to, all 429 `rate_limit_error` in the catalogue. */
export type LimitErrorCode = Extract<
  ErrorCode,
  'rate_limit_exceeded' | 'token_quota_exhausted' | 'daily_limit_reached'
>;

const errorCodes: Record<LimitName, LimitErrorCode> = {
  rpm: 'rate_limit_exceeded',
  tpm: 'rate_limit_exceeded',
  maxConcurrency: 'rate_limit_exceeded',
  tokenQuota: 'token_quota_exhausted',
  rpd: 'daily_limit_reached',
  dailySpend: 'daily_limit_reached',
};

/** The error code of a refusal by `limit`. */
export function errorCodeFor(limit: LimitName): LimitErrorCode {
  return errorCodes[limit];
}

/** The `Retry-After` header of a refusal: whole seconds, at least 1; absent when waiting won't help. */
export function retryAfterHeaderValue(result: AdmitResult): string | undefined {
  if (result.admitted || result.retryAfterSeconds === null) return undefined;
  return String(result.retryAfterSeconds);
}

/**
 * The rate-limit headers of a response: the seed's `X-RateLimit-{Limit,Remaining,Reset}` (the rpm
 * window, reset as ISO 8601), OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`
 * (reset as a duration like `6m0s`), and `Retry-After` on a refusal that a wait can end. A window
 * whose limit is not set has no headers.
 */
export function rateLimitHeaders(
  state: LimitState | AdmitResult,
  now: number,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (state.requests !== undefined) {
    headers['X-RateLimit-Limit'] = String(state.requests.limit);
    headers['X-RateLimit-Remaining'] = String(state.requests.remaining);
    headers['X-RateLimit-Reset'] = isoSeconds(state.requests.resetAt);
    headers['x-ratelimit-limit-requests'] = String(state.requests.limit);
    headers['x-ratelimit-remaining-requests'] = String(state.requests.remaining);
    headers['x-ratelimit-reset-requests'] = openAiDuration(state.requests.resetAt - now);
  }
  if (state.tokens !== undefined) {
    headers['x-ratelimit-limit-tokens'] = String(state.tokens.limit);
    headers['x-ratelimit-remaining-tokens'] = String(state.tokens.remaining);
    headers['x-ratelimit-reset-tokens'] = openAiDuration(state.tokens.resetAt - now);
  }
  if ('admitted' in state) {
    const retryAfter = retryAfterHeaderValue(state);
    if (retryAfter !== undefined) headers['Retry-After'] = retryAfter;
  }
  return headers;
}

/**
 * The message of the 429 for a refusal: it names the limit, its value and, when a wait helps, how
 * long and until when (the reset rounded up to the second, the same moment Retry-After points to).
 */
export function describeLimitForMessage(refusal: AdmitRefused, limits: LimitSet): string {
  const { limitValue: value, used, requested } = refusal;
  const waitHelps = refusal.resetAt !== null;
  let what: string;
  switch (refusal.limit) {
    case 'rpm':
      what = `Rate limit reached: ${count(value)} requests per minute for this key.`;
      break;
    case 'tpm':
      what = waitHelps
        ? `Rate limit reached: ${count(value)} tokens per minute for this key (${count(used)} used in the last minute, this request needs about ${count(requested)}).`
        : `Request too large: it needs about ${count(requested)} tokens, more than this key's limit of ${count(value)} tokens per minute. Shorten the input or lower max_tokens.`;
      break;
    case 'rpd':
      what = `Daily limit reached: ${count(value)} requests per day for this key.`;
      break;
    case 'dailySpend':
      what = waitHelps
        ? `Daily limit reached: this key may spend ${formatMoney(value)} per day and has spent ${formatMoney(used)} today; this request may cost up to ${formatMoney(requested)}.`
        : `Daily limit reached: this request may cost up to ${formatMoney(requested)}, more than this key's daily spending limit of ${formatMoney(value)}.`;
      break;
    case 'tokenQuota':
      what =
        (limits.tokenQuotaPeriod ?? 'lifetime') === 'month'
          ? `Token quota exhausted: this key may use ${count(value)} tokens per month and has used ${count(used)} this month; this request needs about ${count(requested)}.`
          : `Token quota exhausted: this key may use ${count(value)} tokens in total and has used ${count(used)}; this request needs about ${count(requested)}. The quota does not reset.`;
      break;
    case 'maxConcurrency':
      what = `Rate limit reached: this key allows ${count(value)} requests in flight at once.`;
      break;
  }
  if (refusal.resetAt === null || refusal.retryAfterSeconds === null) {
    return `${what} Waiting will not help; ask an administrator to raise the limit.`;
  }
  return `${what} Retry after ${humanSeconds(refusal.retryAfterSeconds)} (at ${isoSeconds(refusal.resetAt)}).`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** ISO 8601 to the second, rounded up so it is never before the moment it names. */
export function isoSeconds(epochMs: number): string {
  return new Date(Math.ceil(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** "12 s", "4 min 5 s", "5 h 4 min", "3 d 4 h": rounded up, so never shorter than the wait. */
export function humanSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const rest = seconds % 60;
    return `${Math.floor(seconds / 60)} min${rest > 0 ? ` ${rest} s` : ''}`;
  }
  if (seconds < 2 * 86_400) {
    const minutes = Math.ceil(seconds / 60);
    const rest = minutes % 60;
    return `${Math.floor(minutes / 60)} h${rest > 0 ? ` ${rest} min` : ''}`;
  }
  const hours = Math.ceil(seconds / 3600);
  const rest = hours % 24;
  return `${Math.floor(hours / 24)} d${rest > 0 ? ` ${rest} h` : ''}`;
}

/** OpenAI's reset format, a Go duration: `20ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`. */
export function openAiDuration(milliseconds: number): string {
  const ms = Math.max(0, Math.ceil(milliseconds));
  if (ms < 1000) return ms === 0 ? '0s' : `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = `${Number(((ms % 60_000) / 1000).toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}
