import { describe, expect, it } from 'vitest';
import { limiterContractSuite } from '../common.case.js';
import { admission, completionOf, minute, t0 } from '../limiter-fixture.case.js';
import { MemoryLimiter } from './memory-limiter.js';

limiterContractSuite('memory', async (options) => new MemoryLimiter(options));

describe('MemoryLimiter memory', () => {
  it('drops subjects whose windows are empty, keeping only lifetime quota counters', async () => {
    const limiter = new MemoryLimiter();
    for (let index = 0; index < 1000; index += 1) {
      const limits = index % 2 === 0 ? { rpm: 5, rpd: 10 } : { tpm: 5, tokenQuota: 100 };
      const request = admission(`subject-${index}`, limits, t0, { estimatedTokens: 1 });
      await limiter.admit(request);
      await limiter.complete(completionOf(request));
    }
    expect(limiter.stats()).toEqual({ subjects: 1000, lifetimeCounters: 500 });

    // The next day every window and day counter is over; each call sweeps two subjects.
    const tomorrow = Date.UTC(2026, 10, 27) + minute;
    for (let index = 0; index < 600; index += 1) {
      await limiter.peek('someone-else', { rpm: 1 }, tomorrow);
    }
    expect(limiter.stats()).toEqual({ subjects: 0, lifetimeCounters: 500 });
    await limiter.close();
  });

  it('keeps a subject while a reservation can still be completed', async () => {
    const limiter = new MemoryLimiter({ slotTtlMs: minute, reservationTtlMs: 10 * minute });
    const pending = admission('pending', { maxConcurrency: 1 }, t0);
    await limiter.admit(pending);
    for (let index = 0; index < 10; index += 1) await limiter.peek('x', {}, t0 + 5 * minute);
    expect(limiter.stats().subjects).toBe(1);
    for (let index = 0; index < 10; index += 1) await limiter.peek('x', {}, t0 + 10 * minute);
    expect(limiter.stats().subjects).toBe(0);
    await limiter.close();
  });

  it('rejects options that cannot work', () => {
    expect(() => new MemoryLimiter({ dayOffsetMinutes: 1440 })).toThrow(RangeError);
    expect(() => new MemoryLimiter({ dayOffsetMinutes: 0.5 })).toThrow(RangeError);
    expect(() => new MemoryLimiter({ slotTtlMs: 0 })).toThrow(RangeError);
  });
});
