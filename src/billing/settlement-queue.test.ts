import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../store/contract.js';
import type { Settlement } from '../store/money-contract.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite-store.js';
import { SettlementQueue } from './settlement-queue.js';

let directory: string;
let store: Store;
let accountId: number;
let keyId: number;

beforeEach(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-settle-'));
  store = openSqliteStore(path.join(directory, 'switchyard.db'));
  await store.migrate();
  accountId = (await store.accounts.create({ username: 'payer', role: 'user' })).id;
  keyId = (await store.apiKeys.create({ accountId, name: 'k', keyHash: 'h', keyPrefix: 'sk-x' }))
    .id;
  await store.wallets.move({
    accountId,
    amount: 1_000,
    kind: 'topup',
    actorAccountId: null,
    reason: null,
  });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

function settlement(requestId: string, cost: number, createdAt = 1_000): Settlement {
  return {
    usage: {
      requestId,
      accountId,
      apiKeyId: keyId,
      modelId: 'm',
      deploymentId: null,
      promptTokens: 1,
      completionTokens: 1,
      cachedTokens: 0,
      cost,
      status: 200,
      errorCode: null,
      latencyMilliseconds: 1,
      firstTokenMilliseconds: 1,
      stream: false,
      createdAt,
    },
    hold: null,
  };
}

const options = (onError = vi.fn()) => ({
  flushIntervalMilliseconds: 60_000,
  batchSize: 3,
  onError,
});

describe('SettlementQueue', () => {
  it('settles everything enqueued in batches no larger than batchSize', async () => {
    const settle = vi.spyOn(store.wallets, 'settle');
    const queue = new SettlementQueue(store, options());
    for (let index = 0; index < 7; index++) queue.enqueue(settlement(`r${index}`, 10));
    await queue.flush();
    expect(settle.mock.calls.every(([batch]) => batch.length <= 3)).toBe(true);
    expect((await store.wallets.find(accountId))?.balance).toBe(930);
    expect(await store.usage.list({ accountId })).toHaveLength(7);
    expect(queue.queueDepth()).toBe(0);
  });

  it('keeps a failed batch and settles it on the next flush, charging once', async () => {
    const onError = vi.fn();
    const queue = new SettlementQueue(store, options(onError));
    const settle = vi
      .spyOn(store.wallets, 'settle')
      .mockRejectedValueOnce(new Error('database is locked'));
    queue.enqueue(settlement('a', 100));
    queue.enqueue(settlement('b', 100));
    await expect(queue.flush()).rejects.toThrow('database is locked');
    expect(onError).toHaveBeenCalledTimes(1);
    expect(queue.queueDepth()).toBe(2);
    await queue.flush();
    expect(settle).toHaveBeenCalledTimes(2);
    expect((await store.wallets.find(accountId))?.balance).toBe(800);
  });

  it('records when each key was last used', async () => {
    const queue = new SettlementQueue(store, options());
    queue.enqueue(settlement('late', 1, 5_000));
    queue.enqueue(settlement('early', 1, 2_000));
    await queue.close();
    expect((await store.apiKeys.findById(keyId))?.lastUsedAt).toBe(5_000);
  });
});
