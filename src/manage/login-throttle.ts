import { GatewayError } from '../errors/gateway-error.js';

/**
 * Limits on password guessing. They are kept in this process's memory, so with several gateway
 * instances behind a load balancer each instance counts on its own (a guesser gets up to N times
 * the attempts); moving the counters to Redis is the planned fix.
 */
export interface LoginThrottleOptions {
  /** Failed sign-ins for one username before it is locked. */
  maxFailuresPerUsername: number;
  /** Failed sign-ins from one client address before it is locked (offices share addresses). */
  maxFailuresPerAddress: number;
  /** The first lock; each further failure doubles it. */
  baseLockMilliseconds: number;
  maxLockMilliseconds: number;
  /** A counter with no failure for this long starts again from zero. */
  forgetAfterMilliseconds: number;
  /** Memory bound: past it the oldest counters are dropped. */
  maxEntries: number;
}

export const defaultLoginThrottleOptions: LoginThrottleOptions = {
  maxFailuresPerUsername: 5,
  maxFailuresPerAddress: 20,
  baseLockMilliseconds: 30_000,
  maxLockMilliseconds: 15 * 60_000,
  forgetAfterMilliseconds: 60 * 60_000,
  maxEntries: 10_000,
};

interface Counter {
  failures: number;
  lockedUntil: number;
  lastAt: number;
}

/** One sign-in attempt in progress; counted as a failure unless it is reported as a success. */
export interface LoginAttempt {
  usernameKey: string;
  addressKey: string;
}

/** Counts failed sign-ins per username and per client address, and locks for a growing window. */
export class LoginThrottle {
  private readonly counters = new Map<string, Counter>();
  private readonly options: LoginThrottleOptions;

  constructor(
    options: Partial<LoginThrottleOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...defaultLoginThrottleOptions, ...options };
  }

  /**
   * Call before checking the password; throws `too_many_login_attempts` while either counter is
   * locked. The attempt counts as a failure at once, so a burst of parallel guesses cannot all
   * slip in before the first of them is known to have failed.
   */
  begin(username: string, address: string): LoginAttempt {
    const attempt = {
      usernameKey: `user:${username.trim().toLowerCase()}`,
      addressKey: `address:${address}`,
    };
    const now = this.now();
    for (const [key, what] of [
      [attempt.usernameKey, 'this username'],
      [attempt.addressKey, 'your address'],
    ] as const) {
      const counter = this.current(key, now);
      if (counter && counter.lockedUntil > now) {
        const seconds = Math.ceil((counter.lockedUntil - now) / 1000);
        throw new GatewayError(
          'too_many_login_attempts',
          `Too many failed sign-ins for ${what}. Try again in ${seconds} second${seconds === 1 ? '' : 's'} (at ${new Date(counter.lockedUntil).toISOString()}).`,
          { headers: { 'retry-after': String(seconds) } },
        );
      }
    }
    this.fail(attempt.usernameKey, this.options.maxFailuresPerUsername, now);
    this.fail(attempt.addressKey, this.options.maxFailuresPerAddress, now);
    return attempt;
  }

  /** The password was right: the username starts afresh and the address gets its attempt back. */
  succeeded(attempt: LoginAttempt): void {
    this.counters.delete(attempt.usernameKey);
    const address = this.counters.get(attempt.addressKey);
    if (!address) return;
    address.failures = Math.max(0, address.failures - 1);
    if (address.failures < this.options.maxFailuresPerAddress) address.lockedUntil = 0;
  }

  private current(key: string, now: number): Counter | undefined {
    const counter = this.counters.get(key);
    if (counter && now - counter.lastAt > this.options.forgetAfterMilliseconds) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }

  private fail(key: string, limit: number, now: number): void {
    let counter = this.current(key, now);
    if (!counter) {
      this.makeRoom(now);
      counter = { failures: 0, lockedUntil: 0, lastAt: now };
      this.counters.set(key, counter);
    }
    counter.failures += 1;
    counter.lastAt = now;
    if (counter.failures >= limit) {
      const doublings = Math.min(counter.failures - limit, 30);
      const lock = Math.min(
        this.options.baseLockMilliseconds * 2 ** doublings,
        this.options.maxLockMilliseconds,
      );
      counter.lockedUntil = now + lock;
    }
  }

  private makeRoom(now: number): void {
    if (this.counters.size < this.options.maxEntries) return;
    for (const [key, counter] of this.counters) {
      if (now - counter.lastAt > this.options.forgetAfterMilliseconds) this.counters.delete(key);
    }
    // Still full: drop the oldest, which a Map keeps first in insertion order.
    while (this.counters.size >= this.options.maxEntries) {
      const oldest = this.counters.keys().next();
      if (oldest.done === true) break;
      this.counters.delete(oldest.value);
    }
  }
}
