import { describe, expect, it } from 'vitest';
import type { LimitSet } from './contract.js';
import {
  admission,
  completionOf,
  expectGranted,
  expectRefused,
  newSubject,
  t0,
  type LimiterFixture,
} from './limiter-fixture.case.js';

const hour = 3_600_000;
/** Midnight UTC after t0. */
const nextMidnight = Date.UTC(2026, 10, 27);

/** rpd, dailySpend and tokenQuota: fixed days and months, their boundaries and corrections. */
export function periodCases(fixture: LimiterFixture): void {
  describe('rpd and dailySpend (UTC days unless offset)', () => {
    it('refuses the request past rpd until UTC midnight, then admits again', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { rpd: 2 };
      expectGranted(await limiter.admit(admission(subject, limits, t0)));
      expectGranted(await limiter.admit(admission(subject, limits, t0 + hour)));
      const late = nextMidnight - 500;
      expectRefused(await limiter.admit(admission(subject, limits, late)), late, {
        limit: 'rpd',
        limitValue: 2,
        used: 2,
        requested: 1,
        resetAt: nextMidnight,
        retryAfterSeconds: 1,
      });
      expectRefused(await limiter.admit(admission(subject, limits, t0)), t0, {
        resetAt: nextMidnight,
        retryAfterSeconds: 14 * 3600,
      });
      expectGranted(await limiter.admit(admission(subject, limits, nextMidnight)));
      expectGranted(await limiter.admit(admission(subject, limits, nextMidnight + hour)));
      const after = nextMidnight + hour;
      expectRefused(await limiter.admit(admission(subject, limits, after)), after, {
        resetAt: nextMidnight + 24 * hour,
      });
    });

    it('starts the day at midnight of UTC+offset (480: 16:00 UTC)', async () => {
      const limiter = await fixture.open({ dayOffsetMinutes: 480 });
      const subject = newSubject();
      const limits = { rpd: 1 };
      const boundary = Date.UTC(2026, 10, 26, 16);
      expectGranted(await limiter.admit(admission(subject, limits, boundary - hour)));
      const before = boundary - 1;
      expectRefused(await limiter.admit(admission(subject, limits, before)), before, {
        limit: 'rpd',
        resetAt: boundary,
        retryAfterSeconds: 1,
      });
      expectGranted(await limiter.admit(admission(subject, limits, boundary)));
      const evening = Date.UTC(2026, 10, 26, 23);
      expectRefused(await limiter.admit(admission(subject, limits, evening)), evening, {
        resetAt: boundary + 24 * hour,
        retryAfterSeconds: 17 * 3600,
      });
    });

    it('starts the day at midnight of UTC-offset too (-300: 05:00 UTC)', async () => {
      const limiter = await fixture.open({ dayOffsetMinutes: -300 });
      const subject = newSubject();
      const limits = { rpd: 1 };
      const boundary = Date.UTC(2026, 10, 27, 5);
      expectGranted(await limiter.admit(admission(subject, limits, Date.UTC(2026, 10, 27, 1))));
      expectRefused(await limiter.admit(admission(subject, limits, t0)), t0, {
        resetAt: boundary,
      });
      expectGranted(await limiter.admit(admission(subject, limits, boundary)));
    });

    it('reserves the estimated spend and corrects it to the real cost, down or up', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { dailySpend: 1_000_000 };
      const spend = (estimatedSpend: number, now = t0) =>
        admission(subject, limits, now, { estimatedSpend });

      const first = spend(600_000);
      expectGranted(await limiter.admit(first));
      expectRefused(await limiter.admit(spend(500_000)), t0, {
        limit: 'dailySpend',
        limitValue: 1_000_000,
        used: 600_000,
        requested: 500_000,
        resetAt: nextMidnight,
      });
      // The hold was 600,000, the real cost 300,000: the difference is free again.
      await limiter.complete({ ...completionOf(first), actualSpend: 300_000 });
      const second = spend(500_000);
      expectGranted(await limiter.admit(second));
      // The real cost is above its hold: the day's spend reaches the limit exactly.
      await limiter.complete({ ...completionOf(second), actualSpend: 700_000 });
      expectRefused(await limiter.admit(spend(1)), t0, { used: 1_000_000 });
      expectGranted(await limiter.admit(spend(0)));
      expectGranted(await limiter.admit(spend(1_000_000, nextMidnight)));
    });

    it('refuses a hold above the daily limit itself with no reset', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { dailySpend: 1_000, rpd: 5 };
      const over = admission(subject, limits, t0, { estimatedSpend: 1_001 });
      expectRefused(await limiter.admit(over), t0, {
        limit: 'dailySpend',
        resetAt: null,
        retryAfterSeconds: null,
      });
      for (let index = 0; index < 5; index += 1) {
        expectGranted(await limiter.admit(admission(subject, limits, t0, { estimatedSpend: 200 })));
      }
    });

    it('applies a late correction to the day the request was admitted in, not the next', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { dailySpend: 1_000 };
      const late = admission(subject, limits, nextMidnight - 1, { estimatedSpend: 100 });
      expectGranted(await limiter.admit(late));
      expectGranted(
        await limiter.admit(admission(subject, limits, nextMidnight, { estimatedSpend: 1_000 })),
      );
      await limiter.complete({ ...completionOf(late), actualSpend: 0, now: nextMidnight + 1 });
      expectRefused(
        await limiter.admit(admission(subject, limits, nextMidnight + 2, { estimatedSpend: 1 })),
        nextMidnight + 2,
        { limit: 'dailySpend', used: 1_000 },
      );
    });
  });

  describe('tokenQuota', () => {
    it('counts tokens for the key’s life: corrected, never reset', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits: LimitSet = { tokenQuota: 1_000 };
      const tokens = (estimatedTokens: number, now = t0) =>
        admission(subject, limits, now, { estimatedTokens });
      const first = tokens(600);
      expectGranted(await limiter.admit(first));
      const second = tokens(400);
      expectGranted(await limiter.admit(second));
      await limiter.complete({ ...completionOf(second), actualTokens: 100 });
      expectRefused(await limiter.admit(tokens(301)), t0, {
        limit: 'tokenQuota',
        limitValue: 1_000,
        used: 700,
        requested: 301,
        resetAt: null,
        retryAfterSeconds: null,
      });
      const third = tokens(300);
      expectGranted(await limiter.admit(third));
      await limiter.complete({ ...completionOf(third), actualTokens: 350 });
      const nextYear = t0 + 365 * 24 * hour;
      expectRefused(await limiter.admit(tokens(0, nextYear)), nextYear, {
        used: 1_050,
        resetAt: null,
      });
    });

    it('counts tokens per calendar month when asked, resetting on the 1st', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits: LimitSet = { tokenQuota: 1_000, tokenQuotaPeriod: 'month' };
      const first = admission(subject, limits, t0, { estimatedTokens: 900 });
      expectGranted(await limiter.admit(first));
      const december = Date.UTC(2026, 11, 1);
      expectRefused(
        await limiter.admit(admission(subject, limits, t0, { estimatedTokens: 200 })),
        t0,
        { limit: 'tokenQuota', used: 900, resetAt: december },
      );
      await limiter.complete({ ...completionOf(first), actualTokens: 800 });
      expectGranted(await limiter.admit(admission(subject, limits, t0, { estimatedTokens: 200 })));
      expectGranted(
        await limiter.admit(admission(subject, limits, december, { estimatedTokens: 1_000 })),
      );
      expectRefused(
        await limiter.admit(admission(subject, limits, december, { estimatedTokens: 1_001 })),
        december,
        { resetAt: null },
      );
    });

    it('starts the month at the same offset as the day', async () => {
      const limiter = await fixture.open({ dayOffsetMinutes: 480 });
      const subject = newSubject();
      const limits: LimitSet = { tokenQuota: 10, tokenQuotaPeriod: 'month' };
      const boundary = Date.UTC(2026, 10, 30, 16);
      const before = boundary - 1;
      const use = (now: number) => admission(subject, limits, now, { estimatedTokens: 10 });
      expectGranted(await limiter.admit(use(before)));
      expectRefused(await limiter.admit(use(before)), before, {
        resetAt: boundary,
        retryAfterSeconds: 1,
      });
      expectGranted(await limiter.admit(use(boundary)));
    });

    it('seeds a lost counter once and never overwrites a live one', async () => {
      const limiter = await fixture.open();
      const lifetime = newSubject();
      const limits: LimitSet = { tokenQuota: 1_000 };
      expect(await limiter.seedTokenQuota(lifetime, limits, 990, t0)).toBe(true);
      expect(await limiter.seedTokenQuota(lifetime, limits, 0, t0)).toBe(false);
      expectRefused(
        await limiter.admit(admission(lifetime, limits, t0, { estimatedTokens: 11 })),
        t0,
        { used: 990 },
      );
      expect(await limiter.seedTokenQuota(newSubject(), {}, 5, t0)).toBe(false);

      const monthly = newSubject();
      const perMonth: LimitSet = { tokenQuota: 100, tokenQuotaPeriod: 'month' };
      expectGranted(await limiter.admit(admission(monthly, perMonth, t0, { estimatedTokens: 10 })));
      expect(await limiter.seedTokenQuota(monthly, perMonth, 50, t0)).toBe(false);
      const december = Date.UTC(2026, 11, 2);
      expect(await limiter.seedTokenQuota(monthly, perMonth, 95, december)).toBe(true);
      expectRefused(
        await limiter.admit(admission(monthly, perMonth, december, { estimatedTokens: 6 })),
        december,
        { used: 95, resetAt: Date.UTC(2027, 0, 1) },
      );
    });
  });
}
