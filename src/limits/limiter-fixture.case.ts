import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type {
  Admission,
  AdmitGranted,
  AdmitRefused,
  AdmitResult,
  Completion,
  Limiter,
  LimiterOptions,
  LimitSet,
} from './contract.js';

/** Opens a limiter of the implementation under test, with the given options. */
export type LimiterFactory = (options?: LimiterOptions) => Promise<Limiter>;

/** What the case files get: a way to open limiters that the suite closes after each test. */
export interface LimiterFixture {
  name: string;
  /** Opens a limiter; it is closed after the test. */
  open(options?: LimiterOptions): Promise<Limiter>;
  /** Whether two limiters from `open` share their state, as two gateway instances on Redis do. */
  sharedState: boolean;
}

/** 2026-11-26T10:00:00Z, a Thursday: the suites' "now", advanced by hand and never by sleeping. */
export const t0 = Date.UTC(2026, 10, 26, 10, 0, 0);
export const second = 1_000;
export const minute = 60_000;

/** A subject no other test uses, so a shared Redis needs no cleaning between tests. */
export function newSubject(): string {
  return `key-${randomUUID()}`;
}

/** An admission with a fresh request id and zero estimates unless given. */
export function admission(
  subject: string,
  limits: LimitSet,
  now: number,
  more: Partial<Admission> = {},
): Admission {
  return {
    requestId: `req-${randomUUID()}`,
    subject,
    limits,
    estimatedTokens: 0,
    estimatedSpend: 0,
    now,
    ...more,
  };
}

/** Asserts the request was admitted. */
export function expectGranted(result: AdmitResult): AdmitGranted {
  if (!result.admitted)
    throw new Error(`expected admission, got a refusal: ${JSON.stringify(result)}`);
  return result;
}

/**
 * Asserts a refusal matching `expected`, and the Retry-After invariant every refusal must meet:
 * whole seconds, at least 1, and covering the real wait by less than one second.
 */
export function expectRefused(
  result: AdmitResult,
  now: number,
  expected: Partial<AdmitRefused>,
): AdmitRefused {
  if (result.admitted)
    throw new Error(`expected a refusal, got admission: ${JSON.stringify(result)}`);
  expect(result).toMatchObject(expected);
  if (result.resetAt === null) {
    expect(result.retryAfterSeconds).toBeNull();
  } else {
    const wait = result.resetAt - now;
    expect(Number.isInteger(result.retryAfterSeconds)).toBe(true);
    expect(result.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((result.retryAfterSeconds ?? 0) * 1000).toBeGreaterThanOrEqual(wait);
    expect((result.retryAfterSeconds ?? 0) * 1000 - wait).toBeLessThan(1000);
  }
  return result;
}

/** The completion of `admitted` with its estimates as the real values; override what differs. */
export function completionOf(admitted: {
  requestId: string;
  subject: string;
  estimatedTokens: number;
  estimatedSpend: number;
  now: number;
}): Completion {
  return {
    requestId: admitted.requestId,
    subject: admitted.subject,
    actualTokens: admitted.estimatedTokens,
    actualSpend: admitted.estimatedSpend,
    now: admitted.now,
  };
}
