import type { APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError } from '../support/api-error.js';
import { computeCost } from '../../src/billing/cost.js';
import { parseMoney } from '../../src/billing/money.js';
import {
  mockUsageFor,
  startMockOpenAIUpstream,
  type MockUpstream,
} from '../support/mock-openai-upstream.js';
import { mockPrices, startTestGateway, type TestGateway } from '../support/test-gateway.js';

const prices = {
  input: parseMoney(mockPrices.input),
  output: parseMoney(mockPrices.output),
  cachedInput: parseMoney(mockPrices.cachedInput),
  perRequest: 0,
};
const reply = 'Hello there, how can I help you today?';
const messages = [{ role: 'user' as const, content: 'Hello!' }];

let upstream: MockUpstream;
let harness: TestGateway;

beforeAll(async () => {
  upstream = await startMockOpenAIUpstream({ replyText: reply });
  harness = await startTestGateway({
    upstreamBaseUrl: upstream.baseUrl,
    timeouts: { firstByteMilliseconds: 400, idleMilliseconds: 400 },
  });
});

afterAll(async () => {
  await harness.close();
  await upstream.close();
});

beforeEach(() => upstream.reset());

async function wallet(accountId: number) {
  await harness.gateway.settlements.flush();
  const found = await harness.gateway.store.wallets.find(accountId);
  if (!found) throw new Error('no wallet');
  return found;
}

