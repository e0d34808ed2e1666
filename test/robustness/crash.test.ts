import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/api-keys.js';
import { runCli } from '../../src/cli/main.js';
import type { Store } from '../../src/store/contract.js';
import { openStore } from '../../src/store/open-store.js';
import {
  killLeftoverGatewayProcesses,
  newSecretKey,
  startGatewayProcess,
  type GatewayProcess,
} from '../support/gateway-process.js';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import {
  allLedgerEntries,
  allUsageRecords,
  chargesByRequest,
  ledgerAgainstUsage,
} from './books.js';
import { startLoad, type LoadResult } from './relay-load.js';

// docs/money.md, "What a crash can lose": a gateway killed outright loses the settlements of at
// most its last flush interval (those requests go uncharged, nobody is overcharged) and its open
// holds are released when they expire. A gateway stopped with SIGTERM finishes and settles
// everything. Shown here on real `switchyard serve` processes sharing one SQLite file.

/** The smallest hold lifetime the configuration accepts (src/config/schema.ts). */
const holdTtlMilliseconds = 60_000;
/** usage.flushIntervalMilliseconds: the default, which docs/money.md quotes. */
const flushIntervalMilliseconds = 100;
/**
 * A settlement is queued as its response goes out and written by the next flush, which itself
 * takes a few milliseconds and may start late on a loaded two-core machine: the bound allows that
 * much on top of the interval.
 */
const flushSlackMilliseconds = 150;
const clients = 40;
const initialBalance = 1_000_000_000;

let directory: string;
let upstream: MockUpstream;
let configFile: string;

beforeAll(async () => {
  // Latency keeps many requests (and their holds) in flight at the moment of the kill.
  upstream = await startMockOpenAIUpstream({
    latencyMilliseconds: 30,
    chunkDelayMilliseconds: 5,
    recordRequests: false,
  });
  directory = mkdtempSync(path.join(tmpdir(), 'switchyard-crash-'));
  configFile = path.join(directory, 'switchyard.yaml');
  writeFileSync(
    configFile,
    `
providers:
  - name: mock
    baseUrl: ${upstream.baseUrl}
    apiKey: upstream-secret
models:
  - id: mock-chat
    prices: { input: "1.50", output: "2.00", perRequest: "0.001" }
    deployments:
      - provider: mock
        upstreamModel: upstream-chat
`,
  );
});

afterEach(() => {
  killLeftoverGatewayProcesses();
});

afterAll(async () => {
  killLeftoverGatewayProcesses();
  await upstream?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

interface Setup {
  databaseUrl: string;
  secretKey: string;
  key: string;
  accountId: number;
}

/** A fresh SQLite database with one funded account and its key, written before any gateway runs. */
async function prepare(name: string): Promise<Setup> {
  const databaseUrl = `sqlite:${path.join(directory, `${name}.db`)}`;
  const store = await openStore(databaseUrl);
  try {
    await store.migrate();
    const account = await store.accounts.create({ username: `${name}-user`, role: 'user' });
    await store.wallets.move({
      accountId: account.id,
      amount: initialBalance,
      kind: 'topup',
      actorAccountId: null,
      reason: 'crash test funds',
    });
    const { key } = await issueApiKey(store.apiKeys, {
      accountId: account.id,
      name: 'load',
    });
    return { databaseUrl, secretKey: newSecretKey(), key, accountId: account.id };
  } finally {
    await store.close();
  }
}

function start(setup: Setup): Promise<GatewayProcess> {
  return startGatewayProcess({
    databaseUrl: setup.databaseUrl,
    configFile,
    secretKey: setup.secretKey,
    environment: {
      SWITCHYARD_HOLD_TTL_MILLISECONDS: String(holdTtlMilliseconds),
      SWITCHYARD_DEFAULT_RPM: '10000000',
    },
  });
}

/**
 * Runs load until 200 responses have come back (or 8 s have passed, on a slow machine), then
 * calls `interrupt` with the load still running.
 */
async function loadThenInterrupt(
  gateway: GatewayProcess,
  key: string,
  interrupt: () => Promise<void> | void,
): Promise<{ results: LoadResult[]; interruptedAt: number }> {
  const load = startLoad({
    url: gateway.url,
    key,
    clients,
    until: Date.now() + 15_000,
    streamEvery: 4,
  });
  const deadline = Date.now() + 8_000;
  while (Date.now() < deadline && load.served() < 200) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const interruptedAt = Date.now();
  const interrupted = interrupt();
  // In-flight requests end (answered, or cut by the kill); new ones stop at the closed port.
  await new Promise((resolve) => setTimeout(resolve, 300));
  load.stop();
  const results = await load.done;
  await interrupted;
  return { results, interruptedAt };
}

async function ledgerVerifyCli(setup: Setup): Promise<{ code: number; output: string }> {
  let output = '';
  const collect = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      output += chunk.toString();
      callback();
    },
  });
  const code = await runCli(['ledger', 'verify'], {
    environment: {
      DATABASE_URL: setup.databaseUrl,
      SWITCHYARD_DATA_DIR: path.join(directory, 'cli'),
      SWITCHYARD_SECRET_KEY: setup.secretKey,
    },
    workingDirectory: directory,
    stdout: collect,
    stderr: collect,
  });
  return { code, output };
}

