/** Where a deployment's circuit breaker stands. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Why an attempt counted against a deployment. Only the category is kept: upstream messages can
 * name hosts or echo keys, and the health report must never show either.
 */
export type FailureCategory =
  /** Connection refused, reset or broken, before or during the answer. */
  | 'connect_error'
  /** No connection, first byte or next chunk within the deployment's timeouts. */
  | 'timeout'
  /** HTTP 429. */
  | 'rate_limited'
  /** HTTP 5xx. */
  | 'server_error'
  /** 401, 403, 404 and other statuses no client caused, or a 400 the adapter flagged as the upstream's fault. */
  | 'rejected'
  /** A body or stream the adapter could not read. */
  | 'malformed_output'
  /** A stream the upstream ended with an error event. */
  | 'stream_error';

/** The breaker's knobs; `routing` in the configuration. */
export interface BreakerSettings {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** Share of failed requests (0–1) within the window that opens the circuit… */
  errorRateThreshold: number;
  /** …once the window holds at least this many requests. */
  minimumRequests: number;
  /** How far back the error rate and the latency percentile look. */
  windowMilliseconds: number;
  /** The first cooldown; each re-opening without a healthy spell in between doubles it. */
  cooldownMilliseconds: number;
  /** The longest cooldown, and how long a circuit must stay closed to start again at the first. */
  maxCooldownMilliseconds: number;
}

/** Most outcomes remembered per deployment, whatever the window: memory stays flat. */
const minimumCapacity = 100;
/** Weight of the newest sample in the latency average. */
const latencySmoothing = 0.2;

/** One deployment's health at a moment, for the management API. */
export interface CircuitSnapshot {
  state: CircuitState;
  /** Requests with a verdict within the window. */
  requests: number;
  /** Failed share of them; null without any. */
  errorRate: number | null;
  /** Median time to the response headers of successful requests within the window. */
  latencyP50Milliseconds: number | null;
  /** Exponentially weighted average of the same. */
  latencyEwmaMilliseconds: number | null;
  /** When an open circuit lets a probe through (epoch milliseconds); null unless open. */
  cooldownUntil: number | null;
  consecutiveFailures: number;
  lastError: { category: FailureCategory; at: number } | null;
}

/**
 * One attempt on one deployment, admitted by its circuit. Exactly one verdict counts (later ones
 * are ignored): `succeed`, `fail`, or `release` when the attempt ended without telling anything
 * about the upstream (the client went away first).
 */
export class AttemptTicket {
  /** Time to the response headers, set by the relay when they arrive. */
  firstByteMilliseconds: number | undefined;
  private settled = false;

  constructor(
    private readonly circuit: Circuit,
    /** Whether success closes the circuit and failure re-opens it (the half-open probe). */
    readonly probe: boolean,
    /** Whether this attempt holds the circuit's single probe slot. */
    readonly holdsProbeSlot: boolean,
  ) {}

  /** The upstream served the request (or rightly refused a bad one: it is alive). */
  succeed(options: { countLatency?: boolean } = {}): void {
    if (this.settle()) {
      this.circuit.recordSuccess(
        this,
        options.countLatency === false ? undefined : this.firstByteMilliseconds,
      );
    }
  }

  /** The upstream failed; `retryAfterMilliseconds` is its own idea of when to come back. */
  fail(category: FailureCategory, retryAfterMilliseconds?: number): void {
    if (this.settle()) this.circuit.recordFailure(this, category, retryAfterMilliseconds);
  }

  /** No verdict: frees the probe slot so the next request may probe. */
  release(): void {
    if (this.settle()) this.circuit.releaseProbe(this);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }
}

/**
 * The circuit breaker of one deployment. Closed, every request passes. After
 * `failureThreshold` failures in a row, or an error rate over the threshold with enough
 * requests, it opens for a cooldown; once that ends, one request at a time probes (half-open).
 * A probe that succeeds closes it; one that fails opens it again for twice as long, up to the
 * maximum. Recent outcomes sit in a fixed ring, so the state costs the same however busy it is.
 */
