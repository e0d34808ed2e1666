import type { PageOf } from '../api/api-types';

/** Items loaded so far from a cursor-paged list, and where the next page starts. */
export interface CursorPages<Item> {
  items: Item[];
  /** null once the last page has been loaded. */
  nextCursor: string | null;
  /** How many pages are loaded; 0 before the first answer. */
  pages: number;
}

export const emptyPages: CursorPages<never> = { items: [], nextCursor: null, pages: 0 };

/**
 * Adds a page to what is loaded. A page answering an older cursor than the one expected (a
 * double click on "Load more", or a reset while loading) is ignored rather than duplicated.
 */
export function appendPage<Item>(
  state: CursorPages<Item>,
  page: PageOf<Item>,
  requestedCursor: string | null,
): CursorPages<Item> {
  if (requestedCursor === null) {
    return { items: page.data, nextCursor: page.nextCursor, pages: 1 };
  }
  if (requestedCursor !== state.nextCursor) return state;
  return {
    items: [...state.items, ...page.data],
    nextCursor: page.nextCursor,
    pages: state.pages + 1,
  };
}
