import { computeCost, type ModelPrices } from '../billing/cost.js';
import type { SettlementQueue } from '../billing/settlement-queue.js';
import type { PlacedHold } from '../billing/wallet-gate.js';
import { noModel, type GatewayMetrics, type RelayRoute } from '../observability/metrics.js';
import type { TokenUsage } from '../providers/contract.js';
import type { ApiKeyRecord } from '../store/records.js';
import type { LimitGate, LimitTicket } from './limit-gate.js';

const noTokens: TokenUsage = { promptTokens: 0, completionTokens: 0, cachedTokens: 0 };

/** What a trace needs to know about its request and where it reports. */
export interface UsageTraceContext {
  settlements: SettlementQueue;
  limits: LimitGate;
  metrics: GatewayMetrics;
  route: RelayRoute;
  requestId: string;
  key: ApiKeyRecord;
  /** `performance.now()` when the request reached the relay. */
  startedAt: number;
  /** Epoch milliseconds, for the record. */
  createdAt: number;
}

/**
 * Follows one authenticated relay request and writes its usage record exactly once, whatever
 * path the request ends on. It is also where the request is counted in the metrics: one place
 * that sees every ending, with the model, the status, the code and the usage.
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

  constructor(private readonly context: UsageTraceContext) {}

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
    const { context } = this;
    const tokens = usage ?? noTokens;
    const cost = usage && this.prices ? computeCost(usage, this.prices) : 0;
    const elapsed = performance.now() - context.startedAt;
    const firstToken =
      this.firstTokenAt === undefined ? undefined : this.firstTokenAt - context.startedAt;
    const record = {
      requestId: context.requestId,
      accountId: context.key.accountId,
      apiKeyId: context.key.id,
      modelId: this.modelId,
      deploymentId: this.deploymentId,
      promptTokens: tokens.promptTokens,
      completionTokens: tokens.completionTokens,
      cachedTokens: tokens.cachedTokens,
      cost,
      status,
      errorCode,
      latencyMilliseconds: Math.round(elapsed),
      firstTokenMilliseconds: firstToken === undefined ? null : Math.round(firstToken),
      stream: this.stream,
      createdAt: context.createdAt,
    };
    const hold = this.hold
      ? { id: this.hold.id, accountId: this.hold.accountId, amount: this.hold.amount }
      : null;
    context.settlements.enqueue({ usage: record, hold });
    if (this.limitTicket) {
      context.limits.complete(
        this.limitTicket,
        tokens.promptTokens + tokens.completionTokens,
        cost,
        context.createdAt + record.latencyMilliseconds,
      );
    }
    // Prices are set once the model is authorized: before that the name is the client's, and a
    // label must never take a value a client chose.
    const model = this.prices === undefined ? noModel : this.modelId;
    context.metrics.recordRequest(
      context.route,
      model,
      status,
      errorCode,
      elapsed / 1000,
      this.stream && firstToken !== undefined ? firstToken / 1000 : undefined,
    );
    if (usage)
      context.metrics.recordUsage(model, tokens.promptTokens, tokens.completionTokens, cost);
    return cost;
  }
}
