import { useCallback, useEffect, useState } from 'react';

export interface Resource<Data> {
  data: Data | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (after a change), keeping the old data on screen meanwhile. */
  reload: () => void;
}

/**
 * Loads data for a page. `load` runs again whenever `dependencies` change; an answer that
 * arrives after a newer load started is dropped, so a slow response never overwrites a fresh one.
 */
export function useResource<Data>(
  load: () => Promise<Data>,
  dependencies: readonly unknown[],
): Resource<Data> {
  const [data, setData] = useState<Data | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(null);
    load().then(
      (result) => {
        if (!current) return;
        setData(result);
        setLoading(false);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(failure);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
    // The caller lists what `load` depends on, like useEffect's own list.
  }, [...dependencies, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { data, error, loading, reload };
}