describe('charges', () => {
  it('charges the real usage, once, with a ledger entry and a matching usage record', async () => {
    const { key, accountId } = await harness.createKey({ balance: 1_000_000 });
    const { request_id: requestId } = await harness
      .client(key)
      .chat.completions.create({ model: 'mock-chat', messages })
      .withResponse();
    const usage = mockUsageFor({ messages }, reply);
    const cost = computeCost(
      {
        promptTokens: usage.prompt_tokens,
        completionTokens: usage.completion_tokens,
        cachedTokens: 0,
      },
      prices,
    );
    const after = await wallet(accountId);
    expect(after).toMatchObject({ balance: 1_000_000 - cost, held: 0 });
    const ledger = await harness.gateway.store.wallets.ledger(accountId);
    expect(ledger[0]).toMatchObject({
      kind: 'charge',
      amount: -cost,
      requestId,
      balanceAfter: 1_000_000 - cost,
    });
    const record = await harness.gateway.store.usage.findByRequestId(requestId as string);
    expect(record?.cost).toBe(cost);
    expect(await harness.gateway.store.wallets.verify()).toEqual([]);
  });

  it('holds before the call and caps the answer at what the hold paid for', async () => {
    const { key } = await harness.createKey();
    await harness.client(key).chat.completions.create({ model: 'mock-chat', messages });
    expect((upstream.requests[0]?.body as { max_tokens: number }).max_tokens).toBe(4096);
  });

  it('gives a small balance a short answer instead of a 402 when the client set no max_tokens', async () => {
    // Enough for the prompt bound plus a few output tokens, not for the default allowance.
    const body = JSON.stringify({ model: 'mock-chat', messages });
    const promptBound = computeCost(
      { promptTokens: Buffer.byteLength(body), completionTokens: 0, cachedTokens: 0 },
      prices,
    );
    // Output costs 2 micro-units a token: 6 more micro-units pay for 3 tokens.
    const { key } = await harness.createKey({ balance: promptBound + 3 * 2 });
    const response = await harness
      .client(key)
      .chat.completions.create({ model: 'mock-chat', messages });
    const sentCap = (upstream.requests[0]?.body as { max_tokens: number }).max_tokens;
    expect(sentCap).toBe(3);
    expect(response.choices[0]?.finish_reason).toBe('length');
  });

  it('charges an upstream failure nothing and releases its hold', async () => {
    const { key, accountId } = await harness.createKey({ balance: 1_000_000 });
    upstream.enqueue(
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
    );
    const error = await apiError(
      harness.client(key).chat.completions.create({ model: 'mock-chat', messages }),
    );
    expect(error.status).toBe(502);
    expect(await wallet(accountId)).toMatchObject({ balance: 1_000_000, held: 0 });
  });

  it('charges an upstream timeout nothing', async () => {
    const { key, accountId } = await harness.createKey({ balance: 1_000_000 });
    upstream.enqueue({ kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' });
    const error = await apiError(
      harness.client(key).chat.completions.create({ model: 'mock-chat', messages }),
    );
    expect(error.code).toBe('upstream_timeout');
    expect(await wallet(accountId)).toMatchObject({ balance: 1_000_000, held: 0 });
  });
});

describe('402', () => {
  it('refuses a request the balance cannot cover with insufficient_balance and a way out', async () => {
    const { key, accountId } = await harness.createKey({ balance: 0 });
    const error = await apiError(
      harness.client(key).chat.completions.create({ model: 'mock-chat', messages }),
    );
    expect(error.status).toBe(402);
    expect(error.code).toBe('insufficient_balance');
    expect(error.message).toMatch(/top up/i);
    expect(upstream.requests).toHaveLength(0);
    // The next request right after a top-up is served: nothing caches money state.
    await harness.gateway.store.wallets.move({
      accountId,
      amount: 1_000_000,
      kind: 'topup',
      actorAccountId: null,
      reason: null,
    });
    await expect(
      harness.client(key).chat.completions.create({ model: 'mock-chat', messages }),
    ).resolves.toBeDefined();
  });

  it('refuses a client max_tokens the wallet cannot cover rather than shrinking it', async () => {
    const { key } = await harness.createKey({ balance: 20_000 });
    const error = await apiError(
      harness
        .client(key)
        .chat.completions.create({ model: 'mock-chat', messages, max_tokens: 100_000 }),
    );
    expect(error.code).toBe('insufficient_balance');
  });

  it('refuses a suspended wallet with wallet_suspended, and serves it again once resumed', async () => {
    const { key, accountId } = await harness.createKey();
    await harness.gateway.store.wallets.setStatus(accountId, 'suspended');
    const error = await apiError(
      harness.client(key).embeddings.create({ model: 'mock-embed', input: 'x' }),
    );
    expect(error.status).toBe(402);
    expect(error.code).toBe('wallet_suspended');
    await harness.gateway.store.wallets.setStatus(accountId, 'active');
    await expect(
      harness.client(key).embeddings.create({ model: 'mock-embed', input: 'x' }),
    ).resolves.toBeDefined();
  });
});

describe('streams', () => {
  it('bills a stream cut off by the client for the prompt plus the tokens delivered', async () => {
    const slow = await startMockOpenAIUpstream({
      chunkDelayMilliseconds: 80,
      chunkCount: 8,
      replyText: reply,
    });
    const gateway = await startTestGateway({ upstreamBaseUrl: slow.baseUrl });
    try {
      const { key, accountId } = await gateway.createKey({ balance: 1_000_000 });
      const stream = await gateway
        .client(key)
        .chat.completions.create({ model: 'mock-chat', messages, stream: true });
      let received = 0;
      for await (const chunk of stream) {
        void chunk;
        if (++received === 3) break;
      }
      await expect
        .poll(async () => (await gateway.usageRecords()).length, { timeout: 5_000 })
        .toBe(1);
      const [record] = await gateway.usageRecords();
      expect(record?.status).toBe(499);
      // Two content chunks reached the client (the first chunk carries only the role).
      const delivered = record?.completionTokens ?? 0;
      expect(delivered).toBeGreaterThan(0);
      expect(delivered).toBeLessThan(mockUsageFor({ messages }, reply).completion_tokens);
      const expectedCost = computeCost(
        { promptTokens: record?.promptTokens ?? 0, completionTokens: delivered, cachedTokens: 0 },
        prices,
      );
      expect(record?.cost).toBe(expectedCost);
      await gateway.gateway.settlements.flush();
      expect(await gateway.gateway.store.wallets.find(accountId)).toMatchObject({
        balance: 1_000_000 - expectedCost,
        held: 0,
      });
    } finally {
      await gateway.close();
      await slow.close();
    }
  });
});

describe('concurrency on SQLite', () => {
  it('serves at most what the wallet affords from 200 parallel requests, and loses or doubles nothing', async () => {
    const body = { model: 'mock-chat', messages, max_tokens: 10 };
    // Each request really costs this much (the mock's usage), so the wallet affords exactly 20.
    const usage = mockUsageFor(body, reply);
    const cost = computeCost(
      {
        promptTokens: usage.prompt_tokens,
        completionTokens: usage.completion_tokens,
        cachedTokens: 0,
      },
      prices,
    );
    const initial = cost * 20;
    const { key, accountId } = await harness.createKey({ balance: initial });
    const client = harness.client(key);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () => client.chat.completions.create(body)),
    );
    const served = results.filter((result) => result.status === 'fulfilled').length;
    const refused = results.filter(
      (result) =>
        result.status === 'rejected' && (result.reason as APIError).code === 'insufficient_balance',
    ).length;
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThanOrEqual(20);
    expect(served + refused).toBe(200);

    const after = await wallet(accountId);
    expect(after.balance).toBeGreaterThanOrEqual(0);
    expect(after.held).toBe(0);
    const ledger = await harness.gateway.store.wallets.ledger(accountId, { limit: 1000 });
    const charges = ledger.filter((entry) => entry.kind === 'charge');
    expect(charges).toHaveLength(served);
    expect(new Set(charges.map((entry) => entry.requestId)).size).toBe(served);
    const charged = -charges.reduce((sum, entry) => sum + entry.amount, 0);
    expect(after.balance).toBe(initial - charged);
    const records = (await harness.gateway.store.usage.list({ accountId, limit: 1000 })).filter(
      (record) => record.status === 200,
    );
    expect(records.reduce((sum, record) => sum + record.cost, 0)).toBe(charged);
    expect(await harness.gateway.store.wallets.verify()).toEqual([]);
  });
});
