import type { TokenUsage } from '../providers/contract.js';

/** Prices of one model, in micro-units per 1,000,000 tokens, plus a flat fee per request. */
export interface ModelPrices {
  input: number;
  output: number;
  cachedInput: number;
  perRequest: number;
}

const tokensPerPriceUnit = 1_000_000;

/**
 * cost = ceil((uncached_in × p_in + cached_in × p_cached + out × p_out) / 1,000,000) + fee.
 * Providers report cached tokens inside `prompt_tokens`, so they are taken out of the uncached
 * count rather than billed twice. Rounding up once, on the total, keeps a request of a few tokens
 * from being free and never bills more than one micro-unit above the exact price.
 */
export function computeCost(usage: TokenUsage, prices: ModelPrices): number {
  const cached = Math.min(usage.cachedTokens, usage.promptTokens);
  const uncached = usage.promptTokens - cached;
  const numerator =
    uncached * prices.input + cached * prices.cachedInput + usage.completionTokens * prices.output;
  // Integer division with a remainder test stays exact where a float division might not.
  const remainder = numerator % tokensPerPriceUnit;
  const rounded = (numerator - remainder) / tokensPerPriceUnit + (remainder > 0 ? 1 : 0);
  return rounded + prices.perRequest;
}
