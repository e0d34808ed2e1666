import { useCallback, useEffect, useRef, useState } from 'react';
import type { PageOf } from '../api/api-types';
import { appendPage, emptyPages, type CursorPages } from './cursor-pages';

export interface CursorList<Item> extends CursorPages<Item> {
  loading: boolean;
  error: unknown;
  /** Loads the page after the last one loaded. */
  loadMore: () => void;
  /** Starts again from the first page. */
  reload: () => void;
}

/**
 * A list read page by page with the API's `nextCursor`. Changing `dependencies` (filters) starts
 * again from the first page.
 */
export function useCursorPages<Item>(
  loadPage: (cursor: string | null) => Promise<PageOf<Item>>,
  dependencies: readonly unknown[],
): CursorList<Item> {
  const [state, setState] = useState<CursorPages<Item>>(emptyPages);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  // Answers from a previous filter set are dropped by comparing generations.
  const activeGeneration = useRef(0);
  const loadRef = useRef(loadPage);
  loadRef.current = loadPage;

  const fetchPage = useCallback((cursor: string | null, forGeneration: number) => {
    setLoading(true);
    setError(null);
    loadRef.current(cursor).then(
      (page) => {
        if (activeGeneration.current !== forGeneration) return;
        setState((previous) => appendPage(previous, page, cursor));
        setLoading(false);
      },
      (failure: unknown) => {
        if (activeGeneration.current !== forGeneration) return;
        setError(failure);
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    activeGeneration.current += 1;
    setState(emptyPages);
    fetchPage(null, activeGeneration.current);
    // The caller lists what `loadPage` depends on, like useEffect's own list.
  }, [...dependencies, generation, fetchPage]);

  const loadMore = useCallback(() => {
    if (state.nextCursor !== null && !loading) {
      fetchPage(state.nextCursor, activeGeneration.current);
    }
  }, [state.nextCursor, loading, fetchPage]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, loading, error, loadMore, reload };
}
