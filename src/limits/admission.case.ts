import { describe, expect, it } from 'vitest';
import type { AdmitResult, LimitSet } from './contract.js';
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

/** Concurrency slots, all-or-nothing reservations, unlimited keys, idempotence and races. */
export function admissionCases(fixture: LimiterFixture): void {
  describe('maxConcurrency', () => {
    it('refuses past the slots in flight and admits again when one completes', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { maxConcurrency: 2 };
      const first = admission(subject, limits, t0);
      expectGranted(await limiter.admit(first));
      expectGranted(await limiter.admit(admission(subject, limits, t0)));
      const now = t0 + second;
      expectRefused(await limiter.admit(admission(subject, limits, now)), now, {
        limit: 'maxConcurrency',
        limitValue: 2,
        used: 2,
        requested: 1,
        resetAt: now + 1000,
        retryAfterSeconds: 1,
      });
      await limiter.complete(completionOf(first));
      expectGranted(await limiter.admit(admission(subject, limits, now)));
      expectRefused(await limiter.admit(admission(subject, limits, now)), now, { used: 2 });
    });

    it('frees the slots of requests never completed once they expire', async () => {
      const limiter = await fixture.open({ slotTtlMs: minute });
      const subject = newSubject();
      const limits = { maxConcurrency: 2 };
      expectGranted(await limiter.admit(admission(subject, limits, t0)));
      expectGranted(await limiter.admit(admission(subject, limits, t0 + second)));
      const almost = t0 + minute - 1;
      expectRefused(await limiter.admit(admission(subject, limits, almost)), almost, { used: 2 });
      expectGranted(await limiter.admit(admission(subject, limits, t0 + minute)));
      expectRefused(await limiter.admit(admission(subject, limits, t0 + minute)), t0 + minute, {
        used: 2,
      });
    });

    it('completes idempotently: a second completion frees and corrects nothing more', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { maxConcurrency: 2, tpm: 1000, dailySpend: 1000 };
      const first = admission(subject, limits, t0, { estimatedTokens: 500, estimatedSpend: 500 });
      expectGranted(await limiter.admit(first));
      expectGranted(await limiter.admit(admission(subject, limits, t0)));
      const done = { ...completionOf(first), actualTokens: 100, actualSpend: 100 };
      await limiter.complete(done);
      await limiter.complete({ ...done, actualTokens: 0, actualSpend: 0 });
      await limiter.complete({ ...done, requestId: 'never-admitted' });
      expect((await limiter.peek(subject, limits, t0)).tokens?.remaining).toBe(900);
      expectGranted(await limiter.admit(admission(subject, limits, t0, { estimatedSpend: 900 })));
      expectRefused(await limiter.admit(admission(subject, limits, t0)), t0, {
        limit: 'maxConcurrency',
        used: 2,
      });
    });
  });

  describe('admission as a whole', () => {
    it('reserves nothing in any limit when one of them refuses', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits: LimitSet = {
        rpm: 1,
        tpm: 1000,
        rpd: 2,
        dailySpend: 100,
        tokenQuota: 1000,
        maxConcurrency: 2,
      };
      const half = { estimatedTokens: 500, estimatedSpend: 50 };
      expectGranted(await limiter.admit(admission(subject, limits, t0, half)));
      // Everything but rpm has room for exactly one more such request.
      const now = t0 + second;
      expectRefused(await limiter.admit(admission(subject, limits, now, half)), now, {
        limit: 'rpm',
      });
      const raised = { ...limits, rpm: 10 };
      expectGranted(await limiter.admit(admission(subject, raised, now, half)));
      // Now every limit is exactly full; rpd resets last, so it is the one named.
      expectRefused(await limiter.admit(admission(subject, raised, now)), now, { limit: 'rpd' });
    });

    it('names the limit with the latest reset when several refuse', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits: LimitSet = { rpm: 1, rpd: 1, maxConcurrency: 1 };
      expectGranted(await limiter.admit(admission(subject, limits, t0)));
      const now = t0 + 30 * second;
      expectRefused(await limiter.admit(admission(subject, limits, now)), now, {
        limit: 'rpd',
        resetAt: Date.UTC(2026, 10, 27),
      });
      const quota = newSubject();
      const withQuota: LimitSet = { rpm: 1, tokenQuota: 10 };
      expectGranted(await limiter.admit(admission(quota, withQuota, t0, { estimatedTokens: 10 })));
      const more = admission(quota, withQuota, t0, { estimatedTokens: 1 });
      expectRefused(await limiter.admit(more), t0, {
        limit: 'tokenQuota',
        resetAt: null,
      });
    });

    it('never refuses for an absent limit and keeps no window for it', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const unlimited: LimitSet[] = [{}, { tokenQuotaPeriod: 'month' }];
      for (const limits of unlimited) {
        for (let index = 0; index < 300; index += 1) {
          const big = { estimatedTokens: 1e12, estimatedSpend: 1e12 };
          const granted = expectGranted(await limiter.admit(admission(subject, limits, t0, big)));
          expect(granted).toEqual({ admitted: true });
        }
        expect(await limiter.peek(subject, limits, t0)).toEqual({});
      }
      // Only the limits that are set count: rpm set, tpm absent.
      const result = await limiter.admit(
        admission(subject, { rpm: 1 }, t0, { estimatedTokens: 1e12 }),
      );
      expect(result).toEqual({
        admitted: true,
        requests: { limit: 1, remaining: 0, resetAt: t0 + minute },
      });
    });

    it('treats a limit of 0 as admitting nothing, with no reset', async () => {
      const limiter = await fixture.open();
      for (const limit of ['rpm', 'rpd', 'maxConcurrency'] as const) {
        expectRefused(await limiter.admit(admission(newSubject(), { [limit]: 0 }, t0)), t0, {
          limit,
          resetAt: null,
        });
      }
    });

    it('admits a request id once: a retried admit reserves nothing twice', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { rpm: 2, maxConcurrency: 5 };
      const once = admission(subject, limits, t0);
      expectGranted(await limiter.admit(once));
      const again = expectGranted(await limiter.admit({ ...once, now: t0 + second }));
      expect(again.requests?.remaining).toBe(1);
      expectGranted(await limiter.admit(admission(subject, limits, t0 + second)));
      expectRefused(await limiter.admit(admission(subject, limits, t0 + second)), t0 + second, {
        limit: 'rpm',
        used: 2,
      });
    });

    it('rejects estimates and limits no counter can hold', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      await expect(
        limiter.admit(admission(subject, { rpm: 1 }, t0, { estimatedTokens: -1 })),
      ).rejects.toThrow(RangeError);
      await expect(limiter.admit(admission(subject, { tpm: 1.5 }, t0))).rejects.toThrow(RangeError);
      expectGranted(await limiter.admit(admission(subject, { rpm: 1 }, t0)));
    });
  });

  describe('under concurrent load', () => {
    it('admits exactly rpm of 200 parallel requests', async () => {
      const limiter = await fixture.open();
      const subject = newSubject();
      const limits = { rpm: 30 };
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          limiter.admit(admission(subject, limits, t0 + (index % 7))),
        ),
      );
      expectExactly(results, 30, 'rpm');
    });

    it('admits exactly as many as fit in tpm and in maxConcurrency', async () => {
      const limiter = await fixture.open();
      const tokens = newSubject();
      const tokenResults = await Promise.all(
        Array.from({ length: 200 }, () =>
          limiter.admit(admission(tokens, { tpm: 1000 }, t0, { estimatedTokens: 10 })),
        ),
      );
      expectExactly(tokenResults, 100, 'tpm');
      const slots = newSubject();
      const slotResults = await Promise.all(
        Array.from({ length: 50 }, () =>
          limiter.admit(admission(slots, { maxConcurrency: 5 }, t0)),
        ),
      );
      expectExactly(slotResults, 5, 'maxConcurrency');
    });

    // Only where two limiters share state (two gateway instances on one Redis).
    if (!fixture.sharedState) return;
    it('admits exactly rpm across two limiter instances hammered at once', async () => {
      const first = await fixture.open();
      const peer = await fixture.open();
      const subject = newSubject();
      const limits = { rpm: 30 };
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, index) =>
          (index % 2 === 0 ? first : peer).admit(admission(subject, limits, t0)),
        ),
      );
      expectExactly(results, 30, 'rpm');
      expect((await peer.peek(subject, limits, t0)).requests?.remaining).toBe(0);
    });
  });
}

function expectExactly(results: AdmitResult[], admitted: number, limit: string): void {
  expect(results.filter((result) => result.admitted)).toHaveLength(admitted);
  const refusals = results.filter((result) => !result.admitted);
  expect(new Set(refusals.map((result) => (result.admitted ? '' : result.limit)))).toEqual(
    new Set([limit]),
  );
}