async function withStore<T>(setup: Setup, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(setup.databaseUrl);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

function completed(results: readonly LoadResult[]): LoadResult[] {
  return results.filter((result) => result.status === 200 && result.requestId !== undefined);
}

describe('a gateway process killed with SIGKILL under load', () => {
  it('loses at most its last flush interval, never charges twice, and its holds expire', async () => {
    const setup = await prepare('kill');
    const gateway = await start(setup);
    const { results, interruptedAt: killedAt } = await loadThenInterrupt(gateway, setup.key, () =>
      gateway.kill('SIGKILL'),
    );
    const served = completed(results);
    expect(served.length, 'the load was served before the kill').toBeGreaterThan(50);

    // Open holds of requests in flight at the kill: none may outlive the kill by more than the TTL.
    const leftover = await withStore(setup, (store) => store.wallets.openHolds(setup.accountId));
    for (const hold of leftover)
      expect(hold.expiresAt).toBeLessThanOrEqual(killedAt + holdTtlMilliseconds);

    // Restarted on the same database, it serves at once; its start-up sweep leaves unexpired holds.
    const restarted = await start(setup);
    try {
      const response = await fetch(`${restarted.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${setup.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'mock-chat',
          messages: [{ role: 'user', content: 'back?' }],
        }),
      });
      expect(response.status).toBe(200);
    } finally {
      expect(await restarted.stop()).toBe(0);
    }

    const cli = await ledgerVerifyCli(setup);
    expect(cli.code, cli.output).toBe(0);
    expect(cli.output).toMatch(/^OK:/);

    await withStore(setup, async (store) => {
      expect(await store.wallets.verify()).toEqual([]);
      const entries = await allLedgerEntries(store, setup.accountId);
      const records = await allUsageRecords(store, setup.accountId);
      expect(ledgerAgainstUsage(entries, records)).toEqual([]);

      const charges = chargesByRequest(entries);
      const uncharged = served.filter((result) => !charges.has(result.requestId as string));
      const ages = uncharged.map((result) => killedAt - result.finishedAt);
      const oldest = Math.max(0, ...ages);
      const servedIds = new Set(served.map((result) => result.requestId));
      // Settled, but the response never reached its client: a non-stream response is settled as
      // it is sent, so the kill can fall between the two.
      const chargedUnseen = [...charges.keys()].filter((requestId) => !servedIds.has(requestId));
      console.info(
        `kill -9: ${served.length} responses completed, ${charges.size} charges, ` +
          `${uncharged.length} completed but uncharged (oldest ${oldest} ms before the kill), ` +
          `${chargedUnseen.length} charged but not received, ${leftover.length} holds left open`,
      );
      // Uncharged only if its settlement could still have been waiting for the next flush.
      expect(oldest).toBeLessThanOrEqual(flushIntervalMilliseconds + flushSlackMilliseconds);
      for (const result of served)
        expect(charges.get(result.requestId as string) ?? 0).toBeLessThanOrEqual(1);

      // The leftover holds are exactly the ones the sweeper will release at their expiry.
      const open = await store.wallets.openHolds(setup.accountId);
      expect(open.length).toBe(leftover.length);
      expect(await store.wallets.releaseExpiredHolds(killedAt + holdTtlMilliseconds)).toBe(
        open.length,
      );
      expect(await store.wallets.openHolds(setup.accountId)).toEqual([]);
      const wallet = await store.wallets.find(setup.accountId);
      expect(wallet?.held).toBe(0);
      const charged = entries
        .filter((entry) => entry.kind === 'charge')
        .reduce((sum, entry) => sum - entry.amount, 0);
      expect(wallet?.balance).toBe(initialBalance - charged);
      expect(await store.wallets.verify()).toEqual([]);
    });
  }, 90_000);
});

describe('a gateway process stopped with SIGTERM under load', () => {
  it('settles every response it completed exactly once and leaves no hold behind', async () => {
    const setup = await prepare('term');
    const gateway = await start(setup);
    let exitCode: number | undefined;
    const { results } = await loadThenInterrupt(gateway, setup.key, async () => {
      exitCode = await gateway.stop();
    });
    expect(exitCode).toBe(0);
    const served = completed(results);
    expect(served.length).toBeGreaterThan(50);

    const cli = await ledgerVerifyCli(setup);
    expect(cli.code, cli.output).toBe(0);

    await withStore(setup, async (store) => {
      expect(await store.wallets.verify()).toEqual([]);
      const entries = await allLedgerEntries(store, setup.accountId);
      const records = await allUsageRecords(store, setup.accountId);
      expect(ledgerAgainstUsage(entries, records)).toEqual([]);
      const charges = chargesByRequest(entries);
      const notOnce = served.filter((result) => charges.get(result.requestId as string) !== 1);
      console.info(
        `SIGTERM: ${served.length} responses completed, ${charges.size} charges, ` +
          `${notOnce.length} not charged exactly once, ` +
          `${results.filter((result) => result.status === 503).length} refused with 503 while closing`,
      );
      expect(notOnce.map((result) => result.requestId)).toEqual([]);
      expect(await store.wallets.openHolds(setup.accountId)).toEqual([]);
      expect((await store.wallets.find(setup.accountId))?.held).toBe(0);
    });
  }, 90_000);
});
