import { startTransition, useEffect, useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatMicros } from '../../format/money';
import { formatCount, formatTokens } from '../../format/numbers';
import { useChartColors, type ChartColors } from './chart-colors';
import type { DayPoint } from './usage-series';

type ChartMetric = 'cost' | 'tokens' | 'requests';

const titles: Record<ChartMetric, string> = {
  cost: 'Spend per day',
  tokens: 'Tokens per day',
  requests: 'Requests per day',
};

function tooltipStyle(colors: ChartColors) {
  return {
    contentStyle: {
      background: colors.surface,
      border: `1px solid ${colors.grid}`,
      borderRadius: 6,
      color: colors.text,
    },
    cursor: { fill: colors.grid, opacity: 0.4 },
  };
}

function MetricChart({ metric, points }: { metric: ChartMetric; points: readonly DayPoint[] }) {
  const colors = useChartColors();
  const axis = { stroke: colors.text, fontSize: 12, tickLine: false };
  const [first = '', second = '', third = ''] = colors.series;
  return (
    <figure className="card chart-card" aria-label={titles[metric]}>
      <figcaption>
        <h3>{titles[metric]}</h3>
      </figcaption>
      <div className="chart-frame">
        <ResponsiveContainer
          width="100%"
          height="100%"
          initialDimension={{ width: 320, height: 240 }}
        >
          <BarChart data={[...points]} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid vertical={false} stroke={colors.grid} />
            <XAxis dataKey="label" {...axis} minTickGap={12} />
            <YAxis
              {...axis}
              width={metric === 'cost' ? 76 : 48}
              allowDecimals={metric === 'cost'}
              tickFormatter={(value: number) =>
                metric === 'cost'
                  ? formatMicros(Math.round(value * 1_000_000))
                  : formatTokens(value)
              }
            />
            <Tooltip
              {...tooltipStyle(colors)}
              formatter={(value, name, item) => {
                const point = item.payload as DayPoint;
                if (metric === 'cost') return [formatMicros(point.costMicros), 'Spend'];
                return [formatCount(Number(value)), String(name)];
              }}
            />
            {metric === 'cost' ? (
              <Bar
                isAnimationActive={false}
                dataKey="cost"
                name="Spend"
                fill={first}
                radius={[3, 3, 0, 0]}
              />
            ) : null}
            {metric === 'tokens' ? (
              <>
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Bar
                  isAnimationActive={false}
                  dataKey="promptTokens"
                  name="Prompt"
                  stackId="tokens"
                  fill={first}
                />
                <Bar
                  isAnimationActive={false}
                  dataKey="completionTokens"
                  name="Completion"
                  stackId="tokens"
                  fill={second}
                />
              </>
            ) : null}
            {metric === 'requests' ? (
              <>
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Bar
                  isAnimationActive={false}
                  dataKey="requests"
                  name="Requests"
                  fill={third}
                  radius={[3, 3, 0, 0]}
                />
                <Bar
                  isAnimationActive={false}
                  dataKey="errors"
                  name="Errors"
                  fill={colors.series[3] ?? third}
                  radius={[3, 3, 0, 0]}
                />
              </>
            ) : null}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/**
 * Spend, tokens and requests per day as bar charts. Each chart costs tens of milliseconds to
 * render, so spend is painted first and the other two follow a frame later, in a transition:
 * the page shows its first chart sooner, and stays responsive while the rest draw.
 */
export function UsageCharts({ points }: { points: readonly DayPoint[] }) {
  const [showAll, setShowAll] = useState(false);
  useEffect(() => {
    const frame = requestAnimationFrame(() => startTransition(() => setShowAll(true)));
    return () => cancelAnimationFrame(frame);
  }, []);
  return (
    <section className="chart-grid" aria-label="Usage charts">
      <MetricChart metric="cost" points={points} />
      {showAll ? (
        <>
          <MetricChart metric="tokens" points={points} />
          <MetricChart metric="requests" points={points} />
        </>
      ) : (
        <>
          <div className="card chart-card" aria-hidden="true">
            <div className="chart-frame" />
          </div>
          <div className="card chart-card" aria-hidden="true">
            <div className="chart-frame" />
          </div>
        </>
      )}
    </section>
  );
}
