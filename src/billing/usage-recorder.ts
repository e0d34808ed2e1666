import type { Store } from '../store/contract.js';
import type { UsageRecord } from '../store/records.js';

export interface UsageRecorderOptions {
  flushIntervalMilliseconds: number;
  batchSize: number;
  onError: (error: unknown, lost: number) => void;
}

/**
 * Collects usage records off the hot path and writes them in batches, one transaction each.
 * A failed batch is kept and retried on the next flush, so a passing database hiccup loses
 * nothing; `close` writes whatever is left.
 */
export class UsageRecorder {
  private pending: UsageRecord[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: UsageRecorderOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMilliseconds);
    this.timer.unref();
  }

  record(record: UsageRecord): void {
    this.pending.push(record);
    if (this.pending.length >= this.options.batchSize) void this.flush();
  }

  /** Records waiting to be written. */
  queueDepth(): number {
    return this.pending.length;
  }

  /** Writes everything recorded so far; concurrent callers share one write. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    this.flushing = this.writePending().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /**
   * Writes the queue in transactions of at most `batchSize` records: the queue can outgrow a
   * batch (records arriving during a write, a backlog after an outage), and one huge transaction
   * would hold the database's write lock for long or exceed its limits and fail for ever.
   */
  private async writePending(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.batchSize);
      try {
        await this.store.usage.insertMany(batch);
      } catch (error) {
        this.pending = batch.concat(this.pending);
        this.options.onError(error, batch.length);
        return;
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
