import type { SecretBox } from '../auth/secret-box.js';
import type { SettingsReport } from '../config/settings-report.js';
import type { UpstreamSender } from '../upstream/connection-test.js';
import type { Store } from '../store/contract.js';
import type { DeploymentHealthRow } from '../routing/health-report.js';
import type { LoginThrottle } from './login-throttle.js';

/** What the management API is built from; `main.ts` chooses the implementations. */
export interface ManageDependencies {
  store: Store;
  /**
   * The relay's key and catalog cache. It is refreshed after every change to keys, models or
   * providers, so this instance applies the change at once (other instances within their poll).
   */
  catalog: { refresh(): Promise<void> };
  /** Seals provider secrets at rest. */
  secrets: SecretBox;
  /** `SWITCHYARD_ADMIN_TOKEN`; undefined disables bearer-token access. */
  adminToken: string | undefined;
  loginThrottle: LoginThrottle;
  /** Wall-clock time in epoch milliseconds; injectable for tests of expiry. */
  now: () => number;
  /** This instance's view of every deployment's health; absent, the health route lists none. */
  deploymentHealth?: () => DeploymentHealthRow[];
  /** The relay's upstream client, for testing a provider's connection. */
  upstream: UpstreamSender;
  /** The effective configuration, secrets withheld. */
  settings: SettingsReport;
}
