import { describe, expect, it } from 'vitest';
import { fillDays } from './usage-series';

describe('fillDays', () => {
  it('gives every day of the window a point, zero where the API had no row', () => {
    const points = fillDays(
      [
        {
          bucket: '2025-03-02',
          requests: 3,
          errors: 1,
          promptTokens: 30,
          completionTokens: 12,
          cost: '0.000250',
          costMicros: 250,
        },
      ],
      '2025-03-01',
      3,
    );
    expect(points.map((point) => point.day)).toEqual(['2025-03-01', '2025-03-02', '2025-03-03']);
    expect(points.map((point) => point.requests)).toEqual([0, 3, 0]);
    expect(points[1]).toMatchObject({ label: 'Mar 2', costMicros: 250, cost: 0.00025 });
  });
});
