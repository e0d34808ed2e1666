import type { UsageRecorder } from '../billing/usage-recorder.js';
import type { CatalogCache } from '../catalog/catalog-cache.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';

/** What the relay routes are built from; `main.ts` chooses the implementations. */
export interface RelayDependencies {
  catalog: CatalogCache;
  upstream: UpstreamClient;
  usage: UsageRecorder;
  /** Wall-clock time in epoch milliseconds; injectable so expiry can be tested. */
  now: () => number;
  /** At most this many deployments are tried for one request. */
  maxAttempts: number;
}
