import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { useLayoutEffect, useRef } from 'react';
import { barChartConfig, type BarChartSpec } from './bar-chart-config';
import { useChartColors } from './chart-colors';

// Only what bar charts use, so the rest of Chart.js stays out of the bundle.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/**
 * A bar chart on a canvas, with the same numbers in a table for screen readers (a canvas has no
 * text of its own). The canvas says `data-drawn` once Chart.js has drawn it, which is what the
 * browser test and the dashboard benchmark wait for.
 */
export function BarChart({ title, spec }: { title: string; spec: BarChartSpec }) {
  const colors = useChartColors();
  const canvasRef = useRef<HTMLCanvasElement>(null);

  // Before the browser paints, so the page's first frame already holds the chart.
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const config = barChartConfig(spec, colors);
    config.plugins = [
      {
        id: 'drawn-marker',
        afterRender: () => canvas.setAttribute('data-drawn', 'true'),
      },
    ];
    const chart = new Chart(canvas, config);
    return () => chart.destroy();
  }, [spec, colors]);

  return (
    <>
      <div className="chart-frame">
        <canvas ref={canvasRef} role="img" aria-label={`${title}, bar chart`} />
      </div>
      <table className="visually-hidden" aria-label={`${title}, as a table`}>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {spec.series.map((series) => (
              <th scope="col" key={series.name}>
                {series.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {spec.labels.map((label, index) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {spec.series.map((series) => (
                <td key={series.name}>
                  {spec.formatValue(series.values[index] ?? 0, index, series)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
