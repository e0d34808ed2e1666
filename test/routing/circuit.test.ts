import { describe, expect, it } from 'vitest';
import type { AttemptTicket, BreakerSettings } from '../../src/routing/circuit.js';
import { DeploymentHealth } from '../../src/routing/deployment-health.js';

const settings: BreakerSettings = {
  failureThreshold: 3,
  errorRateThreshold: 0.5,
  minimumRequests: 10,
  windowMilliseconds: 60_000,
  cooldownMilliseconds: 1_000,
  maxCooldownMilliseconds: 8_000,
};

/** A breaker on a clock the test moves by hand. */
function breaker(overrides: Partial<BreakerSettings> = {}) {
  const clock = { now: 1_000_000 };
  const health = new DeploymentHealth({ ...settings, ...overrides }, () => clock.now);
  return { health, clock };
}

function admitted(health: DeploymentHealth, id = 1): AttemptTicket {
  const ticket = health.admit(id);
  if (!ticket) throw new Error(`deployment ${id} was not admitted`);
  return ticket;
}

function failTimes(health: DeploymentHealth, count: number, id = 1): void {
  for (let index = 0; index < count; index++) admitted(health, id).fail('server_error');
}

describe('circuit breaker: opening', () => {
  it('stays closed below the consecutive-failure threshold, and a success resets the count', () => {
    const { health } = breaker();
    failTimes(health, 2);
    admitted(health).succeed();
    failTimes(health, 2);
    expect(health.snapshot(1)).toMatchObject({ state: 'closed', consecutiveFailures: 2 });
    expect(health.admit(1)).toBeDefined();
  });

  it('opens after failureThreshold failures in a row and skips the deployment while cooling', () => {
    const { health, clock } = breaker();
    failTimes(health, 3);
    const snapshot = health.snapshot(1);
    expect(snapshot).toMatchObject({
      state: 'open',
      consecutiveFailures: 3,
      cooldownUntil: clock.now + 1_000,
      lastError: { category: 'server_error', at: clock.now },
    });
    expect(health.admit(1)).toBeUndefined();
    expect(health.availableAt(1)).toBe(clock.now + 1_000);
    // Other deployments are not affected.
    expect(health.admit(2)).toBeDefined();
  });

  it('opens on the error rate once the window holds minimumRequests, without a failure streak', () => {
    const { health } = breaker({ failureThreshold: 100 });
    // Alternate: never two failures in a row, half of them failed.
    for (let index = 0; index < 9; index++) {
      if (index % 2 === 0) admitted(health).fail('timeout');
      else admitted(health).succeed();
    }
    expect(health.snapshot(1).state).toBe('closed');
    admitted(health).fail('timeout');
    expect(health.snapshot(1)).toMatchObject({ state: 'open', requests: 10, errorRate: 0.6 });
  });

  it('forgets outcomes older than the window for the error rate', () => {
    const { health, clock } = breaker({ failureThreshold: 100, windowMilliseconds: 10_000 });
    failTimes(health, 9);
    clock.now += 11_000;
    admitted(health).fail('timeout');
    expect(health.snapshot(1)).toMatchObject({ state: 'closed', requests: 1, errorRate: 1 });
  });

  it('does not count a client-caused refusal as a failure (it is a sign of life)', () => {
    const { health } = breaker();
    failTimes(health, 2);
    admitted(health).succeed({ countLatency: false });
    failTimes(health, 2);
    expect(health.snapshot(1).state).toBe('closed');
  });
});

