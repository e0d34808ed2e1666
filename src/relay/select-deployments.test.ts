import { describe, expect, it } from 'vitest';
import type { ResolvedDeployment } from '../catalog/catalog-cache.js';
import type { ProviderAdapter } from '../providers/contract.js';
import { orderDeployments } from './select-deployments.js';

/** mulberry32: a small seeded PRNG, so every run draws the same numbers. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Ordering never touches the adapter.
const adapter = {} as ProviderAdapter;

function deployment(id: number, priority: number, weight = 1): ResolvedDeployment {
  return {
    id,
    providerName: `provider-${id}`,
    priority,
    weight,
    timeouts: { connectMilliseconds: 1, firstByteMilliseconds: 1, idleMilliseconds: 1 },
    target: {
      origin: 'http://127.0.0.1',
      basePath: '',
      apiKey: null,
      upstreamModel: `model-${id}`,
      streamUsage: true,
      extraHeaders: {},
    },
    adapter,
  };
}

const ids = (deployments: readonly ResolvedDeployment[]) => deployments.map((item) => item.id);

describe('orderDeployments', () => {
  it('handles no deployment and a single one, returning a new array', () => {
    expect(orderDeployments([])).toEqual([]);
    const only = [deployment(1, 0)];
    const ordered = orderDeployments(only);
    expect(ordered).toEqual(only);
    expect(ordered).not.toBe(only);
  });

  it('returns every deployment exactly once and leaves the input alone', () => {
    const input = [deployment(1, 0, 2), deployment(2, 0, 5), deployment(3, 1), deployment(4, 1)];
    const before = ids(input);
    const random = seededRandom(7);
    for (let round = 0; round < 200; round++) {
      const ordered = orderDeployments(input, random);
      expect(ids(ordered).sort()).toEqual([1, 2, 3, 4]);
    }
    expect(ids(input)).toEqual(before);
  });

  it('exhausts each priority group before the next, lowest number first', () => {
    const input = [
      deployment(1, 0, 1),
      deployment(2, 0, 9),
      deployment(3, 0, 3),
      deployment(4, 5, 4),
      deployment(5, 5, 1),
      deployment(6, 9, 1),
    ];
    const random = seededRandom(42);
    const seenFirst = new Set<number>();
    for (let round = 0; round < 500; round++) {
      const ordered = orderDeployments(input, random);
      expect(ordered.map((item) => item.priority)).toEqual([0, 0, 0, 5, 5, 9]);
      seenFirst.add(ordered[0]?.id as number);
    }
    // Within the top group every deployment gets its turn at the front.
    expect([...seenFirst].sort()).toEqual([1, 2, 3]);
  });

  it('groups by priority even when the list is not sorted', () => {
    const input = [deployment(1, 2), deployment(2, 0), deployment(3, 1), deployment(4, 0)];
    const random = seededRandom(3);
    for (let round = 0; round < 100; round++) {
      const ordered = orderDeployments(input, random);
      expect(ordered.map((item) => item.priority)).toEqual([0, 0, 1, 2]);
    }
  });

  it('picks the first deployment in proportion to its weight', () => {
    const input = [deployment(1, 0, 1), deployment(2, 0, 3), deployment(3, 0, 6)];
    const random = seededRandom(20_240_601);
    const picks = 10_000;
    const counts = new Map<number, number>();
    for (let round = 0; round < picks; round++) {
      const first = orderDeployments(input, random)[0]?.id as number;
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    for (const [id, share] of [
      [1, 0.1],
      [2, 0.3],
      [3, 0.6],
    ] as const) {
      expect(Math.abs((counts.get(id) ?? 0) / picks - share)).toBeLessThanOrEqual(0.03);
    }
  });

  it('picks the rest by weight among what remains', () => {
    // After the heavy one (weight 8) goes first, the others split 1:1.
    const input = [deployment(1, 0, 8), deployment(2, 0, 1), deployment(3, 0, 1)];
    const random = seededRandom(99);
    let heavyFirst = 0;
    let twoSecond = 0;
    for (let round = 0; round < 10_000; round++) {
      const ordered = ids(orderDeployments(input, random));
      if (ordered[0] !== 1) continue;
      heavyFirst++;
      if (ordered[1] === 2) twoSecond++;
    }
    expect(Math.abs(heavyFirst / 10_000 - 0.8)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(twoSecond / heavyFirst - 0.5)).toBeLessThanOrEqual(0.03);
  });

  it('maps the ends of the random range onto the first and last weight slots', () => {
    const input = [deployment(1, 0, 1), deployment(2, 0, 1), deployment(3, 0, 1)];
    expect(ids(orderDeployments(input, () => 0))).toEqual([1, 2, 3]);
    expect(ids(orderDeployments(input, () => 0.999_999))).toEqual([3, 2, 1]);
  });

  it('gives the same order for the same random sequence', () => {
    const input = [deployment(1, 0, 2), deployment(2, 0, 2), deployment(3, 0, 2)];
    const first = ids(orderDeployments(input, seededRandom(5)));
    expect(ids(orderDeployments(input, seededRandom(5)))).toEqual(first);
  });
});
