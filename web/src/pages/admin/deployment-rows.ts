import type { Deployment, Model } from '../../api/api-types';
import type { DeploymentHealth } from './admin-types';

/** A deployment as the page lists it: its settings, and its health when the router has any. */
export interface DeploymentRow {
  deployment: Deployment;
  /** Absent for disabled deployments: the router keeps no breaker for them. */
  health: DeploymentHealth | undefined;
}

/**
 * Joins the catalog (every deployment, enabled or not) with the health report (enabled ones
 * only), ordered as the router tries them: by model, then priority, then weight (heaviest first).
 */
export function deploymentRows(
  models: readonly Model[],
  health: readonly DeploymentHealth[],
): DeploymentRow[] {
  const byId = new Map(health.map((row) => [row.deploymentId, row]));
  return models
    .flatMap((model) => model.deployments ?? [])
    .map((deployment) => ({ deployment, health: byId.get(deployment.id) }))
    .sort(
      (a, b) =>
        a.deployment.modelId.localeCompare(b.deployment.modelId) ||
        a.deployment.priority - b.deployment.priority ||
        b.deployment.weight - a.deployment.weight ||
        a.deployment.id - b.deployment.id,
    );
}

/** "42 s", "3 min 05 s", "1 h 02 min" until `untilIso`; null once it has passed. */
export function formatCountdown(untilIso: string, now: number): string | null {
  const remaining = Date.parse(untilIso) - now;
  if (Number.isNaN(remaining) || remaining <= 0) return null;
  const seconds = Math.ceil(remaining / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** An error share as a percentage with one decimal below 10 %: 0.034 → "3.4 %". */
export function formatErrorRate(rate: number | null): string {
  if (rate === null) return '—';
  const percent = rate * 100;
  return `${percent < 10 && percent > 0 ? percent.toFixed(1) : Math.round(percent)} %`;
}

const categoryLabels: Readonly<Record<string, string>> = {
  connect_error: 'could not connect',
  timeout: 'timed out',
  rate_limited: 'rate limited upstream',
  server_error: 'upstream server error',
  rejected: 'rejected by upstream',
  malformed_output: 'malformed answer',
  stream_error: 'stream broke off',
};

/** A failure category as words. */
export function failureLabel(category: string): string {
  return categoryLabels[category] ?? category.replace(/_/g, ' ');
}