describe('circuit breaker: cooldown, half-open probe and recovery', () => {
  it('lets exactly one probe through after the cooldown; its success closes the circuit', () => {
    const { health, clock } = breaker();
    failTimes(health, 3);
    clock.now += 999;
    expect(health.admit(1)).toBeUndefined();
    clock.now += 1;
    const probe = admitted(health);
    expect(probe.probe).toBe(true);
    expect(health.snapshot(1).state).toBe('half-open');
    // While the probe is out, everyone else still skips the deployment.
    expect(health.admit(1)).toBeUndefined();
    probe.succeed();
    expect(health.snapshot(1)).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(admitted(health).probe).toBe(false);
  });

  it('re-opens a failed probe for twice as long, up to maxCooldownMilliseconds', () => {
    const { health, clock } = breaker();
    failTimes(health, 3);
    const cooldowns: number[] = [];
    for (let round = 0; round < 5; round++) {
      const until = health.snapshot(1).cooldownUntil as number;
      cooldowns.push(until - clock.now);
      clock.now = until;
      admitted(health).fail('connect_error');
    }
    expect(cooldowns).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
  });

  it('starts again at the first cooldown once the circuit stayed closed for a maximum cooldown', () => {
    const { health, clock } = breaker();
    failTimes(health, 3);
    clock.now += 1_000;
    admitted(health).fail('timeout'); // 2 s now
    clock.now += 2_000;
    admitted(health).succeed();
    // Soon after: a flapping deployment keeps its longer cooldown.
    failTimes(health, 3);
    expect((health.snapshot(1).cooldownUntil as number) - clock.now).toBe(4_000);
    clock.now += 4_000;
    admitted(health).succeed();
    clock.now += 8_000;
    failTimes(health, 3);
    expect((health.snapshot(1).cooldownUntil as number) - clock.now).toBe(1_000);
  });

  it('waits at least as long as an upstream asked in Retry-After, within the maximum', () => {
    const { health, clock } = breaker();
    failTimes(health, 2);
    admitted(health).fail('rate_limited', 5_000);
    expect((health.snapshot(1).cooldownUntil as number) - clock.now).toBe(5_000);
    clock.now += 5_000;
    admitted(health).fail('rate_limited', 60_000);
    expect((health.snapshot(1).cooldownUntil as number) - clock.now).toBe(8_000);
  });

  it('gives the probe slot back when a probe ends without a verdict', () => {
    const { health, clock } = breaker();
    failTimes(health, 3);
    clock.now += 1_000;
    admitted(health).release();
    const second = admitted(health);
    expect(second.probe).toBe(true);
    second.succeed();
    expect(health.snapshot(1).state).toBe('closed');
  });

  it('takes a probe that never reported as lost after the maximum cooldown', () => {
    const { health, clock } = breaker();
    failTimes(health, 3);
    clock.now += 1_000;
    admitted(health); // never settled
    clock.now += 7_999;
    expect(health.admit(1)).toBeUndefined();
    clock.now += 1;
    expect(admitted(health).probe).toBe(true);
  });

  it('counts only the first verdict of a ticket', () => {
    const { health } = breaker();
    const ticket = admitted(health);
    ticket.fail('timeout');
    ticket.fail('timeout');
    ticket.succeed();
    expect(health.snapshot(1)).toMatchObject({ requests: 1, consecutiveFailures: 1 });
  });

  it('forces a ticket while cooling; a forced success closes the circuit', () => {
    const { health } = breaker();
    failTimes(health, 3);
    expect(health.admit(1)).toBeUndefined();
    const forced = health.force(1);
    expect(forced.probe).toBe(true);
    forced.succeed();
    expect(health.snapshot(1).state).toBe('closed');
  });

  it('a late success of a request admitted before the circuit opened does not close it', () => {
    const { health } = breaker();
    const early = admitted(health);
    failTimes(health, 3);
    early.succeed();
    expect(health.snapshot(1).state).toBe('open');
  });
});

describe('circuit breaker: numbers for the health report', () => {
  it('reports the median and the moving average of time to first byte of successes', () => {
    const { health } = breaker();
    for (const latency of [100, 300, 200, 1_000]) {
      const ticket = admitted(health);
      ticket.firstByteMilliseconds = latency;
      ticket.succeed();
    }
    admitted(health).fail('timeout');
    const snapshot = health.snapshot(1);
    expect(snapshot.latencyP50Milliseconds).toBe(250);
    // 100 → 140 → 152 → 321.6 with a weight of 0.2 for each new sample.
    expect(snapshot.latencyEwmaMilliseconds).toBeCloseTo(321.6, 5);
    expect(snapshot).toMatchObject({ requests: 5, errorRate: 0.2 });
  });

  it('reports an idle deployment as closed with no numbers', () => {
    const { health } = breaker();
    expect(health.snapshot(42)).toEqual({
      state: 'closed',
      requests: 0,
      errorRate: null,
      latencyP50Milliseconds: null,
      latencyEwmaMilliseconds: null,
      cooldownUntil: null,
      consecutiveFailures: 0,
      lastError: null,
    });
  });

  it('keeps memory flat: the window is a fixed ring', () => {
    const { health } = breaker({ failureThreshold: 10_000, errorRateThreshold: 1 });
    for (let index = 0; index < 1_000; index++) admitted(health).succeed();
    expect(health.snapshot(1).requests).toBe(100);
  });

  it('forgets deployments that left the catalog', () => {
    const { health } = breaker();
    failTimes(health, 3, 7);
    health.retain(new Set([1]));
    expect(health.snapshot(7).state).toBe('closed');
  });
});
