import { describe, expect, it } from 'vitest';
import { newRequestId } from './request-id.js';

describe('newRequestId', () => {
  it('is req_ and 32 hex digits, the first 12 the time in milliseconds', () => {
    const id = newRequestId(Date.UTC(2026, 10, 26, 12, 0, 0));
    expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(Number.parseInt(id.slice(4, 16), 16)).toBe(Date.UTC(2026, 10, 26, 12, 0, 0));
  });

  it('sorts by time, and never repeats', () => {
    const earlier = Array.from({ length: 1_000 }, () => newRequestId(1_700_000_000_000));
    const later = Array.from({ length: 1_000 }, () => newRequestId(1_700_000_000_001));
    for (const id of earlier) expect(id < (later[0] ?? '')).toBe(true);
    expect(new Set([...earlier, ...later]).size).toBe(2_000);
  });

  it('keeps 80 random bits: every random digit takes many values', () => {
    const ids = Array.from({ length: 2_000 }, () => newRequestId(0));
    for (let position = 16; position < 36; position += 1) {
      expect(new Set(ids.map((id) => id[position])).size).toBe(16);
    }
  });
});
