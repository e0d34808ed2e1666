import { useMemo } from 'react';
import { useTheme } from '../../theme/theme';

export interface ChartColors {
  series: readonly string[];
  grid: string;
  text: string;
  surface: string;
}

function token(styles: CSSStyleDeclaration, name: string): string {
  return styles.getPropertyValue(name).trim();
}

/**
 * A canvas cannot use CSS custom properties, so the charts read the theme's colour tokens
 * once per theme and passes them as plain values.
 */
export function useChartColors(): ChartColors {
  const { theme } = useTheme();
  return useMemo(() => {
    void theme;
    const styles = getComputedStyle(document.documentElement);
    return {
      series: ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5'].map((name) =>
        token(styles, name),
      ),
      grid: token(styles, '--color-border'),
      text: token(styles, '--color-text-muted'),
      surface: token(styles, '--color-surface'),
    };
  }, [theme]);
}
