import { useEffect, useRef, useState } from 'react';

/**
 * Calls `tick` every `milliseconds` while the tab is visible, and once when it becomes visible
 * again: a hidden tab should not poll the gateway, and a returning one should not show stale data.
 */
export function useVisibleInterval(tick: () => void, milliseconds: number, active = true): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;

  useEffect(() => {
    if (!active) return;
    let timer: number | undefined;
    const start = () => {
      if (timer === undefined) timer = window.setInterval(() => tickRef.current(), milliseconds);
    };
    const stop = () => {
      window.clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') {
        tickRef.current();
        start();
      } else {
        stop();
      }
    };
    if (document.visibilityState === 'visible') start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [milliseconds, active]);
}

/** The current time, advancing every `milliseconds` while `active` (for countdowns). */
export function useNow(milliseconds: number, active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useVisibleInterval(() => setNow(Date.now()), milliseconds, active);
  return now;
}
