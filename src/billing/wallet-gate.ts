import { GatewayError } from '../errors/gateway-error.js';
import type { Store } from '../store/contract.js';
import { planHold, shrinkToAvailable, type HoldPlan, type HoldPlanInput } from './hold-plan.js';
import { formatMoney } from './money.js';

/** A hold placed on a wallet for one request, to be released when the request settles. */
export interface PlacedHold {
  id: string;
  accountId: number;
  amount: number;
  /** Output tokens the hold pays for. */
  outputTokens: number;
}

const topUpAdvice =
  'Top up your wallet in the dashboard, or ask your agent or admin for a recharge.';

/**
 * The wallet stage of the pipeline: before any upstream call, hold the most the request can cost.
 * Holds live in the database (shared by every instance) and are never cached, so a top-up or a
 * resumed wallet takes effect on the very next request.
 */
export class WalletGate {
  constructor(
    private readonly store: Store,
    private readonly options: {
      holdTtlMilliseconds: number;
      now: () => number;
      /** Called for every request refused (the rejection metric). */
      onRejected?: (reason: 'insufficient_balance' | 'wallet_suspended') => void;
    },
  ) {}

  /** Places the hold or throws 402 `insufficient_balance` / `wallet_suspended`. */
  async hold(
    requestId: string,
    accountId: number,
    input: HoldPlanInput,
    plan: HoldPlan = planHold(input),
  ): Promise<PlacedHold> {
    const first = await this.place(requestId, accountId, plan);
    if (first.outcome === 'held') return first.hold;
    if (first.outcome === 'suspended') {
      this.options.onRejected?.('wallet_suspended');
      throw new GatewayError(
        'wallet_suspended',
        `Your wallet is suspended, so requests are refused. Ask your agent or admin to resume it.`,
      );
    }
    if (first.outcome === 'no_wallet') {
      this.options.onRejected?.('insufficient_balance');
      throw new GatewayError(
        'insufficient_balance',
        `This key's account has no wallet. ${topUpAdvice}`,
      );
    }
    // A small balance still gets a short answer when the client left the length to us.
    const smaller = shrinkToAvailable(input, first.available);
    if (smaller) {
      const second = await this.place(requestId, accountId, smaller);
      if (second.outcome === 'held') return second.hold;
    }
    this.options.onRejected?.('insufficient_balance');
    throw new GatewayError(
      'insufficient_balance',
      `Insufficient balance: this request may cost up to ${formatMoney(plan.amount)} (a prompt of up to ${plan.promptTokensBound} tokens and ${plan.outputTokens} output tokens) and your wallet has ${formatMoney(Math.max(0, first.available))} available. ${topUpAdvice}`,
    );
  }

  private async place(
    requestId: string,
    accountId: number,
    plan: HoldPlan,
  ): Promise<
    | { outcome: 'held'; hold: PlacedHold }
    | { outcome: 'insufficient'; available: number }
    | { outcome: 'suspended' }
    | { outcome: 'no_wallet' }
  > {
    const result = await this.store.wallets.placeHold({
      id: requestId,
      accountId,
      amount: plan.amount,
      expiresAt: this.options.now() + this.options.holdTtlMilliseconds,
    });
    if (result.outcome !== 'held') return result;
    return {
      outcome: 'held',
      hold: { id: requestId, accountId, amount: plan.amount, outputTokens: plan.outputTokens },
    };
  }
}
