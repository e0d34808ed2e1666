import { Badge } from '../../../components/badge';
import { formatRelative } from '../../../format/dates';
import { formatDuration } from '../../../format/numbers';
import {
  failureLabel,
  formatCountdown,
  formatErrorRate,
  type DeploymentRow,
} from '../deployment-rows';

/** The circuit breaker's state in words an operator reads at a glance. */
export function StateBadge({ row }: { row: DeploymentRow }) {
  if (!row.deployment.enabled) return <Badge tone="neutral">disabled</Badge>;
  const state = row.health?.state;
  // The breaker's own words, as in the API and the logs; the tone says whether that is good.
  if (state === 'open') return <Badge tone="error">open</Badge>;
  if (state === 'half-open') return <Badge tone="warning">half-open</Badge>;
  if (state === 'closed') return <Badge tone="success">closed</Badge>;
  // Enabled but not in the report yet: the catalog poll has not reached the router.
  return <Badge tone="neutral">no data</Badge>;
}

/** When an open circuit lets its next probe through, counting down. */
export function CooldownCell({ row, now }: { row: DeploymentRow; now: number }) {
  const until = row.health?.cooldownUntil ?? null;
  if (until === null) return null;
  const left = formatCountdown(until, now);
  return (
    <span className="small" title={new Date(until).toLocaleString()}>
      {left === null ? 'probe due' : `probe in ${left}`}
    </span>
  );
}

/** Error rate with the number of requests it is based on. */
export function ErrorRateCell({ row }: { row: DeploymentRow }) {
  const health = row.health;
  if (!health) return <span className="muted">—</span>;
  return (
    <span className="admin-cell-stack">
      <span className="number">{formatErrorRate(health.errorRate)}</span>
      <span className="muted small">
        {health.requests} req
        {health.consecutiveFailures > 0 ? ` · ${health.consecutiveFailures} failed in a row` : ''}
      </span>
    </span>
  );
}

/** Median time to response headers of successful requests. */
export function LatencyCell({ row }: { row: DeploymentRow }) {
  const p50 = row.health?.latency.p50Milliseconds ?? null;
  return p50 === null ? (
    <span className="muted">—</span>
  ) : (
    <span className="number">{formatDuration(Math.round(p50))}</span>
  );
}

/** The last failure's category and when it happened. */
export function LastErrorCell({ row, now }: { row: DeploymentRow; now: number }) {
  const last = row.health?.lastError ?? null;
  if (last === null) return <span className="muted">none</span>;
  return (
    <span className="admin-cell-stack">
      <span className="small">{failureLabel(last.category)}</span>
      <span className="muted small">{formatRelative(last.at, now)}</span>
    </span>
  );
}
