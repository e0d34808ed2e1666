import type { ChartConfiguration, TooltipItem } from 'chart.js';
import type { ChartColors } from './chart-colors';

/** One set of bars: a value per label. Series sharing a `stack` are drawn on top of each other. */
export interface BarSeries {
  name: string;
  values: readonly number[];
  color: string;
  stack?: string;
}

export interface BarChartSpec {
  labels: readonly string[];
  series: readonly BarSeries[];
  /** A value on the vertical axis, as its tick reads. */
  formatTick: (value: number) => string;
  /** A bar's value in the tooltip; `index` is the label's position. */
  formatValue: (value: number, index: number, series: BarSeries) => string;
  /** Room for the widest tick label, in pixels. */
  axisWidth: number;
  /** Counts tick in whole numbers; money does not (a day may cost 0.000031). */
  wholeNumbers: boolean;
}

/**
 * The Chart.js configuration for a bar chart in the theme's colours. Drawn once, without
 * animation: the chart is a readout, and an animated first frame would only delay it.
 */
export function barChartConfig(spec: BarChartSpec, colors: ChartColors): ChartConfiguration<'bar'> {
  const stacked = spec.series.some((series) => series.stack !== undefined);
  const font = { size: 12 };
  return {
    type: 'bar',
    data: {
      labels: [...spec.labels],
      datasets: spec.series.map((series) => ({
        label: series.name,
        data: [...series.values],
        backgroundColor: series.color,
        hoverBackgroundColor: series.color,
        stack: series.stack ?? series.name,
        borderRadius: series.stack === undefined ? { topLeft: 3, topRight: 3 } : 0,
        borderSkipped: 'bottom',
        maxBarThickness: 40,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      layout: { padding: { top: 8, right: 8 } },
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: {
          display: spec.series.length > 1,
          position: 'bottom',
          labels: { color: colors.text, font, boxWidth: 12, boxHeight: 12 },
        },
        tooltip: {
          backgroundColor: colors.surface,
          borderColor: colors.grid,
          borderWidth: 1,
          titleColor: colors.text,
          bodyColor: colors.text,
          callbacks: {
            label: (item: TooltipItem<'bar'>) => {
              const series = spec.series[item.datasetIndex];
              if (!series) return '';
              return `${series.name}: ${spec.formatValue(item.parsed.y ?? 0, item.dataIndex, series)}`;
            },
          },
        },
      },
      scales: {
        x: {
          stacked,
          grid: { display: false },
          border: { color: colors.grid },
          ticks: { color: colors.text, font, maxRotation: 0, autoSkipPadding: 12 },
        },
        y: {
          stacked,
          beginAtZero: true,
          afterFit: (scale) => {
            scale.width = spec.axisWidth;
          },
          grid: { color: colors.grid },
          border: { display: false },
          ticks: {
            color: colors.text,
            font,
            ...(spec.wholeNumbers ? { precision: 0 } : {}),
            callback: (value) => spec.formatTick(Number(value)),
          },
        },
      },
    },
  };
}
