import {
  Circuit,
  type AttemptTicket,
  type BreakerSettings,
  type CircuitSnapshot,
} from './circuit.js';

export type { AttemptTicket, BreakerSettings, CircuitSnapshot };
export type { CircuitState, FailureCategory } from './circuit.js';

/**
 * The health of every deployment this instance has called: one circuit breaker each, keyed by
 * deployment id, in memory. Health is local to each gateway instance on purpose: it is what this
 * instance saw of an upstream over the last seconds, it changes on every request, and sharing it
 * would put a round trip to Redis or the database on the hot path for little gain (each instance
 * learns within `failureThreshold` requests on its own).
 */
export class DeploymentHealth {
  private readonly circuits = new Map<number, Circuit>();

  constructor(
    private readonly settings: BreakerSettings,
    /** Epoch milliseconds; injectable so cooldowns can be tested without waiting. */
    private readonly now: () => number = Date.now,
  ) {}

  /** A ticket to try this deployment, or undefined while it cools down. */
  admit(deploymentId: number): AttemptTicket | undefined {
    return this.circuit(deploymentId).admit();
  }

  /** A ticket even while the deployment cools down: for when every deployment is cooling. */
  force(deploymentId: number): AttemptTicket {
    return this.circuit(deploymentId).force();
  }

  /** When the deployment may be tried again (epoch milliseconds; 0 when it may be now). */
  availableAt(deploymentId: number): number {
    return this.circuits.get(deploymentId)?.availableAt() ?? 0;
  }

  /** The deployment's state and recent numbers; a deployment never called is closed and idle. */
  snapshot(deploymentId: number): CircuitSnapshot {
    return this.circuit(deploymentId).snapshot();
  }

  /** Forgets deployments that are no longer in the catalog. */
  retain(deploymentIds: ReadonlySet<number>): void {
    for (const id of this.circuits.keys()) {
      if (!deploymentIds.has(id)) this.circuits.delete(id);
    }
  }

  private circuit(deploymentId: number): Circuit {
    let circuit = this.circuits.get(deploymentId);
    if (!circuit) {
      circuit = new Circuit(this.settings, this.now);
      this.circuits.set(deploymentId, circuit);
    }
    return circuit;
  }
}
