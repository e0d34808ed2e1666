import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { startMockOpenAIUpstream, type MockUpstream } from '../support/mock-openai-upstream.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gatewayWithStreams(
  chunkCount: number,
  chunkDelayMilliseconds: number,
  shutdownTimeoutMilliseconds: number,
): Promise<{ gateway: TestGateway; upstream: MockUpstream }> {
  const upstream = await startMockOpenAIUpstream({ chunkCount, chunkDelayMilliseconds });
  cleanups.push(() => upstream.close());
  const gateway = await startTestGateway({
    upstreamBaseUrl: upstream.baseUrl,
    environment: {
      SWITCHYARD_SHUTDOWN_TIMEOUT_MILLISECONDS: String(shutdownTimeoutMilliseconds),
    },
  });
  // The test stops the gateway itself; this only removes what it left on disk.
  cleanups.push(async () => rmSync(gateway.dataDirectory, { recursive: true, force: true }));
  return { gateway, upstream };
}

/** The usage records the stopped gateway wrote, read from its database file. */
async function recordsOnDisk(gateway: TestGateway) {
  const store = openSqliteStore(path.join(gateway.dataDirectory, 'switchyard.db'));
  try {
    return await store.usage.list({ limit: 100 });
  } finally {
    await store.close();
  }
}

describe('stopping a gateway', () => {
  it('lets an open stream finish, then writes its usage before it exits', async () => {
    const { gateway } = await gatewayWithStreams(8, 50, 60_000);
    const { key } = await gateway.createKey();
    const stream = await gateway.client(key).chat.completions.create({
      model: 'mock-chat',
      messages: [{ role: 'user', content: 'a stream that outlives the stop signal' }],
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const stopped = gateway.gateway.close();
    let rest = 0;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest += 1;
    await stopped;
    expect(rest).toBeGreaterThan(0);
    const [record] = await recordsOnDisk(gateway);
    expect(record).toMatchObject({ status: 200, stream: true });
    expect(record?.completionTokens).toBeGreaterThan(0);
  });

  it('cuts a stream still open at the shutdown timeout, charging what it delivered', async () => {
    // 120 chunks a second apart: two minutes, far past the 300 ms timeout.
    const { gateway } = await gatewayWithStreams(120, 1_000, 300);
    const { key, accountId } = await gateway.createKey();
    const stream = await gateway.client(key).chat.completions.create({
      model: 'mock-chat',
      messages: [{ role: 'user', content: 'a stream that never ends in time' }],
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await gateway.gateway.close();
    await expect(
      (async () => {
        for (let next = await iterator.next(); !next.done; next = await iterator.next());
      })(),
    ).rejects.toThrow();

    const [record] = await recordsOnDisk(gateway);
    expect(record).toBeDefined();
    expect(record?.status).not.toBe(200);
    expect(record?.cost).toBeGreaterThan(0);
    const store = openSqliteStore(path.join(gateway.dataDirectory, 'switchyard.db'));
    try {
      const wallet = await store.wallets.find(accountId);
      expect(wallet?.held).toBe(0);
      expect(await store.wallets.verify()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
