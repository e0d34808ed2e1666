import type { InFlightRequests } from './in-flight.js';
import type { SettlementQueue } from '../billing/settlement-queue.js';
import type { WalletGate } from '../billing/wallet-gate.js';
import type { CatalogCache } from '../catalog/catalog-cache.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { DeploymentHealth } from '../routing/deployment-health.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import type { LimitGate } from './limit-gate.js';

/** What the relay routes are built from; `main.ts` chooses the implementations. */
export interface RelayDependencies {
  catalog: CatalogCache;
  /** The relay requests running now; a stopping gateway waits for them to be recorded. */
  inFlight: InFlightRequests;
  upstream: UpstreamClient;
  /** Admits requests against their key's rate limits and quotas. */
  limits: LimitGate;
  /** Places the hold before an upstream call. */
  wallets: WalletGate;
  /** Settles finished requests (charge, ledger, usage record) in batches. */
  settlements: SettlementQueue;
  /** Wall-clock time in epoch milliseconds; injectable so expiry can be tested. */
  now: () => number;
  /** At most this many deployments are tried for one request. */
  maxAttempts: number;
  /** Each deployment's circuit breaker, as this instance sees it. */
  health: DeploymentHealth;
  /** This gateway's Prometheus metrics; requests are counted where their usage trace ends. */
  metrics: GatewayMetrics;
  /** The weighted-random draw among deployments of one priority; injectable so tests can seed it. */
  random?: () => number;
}
