import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mockUsageFor,
  startMockOpenAIUpstream,
  type MockUpstream,
} from '../support/mock-openai-upstream.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';
import {
  expectBooksBalanced,
  expectServedOrRefused,
  fireConcurrently,
  holdPerRequest,
  maxTokens,
  meteredBody,
  meteredPricesYaml,
} from './wallet-race.js';

// DESIGN.md §4 on one instance and the embedded database: 200 requests at once against a wallet
// that affords 20 of them. SQLite serialises writers, so this checks the guarded hold and the
// batched settlement rather than row locks (concurrency.test.ts does that on PostgreSQL).

const requests = 200;
const affordable = 20;

describe('one gateway on SQLite, 200 concurrent requests, a wallet for 20', () => {
  let upstream: MockUpstream;
  let gateway: TestGateway;

  beforeAll(async () => {
    // A little latency keeps many holds open at once, which is the race being tested.
    upstream = await startMockOpenAIUpstream({ latencyMilliseconds: 20, recordRequests: false });
    const deployment = `
    deployments:
      - provider: mock
        upstreamModel: upstream-chat`;
    gateway = await startTestGateway({
      upstreamBaseUrl: upstream.baseUrl,
      extraYaml: `
  - id: metered-chat
    prices: ${meteredPricesYaml}${deployment}
  - id: prompt-metered-chat
    prices: { input: "1000", cachedInput: "1000", output: "1000", perRequest: "0.01" }${deployment}
`,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it('serves 20, refuses 180 with 402, and the books balance to the micro-unit', async () => {
    const initialBalance = affordable * holdPerRequest;
    const { key, accountId } = await gateway.createKey({ balance: initialBalance });

    const outcomes = await fireConcurrently(
      [gateway.url],
      key,
      meteredBody('metered-chat'),
      requests,
    );
    const served = expectServedOrRefused(outcomes, holdPerRequest);
    expect(served).toBeLessThanOrEqual(affordable);
    // Holds equal costs, so money is refused only once all of it is taken: exactly 20 served.
    expect(served).toBe(affordable);

    await gateway.gateway.settlements.flush();
    await expectBooksBalanced(
      gateway.gateway.store,
      accountId,
      initialBalance,
      outcomes,
      holdPerRequest,
    );
    expect((await gateway.gateway.store.wallets.find(accountId))?.balance).toBe(0);
  });

  it('when holds exceed costs, returned money serves more, never more than the balance pays', async () => {
    const body = meteredBody('prompt-metered-chat');
    // Input is priced here: the hold bounds the prompt by the body's bytes, the bill counts the
    // mock's tokens, and each settlement gives the difference back to the wallet.
    const hold = Buffer.byteLength(body) * 1_000 + maxTokens * 1_000 + 10_000;
    const cost =
      mockUsageFor(JSON.parse(body), '').prompt_tokens * 1_000 + maxTokens * 1_000 + 10_000;
    expect(cost).toBeLessThan(hold);
    const initialBalance = affordable * hold;
    const { key, accountId } = await gateway.createKey({ balance: initialBalance });

    const outcomes = await fireConcurrently([gateway.url], key, body, requests);
    const served = expectServedOrRefused(outcomes, hold);
    // A refusal means 20 holds or charges were in place, each of which is served in the end.
    expect(served).toBeGreaterThanOrEqual(affordable);
    expect(served * cost).toBeLessThanOrEqual(initialBalance);

    await gateway.gateway.settlements.flush();
    await expectBooksBalanced(gateway.gateway.store, accountId, initialBalance, outcomes, cost);
    expect((await gateway.gateway.store.wallets.find(accountId))?.balance).toBe(
      initialBalance - served * cost,
    );
  });
});
