import { checkDayOffset } from './calendar.js';
import {
  defaultReservationTtlMs,
  defaultSlotTtlMs,
  slidingWindowMs,
  type Admission,
  type AdmitResult,
  type Completion,
  type LimiterOptions,
  type LimitName,
  type LimitSet,
  type LimitState,
} from './contract.js';

/** `LimiterOptions` with every default filled in and checked. */
export interface ResolvedLimiterOptions {
  dayOffsetMinutes: number;
  slotTtlMs: number;
  reservationTtlMs: number;
}

/** Fills in the defaults and rejects options that cannot work. */
export function resolveLimiterOptions(options: LimiterOptions = {}): ResolvedLimiterOptions {
  const dayOffsetMinutes = options.dayOffsetMinutes ?? 0;
  checkDayOffset(dayOffsetMinutes);
  const slotTtlMs = options.slotTtlMs ?? defaultSlotTtlMs;
  checkCount(slotTtlMs, 'slotTtlMs');
  if (slotTtlMs < 1) throw new RangeError('slotTtlMs must be at least 1');
  const reservationTtlMs = Math.max(options.reservationTtlMs ?? defaultReservationTtlMs, slotTtlMs);
  checkCount(reservationTtlMs, 'reservationTtlMs');
  return { dayOffsetMinutes, slotTtlMs, reservationTtlMs };
}

function checkCount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, not ${value}`);
  }
}

/** Every limit a key can have, as refusals name them. */
export const limitNames: readonly LimitName[] = [
  'rpm',
  'tpm',
  'rpd',
  'dailySpend',
  'tokenQuota',
  'maxConcurrency',
];

/** Throws on limits no backend could count with: negative, fractional, not finite. */
export function checkLimits(limits: LimitSet): void {
  for (const name of limitNames) {
    const value = limits[name];
    if (value !== undefined) checkCount(value, `limits.${name}`);
  }
  // Limits come from the database and configuration, so the type alone does not guarantee this.
  const period: unknown = limits.tokenQuotaPeriod;
  if (period !== undefined && period !== 'lifetime' && period !== 'month') {
    throw new RangeError(
      `limits.tokenQuotaPeriod must be 'lifetime' or 'month', not ${JSON.stringify(period)}`,
    );
  }
}

/** Throws on an admission the counters cannot hold, before anything is touched. */
export function checkAdmission(admission: Admission): void {
  if (admission.requestId === '') throw new RangeError('requestId must not be empty');
  checkLimits(admission.limits);
  checkCount(admission.estimatedTokens, 'estimatedTokens');
  checkCount(admission.estimatedSpend, 'estimatedSpend');
  checkCount(admission.now, 'now');
}

/** Throws on a completion the counters cannot hold. */
export function checkCompletion(completion: Completion): void {
  checkCount(completion.actualTokens, 'actualTokens');
  checkCount(completion.actualSpend, 'actualSpend');
  checkCount(completion.now, 'now');
}

/** Whether the sliding-window log is kept for these limits. */
export function usesLog(limits: LimitSet): boolean {
  return limits.rpm !== undefined || limits.tpm !== undefined;
}

/** The verdict of a backend before it becomes an `AdmitResult`; Lua returns the same fields. */
export interface Verdict {
  admitted: boolean;
  limit?: LimitName;
  limitValue: number;
  used: number;
  requested: number;
  /** Null when no wait helps. */
  resetAt: number | null;
  /** The sliding window after the decision: live entries, their weight, the newest entry time. */
  count: number;
  weight: number;
  newestAt: number | null;
}

/** `ceil((resetAt - now) / 1000)`, at least 1: never 0, never a second short of the real wait. */
export function retryAfterSecondsUntil(resetAt: number, now: number): number {
  return Math.max(1, Math.ceil((resetAt - now) / 1000));
}

/** The headers' view of the sliding window. */
export function windowStates(
  limits: LimitSet,
  count: number,
  weight: number,
  newestAt: number | null,
  now: number,
): LimitState {
  const resetAt = newestAt === null || count === 0 ? now : newestAt + slidingWindowMs;
  const state: LimitState = {};
  if (limits.rpm !== undefined) {
    state.requests = { limit: limits.rpm, remaining: Math.max(0, limits.rpm - count), resetAt };
  }
  if (limits.tpm !== undefined) {
    state.tokens = { limit: limits.tpm, remaining: Math.max(0, limits.tpm - weight), resetAt };
  }
  return state;
}

/** Turns a backend's verdict into the public result. */
export function toAdmitResult(verdict: Verdict, limits: LimitSet, now: number): AdmitResult {
  const state = windowStates(limits, verdict.count, verdict.weight, verdict.newestAt, now);
  if (verdict.admitted || verdict.limit === undefined) return { admitted: true, ...state };
  return {
    admitted: false,
    limit: verdict.limit,
    limitValue: verdict.limitValue,
    used: verdict.used,
    requested: verdict.requested,
    resetAt: verdict.resetAt,
    retryAfterSeconds:
      verdict.resetAt === null ? null : retryAfterSecondsUntil(verdict.resetAt, now),
    ...state,
  };
}

/** One limit's failure, before the worst is chosen. */
export interface Failure {
  limit: LimitName;
  limitValue: number;
  used: number;
  requested: number;
  resetAt: number | null;
}

/**
 * Of several failures the one with the latest reset (null, never, is the latest); on a tie the
 * first. Callers list failures in the order tokenQuota, dailySpend, rpd, tpm, rpm, maxConcurrency,
 * the order the Lua script uses too, so both backends name the same limit.
 */
export function worstFailure(failures: readonly Failure[]): Failure | undefined {
  let worst: Failure | undefined;
  for (const failure of failures) {
    if (worst === undefined) worst = failure;
    else if (
      worst.resetAt !== null &&
      (failure.resetAt === null || failure.resetAt > worst.resetAt)
    )
      worst = failure;
  }
  return worst;
}

/** What `maxConcurrency` reports as its reset: the wait is unknown, so the shortest allowed. */
export function concurrencyResetAt(now: number): number {
  return now + 1000;
}
