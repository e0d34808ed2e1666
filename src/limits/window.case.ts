import { describe, expect, it } from 'vitest';
import {
  admission,
  completionOf,
  expectGranted,
  expectRefused,
  minute,
  newSubject,
  second,
  t0,
  type LimiterFixture,
} from './limiter-fixture.case.js';

/** rpm and tpm: the sliding-window log, its Retry-After, its header state and its corrections. */
export function windowCases(fixture: LimiterFixture): void {
  describe('rpm (sliding window of requests)', () => {
    it('admits up to the limit, counts remaining down and refuses the next one', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { rpm: 3 };
      const remaining: number[] = [];
      for (const offset of [0, 10 * second, 20 * second]) {
        const granted = expectGranted(await limiter.admit(admission(subject, limits, t0 + offset)));
        remaining.push(granted.requests?.remaining ?? -1);
        // The window is empty again a minute after its newest entry.
        expect(granted.requests).toEqual({
          limit: 3,
          remaining: granted.requests?.remaining,
          resetAt: t0 + offset + minute,
        });
        expect(granted.tokens).toBeUndefined();
      }
      expect(remaining).toEqual([2, 1, 0]);

      const now = t0 + 30 * second;
      expectRefused(await limiter.admit(admission(subject, limits, now)), now, {
        limit: 'rpm',
        limitValue: 3,
        used: 3,
        requested: 1,
        resetAt: t0 + minute,
        retryAfterSeconds: 30,
        requests: { limit: 3, remaining: 0, resetAt: t0 + 20 * second + minute },
      });
    });

    it('rounds a fractional wait up, never to 0, and admits once that wait is over', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { rpm: 1 };
      expectGranted(await limiter.admit(admission(subject, limits, t0)));

      const early = t0 + 30 * second + 500;
      expectRefused(await limiter.admit(admission(subject, limits, early)), early, {
        resetAt: t0 + minute,
        retryAfterSeconds: 30,
      });
      const last = t0 + minute - 1;
      expectRefused(await limiter.admit(admission(subject, limits, last)), last, {
        retryAfterSeconds: 1,
      });
      expectGranted(await limiter.admit(admission(subject, limits, early + 30 * second)));
    });

    it('slides: an entry leaves exactly 60 s after it came, not at a minute boundary', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { rpm: 2 };
      expectGranted(await limiter.admit(admission(subject, limits, t0)));
      expectGranted(await limiter.admit(admission(subject, limits, t0 + 50 * second)));
      const almost = t0 + minute - 1;
      expectRefused(await limiter.admit(admission(subject, limits, almost)), almost, {
        limit: 'rpm',
        resetAt: t0 + minute,
      });
      expectGranted(await limiter.admit(admission(subject, limits, t0 + minute)));
      const now = t0 + 62 * second;
      expectRefused(await limiter.admit(admission(subject, limits, now)), now, {
        resetAt: t0 + 50 * second + minute,
        retryAfterSeconds: 48,
      });
    });

    it('peeks at the window without taking anything from it', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { rpm: 5, tpm: 1000 };
      expect(await limiter.peek(subject, limits, t0)).toEqual({
        requests: { limit: 5, remaining: 5, resetAt: t0 },
        tokens: { limit: 1000, remaining: 1000, resetAt: t0 },
      });
      await limiter.admit(admission(subject, limits, t0, { estimatedTokens: 300 }));
      await limiter.admit(admission(subject, limits, t0 + second, { estimatedTokens: 200 }));
      const expected = {
        requests: { limit: 5, remaining: 3, resetAt: t0 + second + minute },
        tokens: { limit: 1000, remaining: 500, resetAt: t0 + second + minute },
      };
      expect(await limiter.peek(subject, limits, t0 + 2 * second)).toEqual(expected);
      expect(await limiter.peek(subject, limits, t0 + 2 * second)).toEqual(expected);
      expect(await limiter.peek(subject, limits, t0 + minute)).toEqual({
        requests: { limit: 5, remaining: 4, resetAt: t0 + second + minute },
        tokens: { limit: 1000, remaining: 800, resetAt: t0 + second + minute },
      });
      const later = t0 + 5 * minute;
      expect(await limiter.peek(subject, limits, later)).toEqual({
        requests: { limit: 5, remaining: 5, resetAt: later },
        tokens: { limit: 1000, remaining: 1000, resetAt: later },
      });
      expect(await limiter.peek(subject, {}, later)).toEqual({});
    });
  });

  describe('tpm (sliding window of tokens)', () => {
    it('refuses the estimate that would cross the limit until enough old tokens leave', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { tpm: 1000 };
      const tokens = (estimatedTokens: number, now: number) =>
        limiter.admit(admission(subject, limits, now, { estimatedTokens }));
      expectGranted(await tokens(400, t0));
      expectGranted(await tokens(400, t0 + 10 * second));

      const now = t0 + 20 * second;
      const refused = expectRefused(await tokens(300, now), now, {
        limit: 'tpm',
        limitValue: 1000,
        used: 800,
        requested: 300,
        resetAt: t0 + minute,
        retryAfterSeconds: 40,
      });
      expect(refused.tokens).toEqual({ limit: 1000, remaining: 200, resetAt: t0 + 70 * second });
      expect(refused.requests).toBeUndefined();

      // Exactly up to the limit is allowed.
      const granted = expectGranted(await tokens(200, now));
      expect(granted.tokens).toEqual({ limit: 1000, remaining: 0, resetAt: now + minute });

      // 700 more needs the two oldest entries (800 tokens) gone: the second leaves at t0+70 s.
      const later = t0 + 30 * second;
      expectRefused(await tokens(700, later), later, {
        used: 1000,
        resetAt: t0 + 70 * second,
        retryAfterSeconds: 40,
      });
      expectGranted(await tokens(700, t0 + 70 * second));
    });

    it('frees room when the real usage is below the estimate', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { tpm: 1000 };
      const first = admission(subject, limits, t0, { estimatedTokens: 900 });
      expectGranted(await limiter.admit(first));
      const now = t0 + second;
      expectRefused(
        await limiter.admit(admission(subject, limits, now, { estimatedTokens: 800 })),
        now,
        { limit: 'tpm', used: 900 },
      );
      await limiter.complete({ ...completionOf(first), actualTokens: 100, now });
      const granted = expectGranted(
        await limiter.admit(admission(subject, limits, now, { estimatedTokens: 800 })),
      );
      expect(granted.tokens?.remaining).toBe(100);
    });

    it('takes more room when the real usage is above the estimate', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { tpm: 1000, rpm: 10 };
      const first = admission(subject, limits, t0, { estimatedTokens: 100 });
      expectGranted(await limiter.admit(first));
      await limiter.complete({ ...completionOf(first), actualTokens: 1200, now: t0 + second });
      expect(await limiter.peek(subject, limits, t0 + second)).toEqual({
        requests: { limit: 10, remaining: 9, resetAt: t0 + minute },
        tokens: { limit: 1000, remaining: 0, resetAt: t0 + minute },
      });
      const now = t0 + 2 * second;
      expectRefused(
        await limiter.admit(admission(subject, limits, now, { estimatedTokens: 1 })),
        now,
        { limit: 'tpm', used: 1200, resetAt: t0 + minute, retryAfterSeconds: 58 },
      );
      expectGranted(
        await limiter.admit(admission(subject, limits, t0 + minute, { estimatedTokens: 1000 })),
      );
    });

    it('refuses a request larger than the limit itself with no reset, reserving nothing', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { tpm: 1000, rpm: 5 };
      const now = t0;
      expectRefused(
        await limiter.admit(admission(subject, limits, now, { estimatedTokens: 1001 })),
        now,
        { limit: 'tpm', used: 0, requested: 1001, resetAt: null, retryAfterSeconds: null },
      );
      expect(await limiter.peek(subject, limits, now)).toEqual({
        requests: { limit: 5, remaining: 5, resetAt: now },
        tokens: { limit: 1000, remaining: 1000, resetAt: now },
      });
    });

    it('ignores a correction that arrives after its entry left the window', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { tpm: 1000 };
      const first = admission(subject, limits, t0, { estimatedTokens: 500 });
      expectGranted(await limiter.admit(first));
      const later = t0 + minute + second;
      expect((await limiter.peek(subject, limits, later)).tokens?.remaining).toBe(1000);
      await limiter.complete({ ...completionOf(first), actualTokens: 900, now: later });
      expect((await limiter.peek(subject, limits, later)).tokens?.remaining).toBe(1000);
    });
  });
}
