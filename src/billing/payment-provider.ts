/**
 * The interface a payment provider (Stripe, Alipay, a bank transfer desk …) plugs in behind to
 * top up wallets. None ships yet; recharge codes are the built-in way to sell credit. A provider
 * only reports money it has received: the gateway credits the wallet through the ledger, once per
 * `reference`, exactly as a recharge code does. See docs/money.md.
 */
export interface PaymentProvider {
  /** A short, stable name, e.g. "stripe"; stored in the ledger reference. */
  readonly name: string;
  /** Starts a payment for an account; returns where to send the person to pay. */
  createCheckout(input: {
    accountId: number;
    amount: number;
    currency: string;
  }): Promise<{ redirectUrl: string; reference: string }>;
  /**
   * Verifies a callback from the provider (signature, amount) and says what was paid. Returns
   * undefined for callbacks that are not a completed payment. The same `reference` may arrive
   * more than once; the gateway credits it once.
   */
  verifyCallback(input: {
    headers: Record<string, string | string[] | undefined>;
    rawBody: string;
  }): Promise<{ accountId: number; amount: number; reference: string } | undefined>;
}
