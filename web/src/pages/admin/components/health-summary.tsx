import type { DeploymentRow } from '../deployment-rows';

interface HealthSummaryProps {
  rows: readonly DeploymentRow[];
  checkedAt: number | null;
}

/** How many routes are healthy, cooling down, probing or off: the page's answer at a glance. */
export function HealthSummary({ rows, checkedAt }: HealthSummaryProps) {
  const count = (test: (row: DeploymentRow) => boolean) => rows.filter(test).length;
  const enabled = (row: DeploymentRow) => row.deployment.enabled;
  const stats = [
    {
      label: 'Healthy (closed)',
      value: count((row) => enabled(row) && row.health?.state === 'closed'),
    },
    {
      label: 'Cooling down (open)',
      value: count((row) => enabled(row) && row.health?.state === 'open'),
    },
    {
      label: 'Probing (half-open)',
      value: count((row) => enabled(row) && row.health?.state === 'half-open'),
    },
    { label: 'Disabled', value: count((row) => !enabled(row)) },
  ];
  return (
    <section className="stat-grid admin-stat-grid" aria-label="Deployment health summary">
      {stats.map((stat) => (
        <div className="stat" key={stat.label}>
          <p className="stat-label">{stat.label}</p>
          <p className="stat-value">{stat.value}</p>
        </div>
      ))}
      <p className="muted small admin-checked" aria-live="off">
        {checkedAt === null
          ? 'Checking health…'
          : `Health as of ${new Date(checkedAt).toLocaleTimeString()}`}
      </p>
    </section>
  );
}
