import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/api-keys.js';
import { runCli } from '../../src/cli/main.js';
import type { Store } from '../../src/store/contract.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import {
  createTestDatabase,
  killLeftoverGatewayProcesses,
  newSecretKey,
  startGatewayProcess,
  type GatewayProcess,
  type TestDatabase,
} from '../support/gateway-process.js';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { describeWithPostgres } from '../support/services.js';
import {
  expectBooksBalanced,
  expectServedOrRefused,
  fireConcurrently,
  holdPerRequest,
  meteredBody,
  meteredPricesYaml,
} from './wallet-race.js';

// DESIGN.md §4 and §7 across processes: two gateways (real `switchyard serve` processes) on one
// PostgreSQL database, behind which nothing is shared but that database. Holds must be global,
// and a change written by one (or by the CLI) must reach the other's in-memory cache in time.

/** The propagation bound is the requirement itself (DESIGN.md §3, `keys disable` help text). */
const propagationBoundMilliseconds = 1_000;
const upstreamSecret = 'upstream-secret-shared-by-both';

describeWithPostgres('two gateway processes sharing one PostgreSQL database', () => {
  let database: TestDatabase;
  let upstream: MockUpstream;
  let directory: string;
  let store: Store;
  let first: GatewayProcess;
  let second: GatewayProcess;
  let accounts = 0;

  beforeAll(async () => {
    // The upstream insists on its key, so an instance that could not unseal the secret the other
    // stored would fail every request, rather than pass unnoticed.
    upstream = await startMockOpenAIUpstream({
      latencyMilliseconds: 20,
      recordRequests: false,
      requireApiKey: upstreamSecret,
    });
    database = await createTestDatabase();
    directory = mkdtempSync(path.join(tmpdir(), 'switchyard-multi-'));
    const configFile = path.join(directory, 'switchyard.yaml');
    const deployment = `
    deployments:
      - provider: mock
        upstreamModel: upstream-chat`;
    writeFileSync(
      configFile,
      `
providers:
  - name: mock
    baseUrl: ${upstream.baseUrl}
    apiKey: ${upstreamSecret}
models:
  - id: mock-chat
    prices: ${meteredPricesYaml}${deployment}
  - id: repriced-chat
    prices: { input: "0", cachedInput: "0", output: "1000", perRequest: "0.01" }${deployment}
`,
    );
    const secretKey = newSecretKey();
    // Both start at once on the empty database, as two replicas of a deployment would.
    const start = (): Promise<GatewayProcess> =>
      startGatewayProcess({ databaseUrl: database.url, configFile, secretKey });
    [first, second] = await Promise.all([start(), start()]);
    store = await openPostgresStore(database.url, { maxConnections: 4 });
  });

  afterAll(async () => {
    killLeftoverGatewayProcesses();
    await store?.close();
    await upstream?.close();
    await database?.drop();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  /** A new user with a funded wallet and a key, written straight to the shared database. */
  async function fundedKey(
    balance: number,
  ): Promise<{ key: string; id: number; accountId: number }> {
    const account = await store.accounts.create({ username: `user-${++accounts}`, role: 'user' });
    await store.wallets.move({
      accountId: account.id,
      amount: balance,
      kind: 'topup',
      actorAccountId: null,
      reason: 'test funds',
    });
    const { record, key } = await issueApiKey(store.apiKeys, {
      accountId: account.id,
      name: 'test',
    });
    return { key, id: record.id, accountId: account.id };
  }

  async function chat(
    gateway: GatewayProcess,
    key: string,
    model: string,
  ): Promise<{ status: number; requestId: string | null; body: unknown }> {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: meteredBody(model),
    });
    return {
      status: response.status,
      requestId: response.headers.get('x-request-id'),
      body: await response.json(),
    };
  }

  it('both instances serve, each reading the provider secret the other sealed', async () => {
    const { key } = await fundedKey(1_000_000);
    for (const gateway of [first, second]) {
      const answer = await chat(gateway, key, 'mock-chat');
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }
  });

  it('a key disabled through the database is refused by the other instance within 1 s', async () => {
    const { key, id } = await fundedKey(1_000_000);
    // Instance B has the key cached as active: the change must reach its cache, not a cold read.
    expect((await chat(second, key, 'mock-chat')).status).toBe(200);

    expect(await store.apiKeys.setStatus(id, 'disabled')).toBe(true);
    const changedAt = performance.now();
    let elapsed = 0;
    let last: { status: number; body: unknown } | undefined;
    while (elapsed <= propagationBoundMilliseconds) {
      const response = await fetch(`${second.url}/v1/models`, {
        headers: { authorization: `Bearer ${key}` },
      });
      last = { status: response.status, body: await response.json() };
      elapsed = performance.now() - changedAt;
      if (last.status === 401) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(last?.status, `still accepted ${Math.round(elapsed)} ms after the change`).toBe(401);
    expect(last?.body).toMatchObject({ error: { code: 'api_key_disabled' } });
    expect(elapsed).toBeLessThanOrEqual(propagationBoundMilliseconds);
    // And chat is refused too, by both instances.
    for (const gateway of [first, second])
      expect((await chat(gateway, key, 'mock-chat')).status).toBe(401);
  });

  it('a price change is used by the other instance within 1 s', async () => {
    const { key } = await fundedKey(10_000_000);
    const oldCost = holdPerRequest;
    const warm = await chat(second, key, 'repriced-chat');
    expect(warm.status).toBe(200);

    // Output ×3, fee ×2: 5 × 3,000 + 20,000.
    const newCost = 5 * 3_000 + 20_000;
    expect(
      await store.catalog.setModelPrices('repriced-chat', {
        input: 0,
        cachedInput: 0,
        output: 3_000_000_000,
        perRequest: 20_000,
      }),
    ).toBe(true);
    const changedAt = performance.now();
    // Requests go on for the whole second; which price each one paid is read once settled.
    const sent: Array<{ requestId: string; offset: number }> = [];
    while (performance.now() - changedAt <= propagationBoundMilliseconds) {
      const offset = performance.now() - changedAt;
      const answer = await chat(second, key, 'repriced-chat');
      expect(answer.status).toBe(200);
      sent.push({ requestId: answer.requestId as string, offset });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const costs = await settledCosts([warm.requestId as string, ...sent.map((s) => s.requestId)]);
    expect(costs[0]).toBe(oldCost);
    const paid = costs.slice(1);
    const firstNew = paid.indexOf(newCost);
    expect(firstNew, `costs after the change: ${paid.join(', ')}`).toBeGreaterThanOrEqual(0);
    // Once seen, the new price sticks, and nothing else was ever charged.
    expect(paid.slice(0, firstNew).every((cost) => cost === oldCost)).toBe(true);
    expect(paid.slice(firstNew).every((cost) => cost === newCost)).toBe(true);
    expect(sent[firstNew]?.offset).toBeLessThanOrEqual(propagationBoundMilliseconds);
  });

  /** The cost of each request once its usage record is written (the instance flushes often). */
  async function settledCosts(requestIds: readonly string[]): Promise<number[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const records = await Promise.all(requestIds.map((id) => store.usage.findByRequestId(id)));
      if (records.every((record) => record !== undefined))
        return records.map((record) => record?.cost ?? -1);
      if (Date.now() > deadline) throw new Error('usage records were not written within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('200 concurrent requests over both against a wallet for 20: 20 served, books exact', async () => {
    const requests = 200;
    const affordable = 20;
    const initialBalance = affordable * holdPerRequest;
    const { key, accountId } = await fundedKey(initialBalance);

    const outcomes = await fireConcurrently(
      [first.url, second.url],
      key,
      meteredBody('mock-chat'),
      requests,
    );
    const served = expectServedOrRefused(outcomes, holdPerRequest);
    expect(served).toBeLessThanOrEqual(affordable);
    // Holds equal costs, so money is refused only once all of it is taken: exactly 20 served.
    expect(served).toBe(affordable);

    // A graceful stop settles what is queued; both must exit cleanly.
    expect(await Promise.all([first.stop(), second.stop()])).toEqual([0, 0]);
    // Nothing went wrong quietly either: no error was logged (a failed settlement would be).
    for (const gateway of [first, second])
      expect(gateway.output().stdout).not.toMatch(/"level":[56]0/);
    await expectBooksBalanced(store, accountId, initialBalance, outcomes, holdPerRequest);
    expect((await store.wallets.find(accountId))?.balance).toBe(0);
  });

  it('switchyard ledger verify agrees on the shared database, and notices a balance edited by hand', async () => {
    const wallets = await store.accounts.count();
    const clean = await cli('ledger', 'verify');
    expect(clean).toEqual({
      code: 0,
      output: `OK: ${wallets} wallets, every balance equals the sum of its ledger entries and every hold is accounted for.\n`,
    });

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('update wallets set balance = balance - 1 where account_id = $1', [
        (await store.accounts.findByUsername('user-1'))?.id,
      ]);
    } finally {
      await client.end();
    }
    const broken = await cli('ledger', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.output).toContain(`MISMATCH: 1 of ${wallets} wallets disagree`);
    expect(broken.output).toMatch(/user-1 \(id \d+\)\s+0\.\d{6}\s+0\.\d{6}\s+-0\.000001\s/);
  });

  /** Runs a CLI command in this process against the shared database. */
  async function cli(...argv: string[]): Promise<{ code: number; output: string }> {
    let output = '';
    const collect = new Writable({
      write(chunk: Buffer, _encoding, done) {
        output += chunk.toString();
        done();
      },
    });
    const code = await runCli(argv, {
      environment: { DATABASE_URL: database.url, SWITCHYARD_DATA_DIR: path.join(directory, 'cli') },
      workingDirectory: directory,
      stdout: collect,
      stderr: collect,
    });
    return { code, output };
  }
});
