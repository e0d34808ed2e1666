import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../store/contract.js';
import type { UsageRecord } from '../store/records.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite-store.js';
import { UsageRecorder, type UsageRecorderOptions } from './usage-recorder.js';

let directory: string;
let store: Store;
/** The sizes of the batches the recorder handed to the store, failed ones included. */
let batches: number[];
/** When set, the next insertMany throws this instead of writing. */
let failNext: Error | undefined;
/** The store as the recorder sees it: the real one, watched, able to fail on demand. */
let watched: Store;
let errors: Array<{ error: unknown; count: number }>;
const recorders: UsageRecorder[] = [];

beforeEach(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-'));
  store = openSqliteStore(path.join(directory, 'switchyard.db'));
  await store.migrate();
  batches = [];
  failNext = undefined;
  errors = [];
  watched = {
    ...store,
    usage: {
      ...store.usage,
      insertMany: async (records) => {
        batches.push(records.length);
        if (failNext) {
          const error = failNext;
          failNext = undefined;
          throw error;
        }
        return store.usage.insertMany(records);
      },
    },
  };
});

afterEach(async () => {
  for (const recorder of recorders.splice(0)) await recorder.close();
  await store.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

function newRecorder(options: Partial<UsageRecorderOptions> = {}): UsageRecorder {
  const recorder = new UsageRecorder(watched, {
    // Long enough never to fire during a test: flushes here are the test's own or batch-driven.
    flushIntervalMilliseconds: 60_000,
    batchSize: 100,
    onError: (error, count) => errors.push({ error, count }),
    ...options,
  });
  recorders.push(recorder);
  return recorder;
}

let sequence = 0;
function usage(overrides: Partial<UsageRecord> = {}): UsageRecord {
  sequence++;
  return {
    requestId: `request-${sequence}`,
    accountId: 1,
    apiKeyId: 1,
    modelId: 'model',
    deploymentId: null,
    promptTokens: 10,
    completionTokens: 5,
    cachedTokens: 0,
    cost: 42,
    status: 200,
    errorCode: null,
    latencyMilliseconds: 100,
    firstTokenMilliseconds: null,
    stream: false,
    createdAt: 1_700_000_000_000 + sequence,
    ...overrides,
  };
}

async function stored(): Promise<UsageRecord[]> {
  return store.usage.list({ limit: 100_000 });
}

describe('UsageRecorder', () => {
  it('holds records until a flush, then writes them all in one batch', async () => {
    const recorder = newRecorder();
    const records = Array.from({ length: 7 }, () => usage());
    for (const record of records) recorder.record(record);
    expect(recorder.queueDepth()).toBe(7);
    expect(await stored()).toEqual([]);

    await recorder.flush();
    expect(recorder.queueDepth()).toBe(0);
    expect(batches).toEqual([7]);
    expect(await stored()).toEqual([...records].reverse());
  });

  it('does not call the store for an empty flush', async () => {
    const recorder = newRecorder();
    await recorder.flush();
    expect(batches).toEqual([]);
  });

  it('starts a write as soon as batchSize records are waiting', async () => {
    const recorder = newRecorder({ batchSize: 5 });
    for (let index = 0; index < 4; index++) recorder.record(usage());
    expect(recorder.queueDepth()).toBe(4);
    expect(batches).toEqual([]);

    recorder.record(usage());
    // The write took the queue at once, without waiting for the timer or a flush call.
    expect(recorder.queueDepth()).toBe(0);
    expect(batches).toEqual([5]);
    await recorder.flush();
    expect(await stored()).toHaveLength(5);
  });

  it('writes a backlog in transactions of at most batchSize records', async () => {
    const recorder = newRecorder({ batchSize: 4 });
    // The fourth record starts a write; the nine after it pile up while that write is open.
    for (let index = 0; index < 13; index++) recorder.record(usage());
    expect(recorder.queueDepth()).toBe(9);
    await recorder.flush();
    expect(batches.every((size) => size <= 4)).toBe(true);
    expect(batches.reduce((sum, size) => sum + size, 0)).toBe(13);
    expect(await stored()).toHaveLength(13);
  });

  it('close() writes what is left', async () => {
    const recorder = newRecorder();
    recorder.start();
    const records = [usage(), usage(), usage()];
    for (const record of records) recorder.record(record);
    await recorder.close();
    expect(recorder.queueDepth()).toBe(0);
    expect((await stored()).map((record) => record.requestId).sort()).toEqual(
      records.map((record) => record.requestId).sort(),
    );
  });

  it('flushes on its timer once started, and no more after close()', async () => {
    vi.useFakeTimers();
    try {
      const recorder = newRecorder({ flushIntervalMilliseconds: 1_000 });
      recorder.start();
      recorder.record(usage());
      vi.advanceTimersByTime(999);
      expect(batches).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(batches).toEqual([1]);

      await recorder.close();
      recorder.record(usage());
      vi.advanceTimersByTime(10_000);
      expect(batches).toEqual([1]);
      expect(recorder.queueDepth()).toBe(1);
      await recorder.flush();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a batch the store refused, reports it, and writes it on the next flush', async () => {
    const recorder = newRecorder();
    const first = [usage(), usage(), usage()];
    for (const record of first) recorder.record(record);
    const outage = new Error('database is locked');
    failNext = outage;

    await recorder.flush();
    expect(errors).toEqual([{ error: outage, count: 3 }]);
    expect(recorder.queueDepth()).toBe(3);
    expect(await stored()).toEqual([]);

    const later = usage();
    recorder.record(later);
    await recorder.flush();
    expect(recorder.queueDepth()).toBe(0);
    expect(errors).toHaveLength(1);
    // The kept records go first, in their original order.
    expect((await stored()).map((record) => record.requestId)).toEqual(
      [...first, later].reverse().map((record) => record.requestId),
    );
  });

  it('writes nothing twice when a retried batch overlaps what was stored', async () => {
    const recorder = newRecorder();
    const record = usage();
    await store.usage.insertMany([record]);
    recorder.record(record);
    recorder.record(usage());
    await recorder.flush();
    expect(await stored()).toHaveLength(2);
  });

  it('lets concurrent flushes share the work without losing or doubling records', async () => {
    const recorder = newRecorder();
    for (let index = 0; index < 10; index++) recorder.record(usage());
    const first = recorder.flush();
    for (let index = 0; index < 10; index++) recorder.record(usage());
    await Promise.all([first, recorder.flush(), recorder.flush()]);
    expect(recorder.queueDepth()).toBe(0);
    expect(await stored()).toHaveLength(20);
    expect(batches.reduce((sum, size) => sum + size, 0)).toBe(20);
  });
});
