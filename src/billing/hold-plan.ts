import { computeCost, type ModelPrices } from './cost.js';

/** Output tokens the gateway allows for when neither the client nor the model names a limit. */
export const defaultOutputAllowance = 4_096;

export interface HoldPlanInput {
  /** UTF-8 bytes of the whole request body: a byte-level BPE token covers at least one byte, so
   *  no prompt can hold more tokens than that, whatever the tokenizer. */
  bodyBytes: number;
  prices: ModelPrices;
  /** The client's own `max_tokens` / `max_completion_tokens`, if it set one. */
  requestedOutputTokens: number | undefined;
  modelMaxOutputTokens: number | null;
  /** False for embeddings, which produce no output tokens. */
  producesOutput: boolean;
  /** Completions asked for (`n`); each may use the whole output allowance. */
  choices: number;
}

export interface HoldPlan {
  /** Micro-units to hold: the most this request can cost. */
  amount: number;
  /** Output tokens the hold pays for; sent upstream as the cap when the client set none. */
  outputTokens: number;
  promptTokensBound: number;
}

/** The hold for a request: the prompt's upper bound plus its output allowance, priced. */
export function planHold(input: HoldPlanInput): HoldPlan {
  const outputTokens = input.producesOutput
    ? (input.requestedOutputTokens ??
      Math.min(input.modelMaxOutputTokens ?? defaultOutputAllowance, defaultOutputAllowance))
    : 0;
  return priced(input, outputTokens);
}

/**
 * When the full hold does not fit, the largest output allowance that does (only offered when the
 * client set no limit of its own, per DESIGN.md §4: "a small balance still gets a short answer").
 * Undefined when not even the prompt and one output token fit.
 */
export function shrinkToAvailable(input: HoldPlanInput, available: number): HoldPlan | undefined {
  if (!input.producesOutput || input.requestedOutputTokens !== undefined) return undefined;
  const promptOnly = priced(input, 0).amount;
  const perToken = input.prices.output * input.choices;
  if (available <= promptOnly) return undefined;
  // Each output token costs prices.output / 1e6 micro-units; round down so the hold fits.
  const outputTokens =
    perToken === 0
      ? defaultOutputAllowance
      : Math.floor(((available - promptOnly) * 1_000_000) / perToken);
  if (outputTokens < 1) return undefined;
  const plan = priced(input, outputTokens);
  // computeCost rounds up once; step back a token if that pushed the total over.
  return plan.amount <= available
    ? plan
    : outputTokens > 1
      ? priced(input, outputTokens - 1)
      : undefined;
}

function priced(input: HoldPlanInput, outputTokens: number): HoldPlan {
  const promptTokensBound = input.bodyBytes;
  // The dearer of the two input prices: the hold must cover the worst case.
  const prices = { ...input.prices, input: Math.max(input.prices.input, input.prices.cachedInput) };
  return {
    amount: computeCost(
      {
        promptTokens: promptTokensBound,
        completionTokens: outputTokens * input.choices,
        cachedTokens: 0,
      },
      prices,
    ),
    outputTokens,
    promptTokensBound,
  };
}
