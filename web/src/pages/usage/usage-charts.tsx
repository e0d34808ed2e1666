import { useMemo } from 'react';
import { BarChart } from './bar-chart';
import { useChartColors } from './chart-colors';
import { chartTitles, metricSpec, type ChartMetric } from './usage-chart-specs';
import type { DayPoint } from './usage-series';

function MetricChart({ metric, points }: { metric: ChartMetric; points: readonly DayPoint[] }) {
  const colors = useChartColors();
  const spec = useMemo(() => metricSpec(metric, points, colors), [metric, points, colors]);
  return (
    <figure className="card chart-card" aria-label={chartTitles[metric]}>
      <figcaption>
        <h3>{chartTitles[metric]}</h3>
      </figcaption>
      <BarChart title={chartTitles[metric]} spec={spec} />
    </figure>
  );
}

/** Spend, tokens and requests per day, as bar charts. */
export function UsageCharts({ points }: { points: readonly DayPoint[] }) {
  return (
    <section className="chart-grid" aria-label="Usage charts">
      <MetricChart metric="cost" points={points} />
      <MetricChart metric="tokens" points={points} />
      <MetricChart metric="requests" points={points} />
    </section>
  );
}
