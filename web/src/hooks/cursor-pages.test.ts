import { describe, expect, it } from 'vitest';
import { appendPage, emptyPages } from './cursor-pages';

describe('appendPage', () => {
  it('starts over on the first page and appends the pages after it', () => {
    const first = appendPage(emptyPages, { data: [1, 2], nextCursor: 'c1' }, null);
    expect(first).toEqual({ items: [1, 2], nextCursor: 'c1', pages: 1 });
    const second = appendPage(first, { data: [3], nextCursor: null }, 'c1');
    expect(second).toEqual({ items: [1, 2, 3], nextCursor: null, pages: 2 });
  });

  it('ignores a page for a cursor that is no longer the next one (double click, reset)', () => {
    const state = { items: [1, 2, 3], nextCursor: 'c2', pages: 2 };
    expect(appendPage(state, { data: [3], nextCursor: 'c2' }, 'c1')).toBe(state);
  });
});
