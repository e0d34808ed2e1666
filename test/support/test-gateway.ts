import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { issueApiKey } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config/load.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { topUpForTest } from '../../src/store/store-fixture.case.js';
import type { KeyLimits, UsageRecord } from '../../src/store/records.js';

export interface TestGatewayOptions {
  /** The mock upstream's base URL (…/v1). */
  upstreamBaseUrl: string;
  /** Secret the gateway sends upstream. */
  upstreamApiKey?: string;
  /** Extra YAML entries appended to the `models:` list. */
  extraYaml?: string;
  /** Extra YAML entries appended to the `providers:` list. */
  extraProvidersYaml?: string;
  /** Timeouts of the mock deployments. */
  timeouts?: {
    connectMilliseconds?: number;
    firstByteMilliseconds?: number;
    idleMilliseconds?: number;
  };
  now?: () => number;
  environment?: Record<string, string>;
  /**
   * The id the first API key gets (SQLite's sequence is moved there before any key exists), so
   * limiter subjects (`key:<id>`) of suites sharing one Redis never collide.
   */
  firstApiKeyId?: number;
}

export interface KeyOptions {
  models?: string[];
  expiresAt?: number;
  username?: string;
  /** Micro-units topped up into a new account's wallet; default 100 currency units. */
  balance?: number;
  /** The key's own limits; absent ones are inherited from the account and the gateway. */
  limits?: KeyLimits;
}

export interface TestGateway {
  gateway: RunningGateway;
  /** Root URL, e.g. http://127.0.0.1:PORT. */
  url: string;
  /** The documented base URL: url + /api/v1. */
  baseURL: string;
  dataDirectory: string;
  createKey(options?: KeyOptions): Promise<{ key: string; id: number; accountId: number }>;
  client(key: string): OpenAI;
  /** Flushes the usage queue and returns the records, newest first. */
  usageRecords(): Promise<UsageRecord[]>;
  close(): Promise<void>;
}

/** Prices of the mock models, in currency units per 1M tokens. */
export const mockPrices = {
  input: '1.50',
  output: '2.00',
  cachedInput: '0.50',
  embeddingInput: '0.10',
};

/**
 * Starts a real gateway (the same `startGateway` the CLI uses) on SQLite in a temp directory,
 * configured by a YAML file to route `mock-chat` and `mock-embed` to the given upstream.
 */
export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), 'switchyard-test-'));
  const timeouts = {
    connectMilliseconds: 2_000,
    firstByteMilliseconds: 5_000,
    idleMilliseconds: 5_000,
    ...options.timeouts,
  };
  const yaml = `
providers:
  - name: mock
    baseUrl: ${options.upstreamBaseUrl}
    apiKey: ${options.upstreamApiKey ?? 'upstream-secret'}
${options.extraProvidersYaml ?? ''}
models:
  - id: mock-chat
    prices: { input: "${mockPrices.input}", output: "${mockPrices.output}", cachedInput: "${mockPrices.cachedInput}" }
    contextWindow: 128000
    deployments:
      - provider: mock
        upstreamModel: upstream-chat
        timeouts: ${JSON.stringify(timeouts)}
  - id: mock-embed
    kind: embedding
    prices: { input: "${mockPrices.embeddingInput}" }
    deployments:
      - provider: mock
        upstreamModel: upstream-embed
        timeouts: ${JSON.stringify(timeouts)}
${options.extraYaml ?? ''}`;
  const configFile = path.join(dataDirectory, 'switchyard.yaml');
  writeFileSync(configFile, yaml);
  const loaded = loadConfig({
    environment: {
      SWITCHYARD_CONFIG: configFile,
      SWITCHYARD_DATA_DIR: dataDirectory,
      SWITCHYARD_PORT: '0',
      SWITCHYARD_LOG_LEVEL: 'silent',
      SWITCHYARD_ADMIN_PASSWORD: 'test-admin-password',
      ...options.environment,
    },
    workingDirectory: dataDirectory,
  });
  const gateway = await startGateway(loaded, options.now ? { now: options.now } : {});
  if (options.firstApiKeyId !== undefined) moveKeySequence(dataDirectory, options.firstApiKeyId);
  let accountCounter = 0;

  return {
    gateway,
    url: gateway.url,
    baseURL: `${gateway.url}/api/v1`,
    dataDirectory,
    async createKey(keyOptions = {}) {
      const username = keyOptions.username ?? `user-${++accountCounter}`;
      let account = await gateway.store.accounts.findByUsername(username);
      if (!account) {
        account = await gateway.store.accounts.create({ username, role: 'user' });
        await topUpForTest(gateway.store, account.id, keyOptions.balance ?? 100_000_000);
      }
      const { record, key } = await issueApiKey(gateway.store.apiKeys, {
        accountId: account.id,
        name: 'test',
        allowedModels: keyOptions.models ?? null,
        expiresAt: keyOptions.expiresAt ?? null,
        ...(keyOptions.limits === undefined ? {} : { limits: keyOptions.limits }),
      });
      return { key, id: record.id, accountId: account.id };
    },
    client(key) {
      return new OpenAI({
        apiKey: key,
        baseURL: `${gateway.url}/api/v1`,
        maxRetries: 0,
        timeout: 20_000,
      });
    },
    async usageRecords() {
      await gateway.settlements.flush();
      return gateway.store.usage.list({ limit: 1000 });
    },
    async close() {
      await gateway.close();
      rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}

/** Makes the next API key id of the (migrated, keyless) SQLite database `firstId`. */
function moveKeySequence(dataDirectory: string, firstId: number): void {
  const database = new Database(path.join(dataDirectory, 'switchyard.db'));
  try {
    // AUTOINCREMENT continues after the table's row in sqlite_sequence.
    database.prepare("delete from sqlite_sequence where name = 'api_keys'").run();
    database
      .prepare("insert into sqlite_sequence (name, seq) values ('api_keys', ?)")
      .run(firstId - 1);
  } finally {
    database.close();
  }
}
