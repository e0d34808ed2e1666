import type { Settlement } from '../store/money-contract.js';
import type { Store } from '../store/contract.js';

export interface SettlementQueueOptions {
  flushIntervalMilliseconds: number;
  batchSize: number;
  onError: (error: unknown, pending: number) => void;
}

/**
 * Finished requests wait here and are settled in batches, one transaction each: hold released,
 * charge and ledger entry written, usage record stored, together. This keeps database writes off
 * the hot path. A failed batch stays queued and is retried, so a passing database hiccup loses
 * nothing; what a crash can lose is bounded by the flush interval (docs/pricing-and-usage.md).
 */
export class SettlementQueue {
  private pending: Settlement[] = [];
  private lastUsed = new Map<number, number>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: SettlementQueueOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.flush().catch(() => undefined);
    }, this.options.flushIntervalMilliseconds);
    this.timer.unref();
  }

  enqueue(settlement: Settlement): void {
    this.pending.push(settlement);
    const keyId = settlement.usage.apiKeyId;
    if ((this.lastUsed.get(keyId) ?? 0) < settlement.usage.createdAt) {
      this.lastUsed.set(keyId, settlement.usage.createdAt);
    }
    if (this.pending.length >= this.options.batchSize) this.flush().catch(() => undefined);
  }

  /** Settlements waiting to be written. */
  queueDepth(): number {
    return this.pending.length;
  }

  /** Writes everything enqueued so far, one batch at a time; concurrent callers wait their turn. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, this.options.batchSize);
      this.pending = this.pending.slice(batch.length);
      this.flushing = this.store.wallets.settle(batch).then(
        () => undefined,
        (error: unknown) => {
          this.pending = batch.concat(this.pending);
          this.options.onError(error, this.pending.length);
          throw error;
        },
      );
      try {
        await this.flushing;
      } finally {
        this.flushing = undefined;
      }
    }
    if (this.lastUsed.size > 0) {
      const touched = this.lastUsed;
      this.lastUsed = new Map();
      // Last-used times are a convenience: a failed write is not retried.
      await this.store.apiKeys
        .touch(touched)
        .catch((error: unknown) => this.options.onError(error, 0));
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
