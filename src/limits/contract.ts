/**
 * The limiter: one interface, two backends (memory for one instance, Redis for many), one shared
 * contract suite (`common.case.ts`). docs/limits.md is the long form of this comment.
 *
 * Limits, per subject (an API key), each optional; an absent limit never refuses and costs nothing.
 *
 * - `rpm`, `tpm`: an exact sliding-window log over the last 60 s. Every admitted request is an
 *   entry (its admission time, its weight = estimated tokens). At time `now` the window holds the
 *   entries with `at > now - 60 s`. A request is admitted when `count + 1 <= rpm` and
 *   `weight sum + estimate <= tpm`. The reset of a refused request is the moment enough of the
 *   oldest entries have left the window for it to fit.
 * - `rpd`, `dailySpend`: fixed windows per day. A day starts at midnight of UTC+`dayOffsetMinutes`
 *   (default 0: UTC midnight; 480: 16:00 UTC). The reset is the next day boundary.
 * - `tokenQuota`: a counter for the life of the key (`tokenQuotaPeriod: 'lifetime'`, the default),
 *   which never resets, or per calendar month (`'month'`), which resets on the 1st at the same
 *   day boundary.
 * - `maxConcurrency`: the set of requests in flight. A slot ends with `complete()` or expires
 *   `slotTtlMs` after admission (default 10 min), so slots of a crashed instance free themselves.
 *
 * Estimates and corrections: `admit()` reserves the estimated tokens (tpm, tokenQuota) and the
 * estimated spend (dailySpend, the hold amount); `complete()` replaces them with the real values,
 * which may be lower or higher, in the same window, day or month the request was admitted into.
 * A correction for an entry that has already left the 60 s window, or for a day or month that is
 * over, changes nothing. `admit()` checks everything and reserves everything in one atomic step;
 * a request refused by one limit reserves nothing anywhere.
 *
 * Retry-After is `ceil(reset - now)` in whole seconds, at least 1: the smallest whole number of
 * seconds after which the same request, with no other traffic, is admitted. When several limits
 * refuse, the one with the latest reset is reported. When no wait can help (a lifetime quota, or a
 * request that alone exceeds a limit) the reset and Retry-After are `null`. For `maxConcurrency`
 * the wait is unknown (a slot frees when some request ends): Retry-After is 1 s.
 *
 * Time is always the caller's `now` (epoch ms), so tests and instances agree on windows.
 */

/** The configured limits of one subject. Absent means unlimited. */
export interface LimitSet {
  /** Requests per sliding minute. */
  rpm?: number;
  /** Tokens (estimated, then corrected) per sliding minute. */
  tpm?: number;
  /** Requests per day. */
  rpd?: number;
  /** Spend in micro-units per day. */
  dailySpend?: number;
  /** Tokens for the key's life or per calendar month, see `tokenQuotaPeriod`. */
  tokenQuota?: number;
  /** `'lifetime'` when absent. */
  tokenQuotaPeriod?: 'lifetime' | 'month';
  /** Requests in flight at once. */
  maxConcurrency?: number;
}

/** The names of the limits, as the refusal reports them. */
export type LimitName = 'rpm' | 'tpm' | 'rpd' | 'dailySpend' | 'tokenQuota' | 'maxConcurrency';

/** One request asking to be admitted. */
export interface Admission {
  /** Unique per request; `complete()` finds the reservation by it. Admitting it twice is a no-op. */
  requestId: string;
  /** Whose limits these are, e.g. `key:42`. */
  subject: string;
  limits: LimitSet;
  /** Non-negative integer; reserved against tpm and tokenQuota. */
  estimatedTokens: number;
  /** Non-negative integer micro-units (the hold amount); reserved against dailySpend. */
  estimatedSpend: number;
  /** Epoch milliseconds. */
  now: number;
}

/** The real usage of an admitted request, replacing its estimates. */
export interface Completion {
  requestId: string;
  subject: string;
  /** Non-negative integer. */
  actualTokens: number;
  /** Non-negative integer micro-units. */
  actualSpend: number;
  /** Epoch milliseconds. */
  now: number;
}

/** A sliding window as the rate-limit headers show it. */
export interface WindowState {
  /** The configured limit (rpm or tpm). */
  limit: number;
  /** What is left now, never negative (a correction upwards can overfill the window). */
  remaining: number;
  /** Epoch ms when the window is empty again (`remaining` back to `limit`); `now` when it is. */
  resetAt: number;
}

/** The windows the headers report: present only for the limits that are set. */
export interface LimitState {
  /** The rpm window, when rpm is set. */
  requests?: WindowState;
  /** The tpm window, when tpm is set. */
  tokens?: WindowState;
}

/** The request is admitted and everything it needs is reserved; the state includes it. */
export interface AdmitGranted extends LimitState {
  admitted: true;
}

/** The request is refused; nothing was reserved and the state is as it was. */
export interface AdmitRefused extends LimitState {
  admitted: false;
  /** The refusing limit; of several, the one with the latest reset. */
  limit: LimitName;
  /** The configured value of that limit. */
  limitValue: number;
  /** What that limit has used in its current window (requests, tokens, micro-units, slots). */
  used: number;
  /** What this request asked of it: 1 request or slot, the estimated tokens or spend. */
  requested: number;
  /** Epoch ms when this request would fit; null when no wait helps. */
  resetAt: number | null;
  /** `ceil((resetAt - now) / 1000)`, at least 1; null when no wait helps. */
  retryAfterSeconds: number | null;
}

/** What `admit()` answers. */
export type AdmitResult = AdmitGranted | AdmitRefused;

/** A rate limiter backend. Every method is safe to call concurrently. */
export interface Limiter {
  /** Checks every limit and, only if all pass, reserves them, in one atomic step. */
  admit(admission: Admission): Promise<AdmitResult>;
  /**
   * Replaces the request's estimates with its real tokens and spend, and ends its concurrency
   * slot. Idempotent per request id; unknown or expired request ids are ignored.
   */
  complete(completion: Completion): Promise<void>;
  /** The current windows, for headers on responses that never reached `admit()`. */
  peek(subject: string, limits: LimitSet, now: number): Promise<LimitState>;
  /**
   * Sets the token-quota counter of the current period to `used` when the limiter holds none
   * (after a restart, or Redis lost it), e.g. from the usage records. Never overwrites a counter;
   * answers whether it set one.
   */
  seedTokenQuota(subject: string, limits: LimitSet, used: number, now: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Options every backend takes. */
export interface LimiterOptions {
  /** Days (and months) start at midnight of UTC+this many minutes; -1439..1439, default 0. */
  dayOffsetMinutes?: number;
  /** A concurrency slot not completed within this frees itself; default 10 minutes. */
  slotTtlMs?: number;
  /**
   * How long `complete()` can still correct a request's estimates; default 24 h, at least
   * `slotTtlMs`. Later completions are ignored and the estimates stand.
   */
  reservationTtlMs?: number;
}

/** The sliding window of rpm and tpm. */
export const slidingWindowMs = 60_000;
/** Default of `LimiterOptions.slotTtlMs`. */
export const defaultSlotTtlMs = 10 * 60_000;
/** Default of `LimiterOptions.reservationTtlMs`. */
export const defaultReservationTtlMs = 24 * 60 * 60_000;

/**
 * The limiter's backend could not answer (Redis refused the connection, timed out, or failed).
 * The caller decides: fail open (admit) or fail closed (refuse with 503).
 */
export class LimiterUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LimiterUnavailableError';
  }
}
