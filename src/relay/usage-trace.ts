import { computeCost, type ModelPrices } from '../billing/cost.js';
import type { SettlementQueue } from '../billing/settlement-queue.js';
import type { PlacedHold } from '../billing/wallet-gate.js';
import type { TokenUsage } from '../providers/contract.js';
import type { ApiKeyRecord } from '../store/records.js';
import type { LimitGate, LimitTicket } from './limit-gate.js';

const noTokens: TokenUsage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };

/**
 * Follows one authenticated relay request and writes its usage record exactly once, whatever
 * path the request ends on.
 */
export class UsageTrace {
  modelId = '';
  prices: ModelPrices | undefined;
  deploymentId: number | null = null;
  stream = false;
  /** The wallet hold placed for this request; released when it settles. */
  hold: PlacedHold | undefined;
  /** The request's admission by the limiter; completed with the real usage. */
  limitTicket: LimitTicket | undefined;
  /** Whether the rate-limit headers are already on the response. */
  limitHeadersSet = false;
  private firstTokenAt: number | undefined;
  private finished = false;

  constructor(
    private readonly settlements: SettlementQueue,
    private readonly limits: LimitGate,
    private readonly requestId: string,
    private readonly key: ApiKeyRecord,
    private readonly startedAt: number,
    private readonly createdAt: number,
  ) {}

  markFirstToken(): void {
    this.firstTokenAt ??= performance.now();
  }

  /**
   * Records the request and queues its settlement; `usage` is what is billed, so pass none for a
   * request that failed. Returns the cost asked for (the wallet may pay less, never more).
   */
  finish(status: number, errorCode: string | null, usage: TokenUsage | undefined): number {
    if (this.finished) return 0;
    this.finished = true;
    const tokens = usage ?? noTokens;
    const cost = usage && this.prices ? computeCost(usage, this.prices) : 0;
    const record = {
      requestId: this.requestId,
      accountId: this.key.accountId,
      apiKeyId: this.key.id,
      modelId: this.modelId,
      deploymentId: this.deploymentId,
      promptTokens: tokens.promptTokens,
      completionTokens: tokens.completionTokens,
      cachedTokens: tokens.cachedTokens,
      cost,
      status,
      errorCode,
      latencyMilliseconds: Math.round(performance.now() - this.startedAt),
      firstTokenMilliseconds:
        this.firstTokenAt === undefined ? null : Math.round(this.firstTokenAt - this.startedAt),
      stream: this.stream,
      createdAt: this.createdAt,
    };
    const hold = this.hold
      ? { id: this.hold.id, accountId: this.hold.accountId, amount: this.hold.amount }
      : null;
    this.settlements.enqueue({ usage: record, hold });
    if (this.limitTicket) {
      this.limits.complete(
        this.limitTicket,
        tokens.promptTokens + tokens.completionTokens,
        cost,
        this.createdAt + record.latencyMilliseconds,
      );
    }
    return cost;
  }
}
