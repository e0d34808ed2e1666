import { useEffect, useState } from 'react';
import type { PageComponent, PageModuleLoader } from './page-descriptor';

/*
 * Pages load as their own chunks, but not through React.lazy: a lazy component suspends, and
 * React 19 holds back revealing suspended content for up to 300 ms to batch reveals, which alone
 * would spend the dashboard's whole budget for showing a page. Here a page renders only once its
 * module is in, with no Suspense in between, and the chunk of the page being opened starts
 * downloading at once, beside the session check, instead of after it.
 */
const loaded = new Map<PageModuleLoader, PageComponent>();
const pending = new Map<PageModuleLoader, Promise<PageComponent>>();

/** Starts (or joins) loading a page's chunk. */
export function loadPage(load: PageModuleLoader): Promise<PageComponent> {
  const known = pending.get(load);
  if (known) return known;
  const loading = load().then(
    (module) => {
      loaded.set(load, module.default);
      return module.default;
    },
    (error: unknown) => {
      // A failed download (a deploy replaced the chunks, say) may be retried by the next visit.
      pending.delete(load);
      throw error;
    },
  );
  pending.set(load, loading);
  return loading;
}

/** The page's component once its chunk is in; undefined while loading, or after a failure. */
export function usePageComponent(load: PageModuleLoader | undefined): {
  component: PageComponent | undefined;
  failed: boolean;
} {
  const [, setVersion] = useState(0);
  const [failedLoader, setFailedLoader] = useState<PageModuleLoader | undefined>(undefined);
  const component = load === undefined ? undefined : loaded.get(load);
  useEffect(() => {
    if (load === undefined || loaded.has(load)) return;
    let current = true;
    loadPage(load).then(
      () => {
        if (current) setVersion((version) => version + 1);
      },
      () => {
        if (current) setFailedLoader(() => load);
      },
    );
    return () => {
      current = false;
    };
  }, [load]);
  return { component, failed: load !== undefined && failedLoader === load };
}

/*
 * How long after the first page opens the others start loading. Loading them means parsing
 * and running every page's code on the main thread, which must not compete with drawing the
 * page that was asked for; a click before then loads its page on demand, as without prefetch.
 */
const prefetchDelayMilliseconds = 2_000;

/** Loads every page's chunk once the first page has settled, so later navigation is instant. */
export function prefetchPages(loaders: readonly PageModuleLoader[]): void {
  const start = () => {
    for (const load of loaders) loadPage(load).catch(() => undefined);
  };
  window.setTimeout(() => {
    if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(start);
    else start();
  }, prefetchDelayMilliseconds);
}
