import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-depth.js';

describe('nestsDeeperThan', () => {
  it('measures objects and arrays, not brackets inside strings', () => {
    expect(nestsDeeperThan('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[1,{"b":2}]}', 2)).toBe(true);
    expect(nestsDeeperThan('{"a":"[[[[[[[[[[\\"[[["}', 1)).toBe(false);
  });

  it('catches a body nested 10,000 deep', () => {
    expect(nestsDeeperThan('['.repeat(10_000) + ']'.repeat(10_000), 128)).toBe(true);
  });
});
