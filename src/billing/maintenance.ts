import type { Store } from '../store/contract.js';

export interface MaintenanceOptions {
  intervalMilliseconds: number;
  /** Usage records older than this many days are deleted; 0 keeps them forever. */
  usageRetentionDays: number;
  now: () => number;
  onError: (error: unknown) => void;
}

const millisecondsPerDay = 86_400_000;

/**
 * The gateway's housekeeping, run every interval: releases holds whose request died with its
 * process (a hold outlives any request that may still settle it), deletes expired sessions, and
 * applies usage-record retention. Every instance runs it; each step is safe to run concurrently.
 */
export class Maintenance {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: MaintenanceOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.runOnce().catch(this.options.onError);
    }, this.options.intervalMilliseconds);
    this.timer.unref();
  }

  /** Runs every step now; returns what each did. */
  async runOnce(): Promise<{
    releasedHolds: number;
    deletedSessions: number;
    deletedUsage: number;
  }> {
    const now = this.options.now();
    const releasedHolds = await this.store.wallets.releaseExpiredHolds(now);
    const deletedSessions = await this.store.sessions.deleteExpired(now);
    const deletedUsage =
      this.options.usageRetentionDays > 0
        ? await this.store.usage.deleteOlderThan(
            now - this.options.usageRetentionDays * millisecondsPerDay,
          )
        : 0;
    return { releasedHolds, deletedSessions, deletedUsage };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
