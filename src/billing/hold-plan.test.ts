import { describe, expect, it } from 'vitest';
import { computeCost } from './cost.js';
import {
  defaultOutputAllowance,
  planHold,
  shrinkToAvailable,
  type HoldPlanInput,
} from './hold-plan.js';

const prices = { input: 1_000_000, output: 2_000_000, cachedInput: 500_000, perRequest: 7 };
const base: HoldPlanInput = {
  bodyBytes: 100,
  prices,
  requestedOutputTokens: undefined,
  modelMaxOutputTokens: null,
  producesOutput: true,
  choices: 1,
};

describe('planHold', () => {
  it('holds the prompt bound and the default allowance, with the fee', () => {
    const plan = planHold(base);
    expect(plan.outputTokens).toBe(defaultOutputAllowance);
    expect(plan.amount).toBe(100 * 1 + defaultOutputAllowance * 2 + 7);
  });

  it("uses the client's own limit, and the model's when smaller than the default", () => {
    expect(planHold({ ...base, requestedOutputTokens: 50 }).outputTokens).toBe(50);
    expect(planHold({ ...base, modelMaxOutputTokens: 1000 }).outputTokens).toBe(1000);
  });

  it('pays for every choice when n > 1', () => {
    expect(planHold({ ...base, requestedOutputTokens: 10, choices: 3 }).amount).toBe(100 + 60 + 7);
  });

  it('holds nothing for output on embeddings', () => {
    expect(planHold({ ...base, producesOutput: false }).amount).toBe(107);
  });

  it('never holds less than the request can cost', () => {
    const plan = planHold({ ...base, requestedOutputTokens: 20 });
    // Worst case: every body byte a token, all at the dearer input price, all output used.
    const worst = computeCost({ promptTokens: 100, completionTokens: 20, cachedTokens: 0 }, prices);
    expect(plan.amount).toBeGreaterThanOrEqual(worst);
  });
});

describe('shrinkToAvailable', () => {
  it('offers the largest allowance that fits', () => {
    const plan = shrinkToAvailable(base, 107 + 2 * 9 + 1);
    expect(plan?.outputTokens).toBe(9);
    expect(plan?.amount).toBeLessThanOrEqual(107 + 2 * 9 + 1);
  });

  it('offers nothing when not even the prompt and one token fit', () => {
    expect(shrinkToAvailable(base, 107)).toBeUndefined();
    expect(shrinkToAvailable(base, 108)).toBeUndefined();
  });

  it('never shrinks a limit the client set itself', () => {
    expect(shrinkToAvailable({ ...base, requestedOutputTokens: 5000 }, 1_000)).toBeUndefined();
  });
});
