import type { ResolvedModel } from '../catalog/catalog-cache.js';
import type { CircuitSnapshot } from './circuit.js';
import type { DeploymentHealth } from './deployment-health.js';

/** One deployment's health as the management API shows it: names, never addresses or secrets. */
export interface DeploymentHealthRow extends CircuitSnapshot {
  deploymentId: number;
  model: string;
  provider: string;
  upstreamModel: string;
  priority: number;
  weight: number;
}

/**
 * The health of every enabled deployment in the catalog, as this instance sees it, ordered like
 * the catalog (by model, then priority). Circuits of deployments that left the catalog are
 * dropped on the way, so the health map never outgrows the catalog.
 */
export function describeDeploymentHealth(
  models: readonly ResolvedModel[],
  health: DeploymentHealth,
): DeploymentHealthRow[] {
  const rows: DeploymentHealthRow[] = [];
  const present = new Set<number>();
  for (const model of models) {
    for (const deployment of model.deployments) {
      present.add(deployment.id);
      rows.push({
        deploymentId: deployment.id,
        model: model.id,
        provider: deployment.providerName,
        upstreamModel: deployment.target.upstreamModel,
        priority: deployment.priority,
        weight: deployment.weight,
        ...health.snapshot(deployment.id),
      });
    }
  }
  health.retain(present);
  return rows;
}
