import type { ResolvedDeployment } from '../catalog/catalog-cache.js';

/**
 * Orders deployments for one request: by priority, and within a priority by weighted random
 * choice (each pick removes the chosen one), so traffic splits by weight and every deployment of
 * the top priority is tried before any of the next.
 */
export function orderDeployments(
  candidates: readonly ResolvedDeployment[],
  random: () => number = Math.random,
): ResolvedDeployment[] {
  if (candidates.length <= 1) return candidates.slice();
  // The groups below are runs of equal priority, so they need a sorted list; the catalog sorts
  // its lists already, and a stable sort of a few sorted items costs next to nothing.
  const deployments = candidates.slice().sort((left, right) => left.priority - right.priority);
  const ordered: ResolvedDeployment[] = [];
  let start = 0;
  while (start < deployments.length) {
    const priority = (deployments[start] as ResolvedDeployment).priority;
    let end = start;
    while (
      end < deployments.length &&
      (deployments[end] as ResolvedDeployment).priority === priority
    )
      end++;
    const group = deployments.slice(start, end);
    while (group.length > 0) {
      const total = group.reduce((sum, deployment) => sum + deployment.weight, 0);
      let pick = random() * total;
      let index = 0;
      while (index < group.length - 1 && pick >= (group[index] as ResolvedDeployment).weight) {
        pick -= (group[index] as ResolvedDeployment).weight;
        index++;
      }
      ordered.push(...group.splice(index, 1));
    }
    start = end;
  }
  return ordered;
}
