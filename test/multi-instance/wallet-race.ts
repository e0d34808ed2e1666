import { Pool } from 'undici';
import { expect } from 'vitest';
import { formatMoney } from '../../src/billing/money.js';
import type { Store } from '../../src/store/contract.js';

// The "N parallel requests against a wallet that affords k" scenario of DESIGN.md §4, shared by
// the PostgreSQL (two processes) and SQLite (one process) suites.

/**
 * Prices of the metered model, as YAML writes them. Input is free on purpose: the hold bounds the
 * prompt by the body's UTF-8 bytes (src/billing/hold-plan.ts) while the mock counts far fewer
 * tokens, so with an input price every settled request would give back part of its hold, and how
 * many requests that money then serves depends on timing. With only output and a flat fee, the
 * hold of a request equals its cost exactly, and "the wallet affords k" has one meaning.
 */
export const meteredPricesYaml =
  '{ input: "0", cachedInput: "0", output: "1000", perRequest: "0.01" }';

/** The client's own cap; below the mock's 7-word reply, so the mock answers exactly this many. */
export const maxTokens = 5;

/**
 * hold = ceil((bodyBytes × 0 + max_tokens × 1000 units/1M tokens) / 1M) + fee
 *      = 5 × 1,000 + 10,000 = 15,000 micro-units (0.015); and the cost of a served request is the
 * same: the mock reports completion_tokens = max_tokens, and prompt tokens are free.
 */
export const holdPerRequest = maxTokens * 1_000 + 10_000;

/** The request every client sends: fixed, so its hold is known. */
export function meteredBody(model: string): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Say hi' }],
    max_tokens: maxTokens,
  });
}

export interface Outcome {
  status: number;
  requestId: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/**
 * Sends `count` copies of the body at once, spread round-robin over the gateways (127.0.0.1
 * only), through one connection pool per gateway so the open connections stay bounded.
 */
export async function fireConcurrently(
  gatewayUrls: readonly string[],
  key: string,
  body: string,
  count: number,
): Promise<Outcome[]> {
  const pools = gatewayUrls.map((url) => new Pool(url, { connections: 64 }));
  try {
    return await Promise.all(
      Array.from({ length: count }, async (_, index): Promise<Outcome> => {
        const pool = pools[index % pools.length] as Pool;
        const response = await pool.request({
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body,
          headersTimeout: 20_000,
          bodyTimeout: 20_000,
        });
        const header = (name: string): string | undefined => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        return {
          status: response.statusCode,
          requestId: header('x-request-id'),
          contentType: header('content-type'),
          body: await response.body.json(),
        };
      }),
    );
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

/**
 * Every request was either served or refused with OpenAI's 402 envelope, quoting the hold; answers
 * how many were served.
 */
export function expectServedOrRefused(outcomes: readonly Outcome[], hold: number): number {
  const statuses = new Map<number, number>();
  for (const { status } of outcomes) statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const summary = `statuses: ${JSON.stringify(Object.fromEntries(statuses))}`;
  const served = outcomes.filter((outcome) => outcome.status === 200);
  for (const outcome of served) {
    expect(outcome.requestId).toMatch(/^req_/);
    expect(outcome.body).toMatchObject({
      object: 'chat.completion',
      usage: { completion_tokens: maxTokens },
    });
  }
  for (const outcome of outcomes.filter((candidate) => candidate.status !== 200)) {
    expect(outcome.status, summary).toBe(402);
    expect(outcome.contentType).toMatch(/^application\/json/);
    expect(outcome.requestId).toMatch(/^req_/);
    expect(outcome.body).toEqual({
      error: {
        // The message names the hold: proof that the gateway computed the one computed here.
        message: expect.stringContaining(`may cost up to ${formatMoney(hold)}`) as unknown,
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_balance',
      },
    });
  }
  return served.length;
}

/**
 * After every gateway has flushed: nothing held, the books agree, and each served request was
 * charged exactly once, for exactly what its usage record says.
 */
export async function expectBooksBalanced(
  store: Store,
  accountId: number,
  initialBalance: number,
  outcomes: readonly Outcome[],
  costPerRequest: number,
): Promise<void> {
  const servedIds = outcomes
    .filter((outcome) => outcome.status === 200)
    .map((outcome) => outcome.requestId)
    .sort();
  const wallet = await store.wallets.find(accountId);
  expect(wallet?.balance).toBeGreaterThanOrEqual(0);
  expect(wallet?.held).toBe(0);
  expect(await store.wallets.openHolds(accountId)).toEqual([]);
  expect(await store.wallets.verify()).toEqual([]);

  const charges = (await store.wallets.ledger(accountId, { limit: 1_000 })).filter(
    (entry) => entry.kind === 'charge',
  );
  const usage = await store.usage.list({ accountId, limit: 1_000 });
  expect(usage).toHaveLength(outcomes.length);
  const charged = -charges.reduce((sum, entry) => sum + entry.amount, 0);
  expect(charged).toBe(usage.reduce((sum, record) => sum + record.cost, 0));
  expect(wallet?.balance).toBe(initialBalance - charged);
  expect(charges.map((entry) => entry.amount)).toEqual(charges.map(() => -costPerRequest));

  // No double charge and none lost: one charge and one 200 record per served response.
  expect(charges.map((entry) => entry.requestId).sort()).toEqual(servedIds);
  expect(
    usage
      .filter((record) => record.status === 200)
      .map((record) => record.requestId)
      .sort(),
  ).toEqual(servedIds);
  const refused = usage.filter((record) => record.status !== 200);
  expect(refused).toHaveLength(outcomes.length - servedIds.length);
  for (const record of refused) {
    expect(record).toMatchObject({ status: 402, errorCode: 'insufficient_balance', cost: 0 });
  }
}