export class Circuit {
  private state: CircuitState = 'closed';
  private consecutiveFailures = 0;
  /** Openings in a row without a healthy spell in between; sets the next cooldown. */
  private trips = 0;
  private openUntil = 0;
  private closedAt = Number.NEGATIVE_INFINITY;
  private probeSlotTakenAt: number | undefined;
  private lastError: { category: FailureCategory; at: number } | undefined;
  private latencyEwma: number | undefined;
  private readonly capacity: number;
  private readonly times: Float64Array;
  private readonly failed: Uint8Array;
  /** Time to first byte of each success; NaN for failures and for successes without one. */
  private readonly latencies: Float64Array;
  private next = 0;
  private size = 0;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number,
  ) {
    this.capacity = Math.max(minimumCapacity, settings.minimumRequests);
    this.times = new Float64Array(this.capacity);
    this.failed = new Uint8Array(this.capacity);
    this.latencies = new Float64Array(this.capacity);
  }

  /**
   * A ticket for an attempt, or undefined while the circuit is cooling down (open, or half-open
   * with its probe still out). A probe slot not given back within the longest cooldown is taken
   * as lost, so a bug elsewhere can never shut a deployment out for good.
   */
  admit(): AttemptTicket | undefined {
    if (this.state === 'closed') return new AttemptTicket(this, false, false);
    const now = this.now();
    if (this.state === 'open') {
      if (now < this.openUntil) return undefined;
      this.state = 'half-open';
    }
    if (
      this.probeSlotTakenAt !== undefined &&
      now - this.probeSlotTakenAt < this.settings.maxCooldownMilliseconds
    ) {
      return undefined;
    }
    this.probeSlotTakenAt = now;
    return new AttemptTicket(this, true, true);
  }

  /** A ticket whatever the state: the relay's last resort when every deployment is cooling. */
  force(): AttemptTicket {
    return this.admit() ?? new AttemptTicket(this, true, false);
  }

  /** When this deployment may be tried again: now when closed or probing, else its cooldown end. */
  availableAt(): number {
    return this.state === 'open' ? this.openUntil : 0;
  }

  /** Called by a ticket's `succeed`; `latency` is its time to first byte, if it counts. */
  recordSuccess(ticket: AttemptTicket, latency: number | undefined): void {
    const now = this.now();
    this.remember(now, false, latency);
    if (latency !== undefined) {
      this.latencyEwma =
        this.latencyEwma === undefined
          ? latency
          : this.latencyEwma + latencySmoothing * (latency - this.latencyEwma);
    }
    this.consecutiveFailures = 0;
    if (ticket.holdsProbeSlot) this.probeSlotTakenAt = undefined;
    // Only a probe closes the circuit: a request let through before it opened proves less.
    if (ticket.probe && this.state !== 'closed') {
      this.state = 'closed';
      this.closedAt = now;
      this.probeSlotTakenAt = undefined;
    }
  }

  /** Called by a ticket's `fail`: may open the circuit, or re-open it after a failed probe. */
  recordFailure(
    ticket: AttemptTicket,
    category: FailureCategory,
    retryAfterMilliseconds: number | undefined,
  ): void {
    const now = this.now();
    this.remember(now, true, undefined);
    this.lastError = { category, at: now };
    this.consecutiveFailures++;
    if (ticket.holdsProbeSlot) this.probeSlotTakenAt = undefined;
    if (this.state === 'closed') {
      if (
        this.consecutiveFailures >= this.settings.failureThreshold ||
        this.errorRateExceeded(now)
      ) {
        // A circuit that stayed healthy for a whole maximum cooldown starts over at the first.
        if (now - this.closedAt >= this.settings.maxCooldownMilliseconds) this.trips = 0;
        this.open(now, retryAfterMilliseconds);
      }
    } else if (ticket.probe) {
      this.open(now, retryAfterMilliseconds);
    }
  }

  /** Called by a ticket's `release`: gives the probe slot back if the ticket held it. */
  releaseProbe(ticket: AttemptTicket): void {
    if (ticket.holdsProbeSlot) this.probeSlotTakenAt = undefined;
  }

  /** The state and recent numbers, for the health report. */
  snapshot(): CircuitSnapshot {
    const now = this.now();
    const since = now - this.settings.windowMilliseconds;
    let requests = 0;
    let failures = 0;
    const latencies: number[] = [];
    this.forEachSince(since, (failed, latency) => {
      requests++;
      if (failed) failures++;
      else if (!Number.isNaN(latency)) latencies.push(latency);
    });
    latencies.sort((left, right) => left - right);
    const open = this.state === 'open' && now < this.openUntil;
    return {
      state: this.state === 'open' && !open ? 'half-open' : this.state,
      requests,
      errorRate: requests === 0 ? null : failures / requests,
      latencyP50Milliseconds: latencies.length === 0 ? null : median(latencies),
      latencyEwmaMilliseconds: this.latencyEwma ?? null,
      cooldownUntil: open ? this.openUntil : null,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError ?? null,
    };
  }

  private open(now: number, retryAfterMilliseconds: number | undefined): void {
    const { cooldownMilliseconds, maxCooldownMilliseconds } = this.settings;
    const doubled = cooldownMilliseconds * 2 ** Math.min(this.trips, 30);
    // An upstream that said when to come back is not asked sooner, within the maximum.
    const cooldown = Math.min(
      maxCooldownMilliseconds,
      Math.max(doubled, retryAfterMilliseconds ?? 0),
    );
    this.trips++;
    this.state = 'open';
    this.openUntil = now + cooldown;
    this.probeSlotTakenAt = undefined;
  }

  /** The error-rate rule, over the window since the circuit last closed. */
  private errorRateExceeded(now: number): boolean {
    const since = Math.max(now - this.settings.windowMilliseconds, this.closedAt);
    let requests = 0;
    let failures = 0;
    this.forEachSince(since, (failed) => {
      requests++;
      if (failed) failures++;
    });
    return (
      requests >= this.settings.minimumRequests &&
      failures / requests >= this.settings.errorRateThreshold
    );
  }

  private remember(at: number, failed: boolean, latency: number | undefined): void {
    this.times[this.next] = at;
    this.failed[this.next] = failed ? 1 : 0;
    this.latencies[this.next] = latency ?? Number.NaN;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  private forEachSince(since: number, visit: (failed: boolean, latency: number) => void): void {
    for (let offset = 1; offset <= this.size; offset++) {
      const index = (this.next - offset + this.capacity) % this.capacity;
      // Newest first: the first one too old ends the walk.
      if ((this.times[index] as number) < since) return;
      visit(this.failed[index] === 1, this.latencies[index] as number);
    }
  }
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
