import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/gateway-error.js';
import { LoginThrottle } from './login-throttle.js';

function refusal(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected the attempt to be refused');
}

describe('LoginThrottle', () => {
  it('locks a username after 5 failures, says when to retry, and doubles the lock', () => {
    let now = 0;
    const throttle = new LoginThrottle({}, () => now);
    for (let attempt = 0; attempt < 5; attempt++) throttle.begin('alice', `10.0.0.${attempt}`);
    const error = refusal(() => throttle.begin('alice', '10.0.0.99'));
    expect(error.code).toBe('too_many_login_attempts');
    expect(error.status).toBe(429);
    expect(error.headers['retry-after']).toBe('30');
    expect(error.message).toContain('Try again in 30 seconds');
    // Case and spaces do not make a new username.
    refusal(() => throttle.begin(' ALICE ', '10.0.0.100'));
    now += 30_000;
    throttle.begin('alice', '10.0.0.5');
    expect(refusal(() => throttle.begin('alice', '10.0.0.6')).headers['retry-after']).toBe('60');
  });

  it('locks a client address after 20 failures, whatever the usernames', () => {
    const throttle = new LoginThrottle({}, () => 0);
    for (let attempt = 0; attempt < 20; attempt++) throttle.begin(`user-${attempt}`, '10.0.0.1');
    expect(refusal(() => throttle.begin('someone-new', '10.0.0.1')).message).toContain(
      'your address',
    );
    throttle.begin('someone-new', '10.0.0.2');
  });

  it('counts an attempt before its password is checked, so parallel guesses are stopped', () => {
    const throttle = new LoginThrottle({ maxFailuresPerUsername: 3 }, () => 0);
    const started = [0, 1, 2].map(() => throttle.begin('bob', '10.0.0.1'));
    expect(started).toHaveLength(3);
    refusal(() => throttle.begin('bob', '10.0.0.1'));
  });

  it('forgets the username’s failures after a success, and gives the address its attempt back', () => {
    const throttle = new LoginThrottle({ maxFailuresPerUsername: 3, maxFailuresPerAddress: 3 });
    throttle.begin('carol', '10.0.0.1');
    throttle.begin('carol', '10.0.0.1');
    throttle.succeeded(throttle.begin('carol', '10.0.0.1'));
    throttle.begin('carol', '10.0.0.2');
    throttle.begin('carol', '10.0.0.2');
    throttle.begin('dave', '10.0.0.1');
  });

  it('starts a counter afresh after a quiet hour', () => {
    let now = 0;
    const throttle = new LoginThrottle({ maxFailuresPerUsername: 2 }, () => now);
    throttle.begin('erin', 'a');
    now += 60 * 60_000 + 1;
    throttle.begin('erin', 'b');
    throttle.begin('erin', 'c');
    refusal(() => throttle.begin('erin', 'd'));
  });

  it('keeps its memory bounded', () => {
    const throttle = new LoginThrottle({ maxEntries: 10 }, () => 0);
    for (let index = 0; index < 100; index++) throttle.begin(`user-${index}`, `address-${index}`);
    expect((throttle as unknown as { counters: Map<string, unknown> }).counters.size).toBe(10);
  });
});
