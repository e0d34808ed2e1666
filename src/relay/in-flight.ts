/**
 * Counts the relay requests still running, so a stopping gateway can wait for each one's usage
 * record before it writes the last batch: a stream cut at the shutdown timeout finishes its
 * handler (and settles what it delivered) after the server itself has closed.
 */
export class InFlightRequests {
  private running = 0;
  private waiters: Array<() => void> = [];

  /** Marks a request as running; call the answer once it has finished. */
  begin(): () => void {
    this.running += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.running -= 1;
      if (this.running === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  get count(): number {
    return this.running;
  }

  /** Resolves once no request is running, or after `timeoutMilliseconds`; true when drained. */
  drained(timeoutMilliseconds: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMilliseconds);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
