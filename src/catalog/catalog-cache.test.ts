import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox, type SecretBox } from '../auth/secret-box.js';
import type { DeploymentTimeouts } from '../config/schema.js';
import type { Store } from '../store/contract.js';
import type { ProviderRecord } from '../store/records.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite-store.js';
import { CatalogCache } from './catalog-cache.js';

const timeouts: DeploymentTimeouts = {
  connectMilliseconds: 1_000,
  firstByteMilliseconds: 2_000,
  idleMilliseconds: 3_000,
};
const prices = { input: 270_000, output: 1_100_000, cachedInput: 70_000, perRequest: 0 };

let directory: string;
let file: string;
/** The gateway's handle on the database. */
let store: Store;
/** A second handle on the same file, as the CLI would open it. */
let cli: Store;
let secrets: SecretBox;
let alpha: ProviderRecord;
let beta: ProviderRecord;
let accountId: number;
const refreshErrors: unknown[] = [];
const caches: CatalogCache[] = [];

function newCache(over: Store = store, box: SecretBox = secrets): CatalogCache {
  const cache = new CatalogCache(over, box, {
    refreshMilliseconds: 60_000,
    onRefreshError: (error) => refreshErrors.push(error),
  });
  caches.push(cache);
  return cache;
}

/** A promise and the function that settles it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

beforeEach(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-'));
  file = path.join(directory, 'switchyard.db');
  store = openSqliteStore(file);
  await store.migrate();
  cli = openSqliteStore(file);
  await cli.migrate();
  secrets = createSecretBox(randomBytes(32));
  refreshErrors.length = 0;

  alpha = await store.catalog.upsertProvider({
    name: 'alpha',
    kind: 'openai-compatible',
    baseUrl: 'https://alpha.example:8443/v1/',
    apiKeyEncrypted: secrets.seal('sk-alpha-secret'),
    settings: {
      streamUsage: false,
      maxTokensField: 'max_completion_tokens',
      headers: { 'x-org': 'acme' },
    },
  });
  beta = await store.catalog.upsertProvider({
    name: 'beta',
    kind: 'openai-compatible',
    baseUrl: 'http://127.0.0.1:9000',
    apiKeyEncrypted: null,
    settings: { streamUsage: true, maxTokensField: 'max_tokens', headers: {} },
  });
  await store.catalog.upsertModel(
    { id: 'chat-a', kind: 'chat', prices, contextWindow: 128_000, maxOutputTokens: 4_096 },
    { replace: false },
  );
  await store.catalog.upsertModel(
    { id: 'embed-b', kind: 'embedding', prices: { ...prices, output: 0 } },
    { replace: false },
  );
  // Created lowest priority first, so the cache has to sort.
  await store.catalog.ensureDeployment({
    modelId: 'chat-a',
    providerId: beta.id,
    upstreamModel: 'beta-chat',
    priority: 5,
    weight: 2,
    timeouts,
  });
  await store.catalog.ensureDeployment({
    modelId: 'chat-a',
    providerId: alpha.id,
    upstreamModel: 'alpha-chat',
    priority: 0,
    weight: 7,
    timeouts,
  });
  accountId = (await store.accounts.create({ username: 'owner', role: 'user' })).id;
});

afterEach(async () => {
  for (const cache of caches.splice(0)) cache.stop();
  await store.close();
  await cli.close();
  fs.rmSync(directory, { recursive: true, force: true });
});

describe('CatalogCache models', () => {
  it('resolves models with their deployments, targets and decrypted secrets', async () => {
    const cache = newCache();
    await cache.refresh();

    const chat = cache.model('chat-a');
    expect(chat).toMatchObject({
      id: 'chat-a',
      kind: 'chat',
      prices,
      contextWindow: 128_000,
      maxOutputTokens: 4_096,
    });
    expect(chat?.deployments.map((deployment) => deployment.providerName)).toEqual([
      'alpha',
      'beta',
    ]);
    const [first, second] = chat?.deployments ?? [];
    expect(first).toMatchObject({ priority: 0, weight: 7, timeouts });
    expect(first?.target).toEqual({
      origin: 'https://alpha.example:8443',
      basePath: '/v1',
      apiKey: 'sk-alpha-secret',
      upstreamModel: 'alpha-chat',
      streamUsage: false,
      extraHeaders: { 'x-org': 'acme' },
    });
    expect(first?.adapter.kind).toBe('openai-compatible');
    expect(second).toMatchObject({ priority: 5, weight: 2 });
    expect(second?.target).toEqual({
      origin: 'http://127.0.0.1:9000',
      basePath: '',
      apiKey: null,
      upstreamModel: 'beta-chat',
      streamUsage: true,
      extraHeaders: {},
    });

    expect(cache.model('embed-b')).toMatchObject({ kind: 'embedding', deployments: [] });
    expect(cache.model('missing')).toBeUndefined();
    expect(cache.models().map((model) => model.id)).toEqual(['chat-a', 'embed-b']);
  });

  it('lists models sorted by id', async () => {
    await store.catalog.upsertModel({ id: 'aaa', kind: 'chat', prices }, { replace: false });
    await store.catalog.upsertModel({ id: 'zzz', kind: 'chat', prices }, { replace: false });
    const cache = newCache();
    await cache.refresh();
    expect(cache.models().map((model) => model.id)).toEqual(['aaa', 'chat-a', 'embed-b', 'zzz']);
  });

  it('skips disabled deployments and deployments whose provider or model is gone', async () => {
    const [real] = (await store.catalog.listDeployments()).filter(
      (deployment) => deployment.providerId === alpha.id,
    );
    if (!real) throw new Error('seed deployment missing');
    // The contract has no way to disable a deployment or orphan one yet; a store whose list
    // says so stands in for a database that holds such rows.
    const doctored: Store = {
      ...store,
      catalog: {
        ...store.catalog,
        listDeployments: async () => [
          ...(await store.catalog.listDeployments()),
          { ...real, id: 9_001, upstreamModel: 'disabled', enabled: false },
          { ...real, id: 9_002, upstreamModel: 'orphan', providerId: 424_242 },
          { ...real, id: 9_003, upstreamModel: 'no-model', modelId: 'deleted-model' },
        ],
      },
    };
    const cache = newCache(doctored);
    await cache.refresh();
    expect(cache.model('chat-a')?.deployments.map((deployment) => deployment.id)).toEqual(
      (await store.catalog.listDeployments())
        .sort((left, right) => left.priority - right.priority)
        .map((deployment) => deployment.id),
    );
    expect(cache.model('deleted-model')).toBeUndefined();
  });

  it('keeps deployments of equal priority in a stable order and sorts by priority', async () => {
    for (const [upstreamModel, priority] of [
      ['p3', 3],
      ['p1-first', 1],
      ['p1-second', 1],
      ['p2', 2],
    ] as const) {
      await store.catalog.ensureDeployment({
        modelId: 'embed-b',
        providerId: beta.id,
        upstreamModel,
        priority,
        weight: 1,
        timeouts,
      });
    }
    const cache = newCache();
    await cache.refresh();
    expect(
      cache.model('embed-b')?.deployments.map((deployment) => deployment.target.upstreamModel),
    ).toEqual(['p1-first', 'p1-second', 'p2', 'p3']);
  });

  it('fails the load with an actionable error when a secret was sealed under another key', async () => {
    const cache = newCache(store, createSecretBox(randomBytes(32)));
    await expect(cache.refresh()).rejects.toThrow(/SWITCHYARD_SECRET_KEY/);
  });

  it('start() loads at once, and stop() ends the polling', async () => {
    const cache = newCache();
    await cache.start();
    expect(cache.model('chat-a')).toBeDefined();
    cache.stop();
    expect(refreshErrors).toEqual([]);
  });
});

describe('CatalogCache keys', () => {
  it('remembers a loaded key, and remembers that a key does not exist', async () => {
    const key = await createKeyVia(store, 'hash-known');
    const cache = newCache();
    await cache.refresh();

    expect(cache.cachedKey('hash-known')).toBeUndefined();
    expect(await cache.loadKey('hash-known')).toMatchObject(key);
    expect(cache.cachedKey('hash-known')).toMatchObject(key);

    expect(await cache.loadKey('hash-unknown')).toBeNull();
    expect(cache.cachedKey('hash-unknown')).toBeNull();
  });

  it('answers from memory: a change is not seen until refresh', async () => {
    const key = await createKeyVia(store, 'hash-memory');
    const cache = newCache();
    await cache.refresh();
    await cache.loadKey('hash-memory');
    await cli.apiKeys.setStatus(key.id, 'disabled');
    expect(cache.cachedKey('hash-memory')?.status).toBe('active');
    await cache.refresh();
    expect(cache.cachedKey('hash-memory')).toBeUndefined();
    expect((await cache.loadKey('hash-memory'))?.status).toBe('disabled');
  });
});

describe('CatalogCache refresh after changes through a second handle', () => {
  it('finds a key the CLI created after the gateway cached "no such key"', async () => {
    const cache = newCache();
    await cache.refresh();
    expect(await cache.loadKey('hash-new')).toBeNull();

    const created = await createKeyVia(cli, 'hash-new');
    expect(cache.cachedKey('hash-new')).toBeNull();
    await cache.refresh();
    expect(cache.cachedKey('hash-new')).toBeUndefined();
    expect(await cache.loadKey('hash-new')).toMatchObject(created);
  });

  it('sees a key the CLI disabled', async () => {
    const key = await createKeyVia(store, 'hash-disable');
    const cache = newCache();
    await cache.refresh();
    expect((await cache.loadKey('hash-disable'))?.status).toBe('active');

    await cli.apiKeys.setStatus(key.id, 'disabled');
    await cache.refresh();
    expect((await cache.loadKey('hash-disable'))?.status).toBe('disabled');
    expect(cache.cachedKey('hash-disable')?.status).toBe('disabled');
  });

  it('sees a price the CLI changed', async () => {
    const cache = newCache();
    await cache.refresh();
    const newPrices = { input: 1, output: 2, cachedInput: 3, perRequest: 4 };
    await cli.catalog.setModelPrices('chat-a', newPrices);
    await cache.refresh();
    expect(cache.model('chat-a')?.prices).toEqual(newPrices);
    expect(cache.models().find((model) => model.id === 'chat-a')?.prices).toEqual(newPrices);
  });

  it('sees a model, provider and deployment the CLI added', async () => {
    const cache = newCache();
    await cache.refresh();
    const gamma = await cli.catalog.upsertProvider({
      name: 'gamma',
      kind: 'openai-compatible',
      baseUrl: 'https://gamma.example/openai/v1',
      apiKeyEncrypted: secrets.seal('sk-gamma'),
      settings: { streamUsage: true, maxTokensField: 'max_tokens', headers: {} },
    });
    await cli.catalog.upsertModel({ id: 'gamma-chat', kind: 'chat', prices }, { replace: false });
    await cli.catalog.ensureDeployment({
      modelId: 'gamma-chat',
      providerId: gamma.id,
      upstreamModel: 'g1',
      priority: 0,
      weight: 1,
      timeouts,
    });
    await cache.refresh();
    expect(cache.model('gamma-chat')?.deployments[0]?.target).toMatchObject({
      origin: 'https://gamma.example',
      basePath: '/openai/v1',
      apiKey: 'sk-gamma',
    });
  });

  it('keeps the same snapshot when nothing changed', async () => {
    const key = await createKeyVia(store, 'hash-stable');
    const cache = newCache();
    await cache.refresh();
    const models = cache.models();
    const chat = cache.model('chat-a');
    await cache.loadKey('hash-stable');

    await cache.refresh();
    expect(cache.models()).toBe(models);
    expect(cache.model('chat-a')).toBe(chat);
    expect(cache.cachedKey('hash-stable')).toMatchObject(key);
  });

  it('shares reloads: callers arriving during one share a single follow-up', async () => {
    let versionReads = 0;
    const counting: Store = {
      ...store,
      catalog: {
        ...store.catalog,
        version: async () => {
          versionReads++;
          return store.catalog.version();
        },
      },
    };
    const cache = newCache(counting);
    await cache.refresh();
    expect(versionReads).toBe(1);

    versionReads = 0;
    const running = cache.refresh();
    const followers = [cache.refresh(), cache.refresh(), cache.refresh()];
    expect(followers[1]).toBe(followers[0]);
    expect(followers[2]).toBe(followers[0]);
    await Promise.all([running, ...followers]);
    expect(versionReads).toBe(2);
  });

  it('sees a change made while a reload was already running', async () => {
    const key = await createKeyVia(store, 'hash-race');
    const gate = deferred();
    const versionRead = deferred();
    let gated = false;
    // This store reads the version, then stalls: the reload in flight has an old number.
    const slow: Store = {
      ...store,
      catalog: {
        ...store.catalog,
        version: async () => {
          const version = await store.catalog.version();
          if (gated) {
            gated = false;
            versionRead.resolve();
            await gate.promise;
          }
          return version;
        },
      },
    };
    const cache = newCache(slow);
    await cache.refresh();
    await cache.loadKey('hash-race');

    gated = true;
    const running = cache.refresh();
    await versionRead.promise;
    await cli.apiKeys.setStatus(key.id, 'disabled');
    const asked = cache.refresh();
    gate.resolve();
    await Promise.all([running, asked]);

    expect(cache.cachedKey('hash-race')).toBeUndefined();
    expect((await cache.loadKey('hash-race'))?.status).toBe('disabled');
  });

  it('does not cache a key read that a reload overtook', async () => {
    const key = await createKeyVia(store, 'hash-overtaken');
    const gate = deferred();
    const read = deferred();
    const slow: Store = {
      ...store,
      apiKeys: {
        ...store.apiKeys,
        findByHash: async (hash) => {
          const found = await store.apiKeys.findByHash(hash);
          read.resolve();
          await gate.promise;
          return found;
        },
      },
    };
    const cache = newCache(slow);
    await cache.refresh();

    const loading = cache.loadKey('hash-overtaken');
    await read.promise;
    await cli.apiKeys.setStatus(key.id, 'disabled');
    await cache.refresh();
    gate.resolve();
    expect((await loading)?.status).toBe('active');
    expect(cache.cachedKey('hash-overtaken')).toBeUndefined();
  });
});

function createKeyVia(via: Store, hash: string) {
  return via.apiKeys.create({ accountId, name: hash, keyHash: hash, keyPrefix: 'sk-test' });
}
