import type { TooltipItem } from 'chart.js';
import { describe, expect, it } from 'vitest';
import { formatMicros } from '../../format/money';
import { barChartConfig } from './bar-chart-config';
import type { ChartColors } from './chart-colors';
import { metricSpec } from './usage-chart-specs';
import { fillDays } from './usage-series';

const colors: ChartColors = {
  series: ['#111111', '#222222', '#333333', '#444444', '#555555'],
  grid: '#dddddd',
  text: '#666666',
  surface: '#ffffff',
};

const points = fillDays(
  [
    {
      bucket: '2025-03-03',
      requests: 4,
      errors: 1,
      promptTokens: 40,
      completionTokens: 9,
      cost: '0.000031',
      costMicros: 31,
    },
  ],
  '2025-03-01',
  7,
);

function tooltipLabel(
  config: ReturnType<typeof barChartConfig>,
  datasetIndex: number,
  dataIndex: number,
) {
  const label = config.options?.plugins?.tooltip?.callbacks?.label;
  if (typeof label !== 'function') throw new Error('no tooltip label callback');
  const dataset = config.data.datasets[datasetIndex];
  const item = {
    datasetIndex,
    dataIndex,
    parsed: { x: dataIndex, y: Number(dataset?.data[dataIndex] ?? 0) },
  } as unknown as TooltipItem<'bar'>;
  return label.call(undefined as never, item);
}

describe('usage chart specs', () => {
  it('draws spend as a float but reads it out in exact micro-units, with decimal ticks', () => {
    const spec = metricSpec('cost', points, colors);
    expect(spec.labels).toHaveLength(7);
    expect(spec.series.map((series) => series.values[2])).toEqual([0.000031]);
    const config = barChartConfig(spec, colors);
    expect(tooltipLabel(config, 0, 2)).toBe(`Spend: ${formatMicros(31)}`);
    expect(config.options?.scales?.y?.ticks).not.toHaveProperty('precision');
    expect(config.options?.scales?.x?.stacked).toBe(false);
  });

  it('stacks prompt on completion tokens, with whole-number ticks', () => {
    const config = barChartConfig(metricSpec('tokens', points, colors), colors);
    expect(config.data.datasets.map((dataset) => [dataset.label, dataset.stack])).toEqual([
      ['Prompt', 'tokens'],
      ['Completion', 'tokens'],
    ]);
    expect(config.options?.scales?.y?.stacked).toBe(true);
    expect(config.options?.scales?.y?.ticks).toHaveProperty('precision', 0);
    expect(tooltipLabel(config, 1, 2)).toBe('Completion: 9');
  });

  it('puts errors beside requests, not on top of them', () => {
    const config = barChartConfig(metricSpec('requests', points, colors), colors);
    const stacks = config.data.datasets.map((dataset) => dataset.stack);
    expect(new Set(stacks).size).toBe(2);
    expect(config.options?.scales?.y?.stacked).toBe(false);
    expect(config.data.datasets.map((dataset) => dataset.data[2])).toEqual([4, 1]);
    expect(config.options?.plugins?.legend?.display).toBe(true);
  });
});
