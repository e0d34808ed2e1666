import { formatMicros } from '../../format/money';
import { formatCount, formatTokens } from '../../format/numbers';
import type { BarChartSpec } from './bar-chart-config';
import type { ChartColors } from './chart-colors';
import type { DayPoint } from './usage-series';

export type ChartMetric = 'cost' | 'tokens' | 'requests';

export const chartTitles: Record<ChartMetric, string> = {
  cost: 'Spend per day',
  tokens: 'Tokens per day',
  requests: 'Requests per day',
};

/** What each chart draws: spend alone; prompt and completion tokens stacked; requests beside errors. */
export function metricSpec(
  metric: ChartMetric,
  points: readonly DayPoint[],
  colors: ChartColors,
): BarChartSpec {
  const [first = '', second = '', third = '', fourth = third] = colors.series;
  const labels = points.map((point) => point.label);
  const values = (pick: (point: DayPoint) => number) => points.map(pick);
  if (metric === 'cost') {
    return {
      labels,
      series: [{ name: 'Spend', values: values((point) => point.cost), color: first }],
      axisWidth: 76,
      wholeNumbers: false,
      formatTick: (value) => formatMicros(Math.round(value * 1_000_000)),
      // Exact micro-units for the readout; the float is only for drawing.
      formatValue: (_value, index) => formatMicros(points[index]?.costMicros ?? 0),
    };
  }
  if (metric === 'tokens') {
    return {
      labels,
      series: [
        {
          name: 'Prompt',
          values: values((point) => point.promptTokens),
          color: first,
          stack: 'tokens',
        },
        {
          name: 'Completion',
          values: values((point) => point.completionTokens),
          color: second,
          stack: 'tokens',
        },
      ],
      axisWidth: 48,
      wholeNumbers: true,
      formatTick: formatTokens,
      formatValue: (value) => formatCount(value),
    };
  }
  return {
    labels,
    series: [
      { name: 'Requests', values: values((point) => point.requests), color: third },
      { name: 'Errors', values: values((point) => point.errors), color: fourth },
    ],
    axisWidth: 48,
    wholeNumbers: true,
    formatTick: formatTokens,
    formatValue: (value) => formatCount(value),
  };
}
