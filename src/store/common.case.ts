import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelPrices } from '../billing/cost.js';
import type { DeploymentTimeouts } from '../config/schema.js';
import type { ProviderInput, Store } from './contract.js';
import type { AccountRecord, UsageRecord } from './records.js';

const timeouts: DeploymentTimeouts = {
  connectMilliseconds: 1_000,
  firstByteMilliseconds: 2_000,
  idleMilliseconds: 3_000,
};

const prices: ModelPrices = {
  input: 270_000,
  output: 1_100_000,
  cachedInput: 70_000,
  perRequest: 5,
};

/**
 * The contract every `Store` implementation must meet, run once per implementation. It uses only
 * the `Store` interface, and every name it writes is unique to its test, so an implementation
 * whose `open` hands out a shared database (PostgreSQL) passes as well as one that hands out a
 * fresh file each time.
 */
export function storeContractSuite(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let closed: boolean;
    /** Unique per test, so names never collide in a shared database. */
    let tag: string;

    beforeEach(async () => {
      store = await open();
      closed = false;
      tag = randomUUID().slice(0, 8);
    });

    afterEach(async () => {
      if (!closed) await store.close();
    });

    const unique = (base: string) => `${base}-${tag}`;

    function createAccount(base: string, extra: { parentId?: number } = {}) {
      return store.accounts.create({ username: unique(base), role: 'user', ...extra });
    }

    function providerInput(base: string, overrides: Partial<ProviderInput> = {}): ProviderInput {
      return {
        name: unique(base),
        kind: 'openai-compatible',
        baseUrl: 'https://upstream.example/v1',
        apiKeyEncrypted: 'v1:sealed',
        settings: { streamUsage: true, maxTokensField: 'max_tokens', headers: {} },
        ...overrides,
      };
    }

    /** Asserts `action` moves the catalog version strictly up. */
    async function expectVersionBump(action: () => Promise<unknown>): Promise<void> {
      const before = await store.catalog.version();
      await action();
      expect(await store.catalog.version()).toBeGreaterThan(before);
    }

    describe('accounts', () => {
      it('creates an account with defaults and finds it by id and by username', async () => {
        const before = Date.now();
        const created = await store.accounts.create({
          username: unique('alice'),
          email: `alice-${tag}@example.com`,
          role: 'agent',
          passwordHash: 'scrypt$hash',
        });
        expect(created).toMatchObject({
          username: unique('alice'),
          email: `alice-${tag}@example.com`,
          role: 'agent',
          parentId: null,
          passwordHash: 'scrypt$hash',
          status: 'active',
        });
        expect(Number.isInteger(created.id)).toBe(true);
        expect(created.createdAt).toBeGreaterThanOrEqual(before);
        expect(created.createdAt).toBeLessThanOrEqual(Date.now());

        expect(await store.accounts.findById(created.id)).toEqual(created);
        expect(await store.accounts.findByUsername(unique('alice'))).toEqual(created);
      });

      it('stores absent optional fields as null', async () => {
        const created = await createAccount('bare');
        expect(created).toMatchObject({ email: null, parentId: null, passwordHash: null });
        expect(await store.accounts.findById(created.id)).toEqual(created);
      });

      it('answers undefined for an unknown id or username', async () => {
        expect(await store.accounts.findByUsername(unique('nobody'))).toBeUndefined();
        expect(await store.accounts.findById(2_000_000_000)).toBeUndefined();
      });

      it('rejects a second account with the same username', async () => {
        await createAccount('twin');
        await expect(createAccount('twin')).rejects.toThrow();
        const matching = (await store.accounts.list()).filter(
          (account) => account.username === unique('twin'),
        );
        expect(matching).toHaveLength(1);
      });

      it('keeps the parent of a user who belongs to an agent', async () => {
        const agent = await store.accounts.create({ username: unique('agent'), role: 'agent' });
        const user = await createAccount('customer', { parentId: agent.id });
        expect(user.parentId).toBe(agent.id);
        expect((await store.accounts.findById(user.id))?.parentId).toBe(agent.id);
      });

      it('lists accounts in creation order and counts them', async () => {
        const countBefore = await store.accounts.count();
        const created: AccountRecord[] = [];
        for (const base of ['zed', 'amy', 'mia']) created.push(await createAccount(base));
        expect(await store.accounts.count()).toBe(countBefore + 3);

        const listed = await store.accounts.list();
        const ours = listed.filter((account) => account.username.endsWith(`-${tag}`));
        expect(ours).toEqual(created);
        const ids = listed.map((account) => account.id);
        expect(ids).toEqual([...ids].sort((left, right) => left - right));
      });
    });

    describe('apiKeys', () => {
      let account: AccountRecord;

      beforeEach(async () => {
        account = await createAccount('owner');
      });

      const keyInput = (base: string) => ({
        accountId: account.id,
        name: base,
        keyHash: unique(`hash-${base}`),
        keyPrefix: `sk-${base}`.slice(0, 10),
      });

      it('creates an active key with defaults and finds it by hash and by id', async () => {
        const created = await store.apiKeys.create(keyInput('main'));
        expect(created).toMatchObject({
          accountId: account.id,
          name: 'main',
          keyHash: unique('hash-main'),
          keyPrefix: 'sk-main',
          status: 'active',
          expiresAt: null,
          allowedModels: null,
          limits: {},
          lastUsedAt: null,
        });
        expect(typeof created.createdAt).toBe('number');
        expect(await store.apiKeys.findByHash(unique('hash-main'))).toEqual(created);
        expect(await store.apiKeys.findById(created.id)).toEqual(created);
      });

      it('answers undefined for an unknown hash or id', async () => {
        expect(await store.apiKeys.findByHash(unique('missing'))).toBeUndefined();
        expect(await store.apiKeys.findById(2_000_000_000)).toBeUndefined();
      });

      it('rejects a second key with the same hash', async () => {
        await store.apiKeys.create(keyInput('first'));
        await expect(
          store.apiKeys.create({ ...keyInput('second'), keyHash: unique('hash-first') }),
        ).rejects.toThrow();
      });

      it('round-trips the model allowlist: null allows every model, a list is kept in order', async () => {
        const open = await store.apiKeys.create({ ...keyInput('open'), allowedModels: null });
        const listed = await store.apiKeys.create({
          ...keyInput('listed'),
          allowedModels: ['gpt-4o-mini', 'deepseek-chat'],
        });
        const none = await store.apiKeys.create({ ...keyInput('none'), allowedModels: [] });
        expect((await store.apiKeys.findById(open.id))?.allowedModels).toBeNull();
        expect((await store.apiKeys.findById(listed.id))?.allowedModels).toEqual([
          'gpt-4o-mini',
          'deepseek-chat',
        ]);
        expect(listed.allowedModels).toEqual(['gpt-4o-mini', 'deepseek-chat']);
        expect((await store.apiKeys.findById(none.id))?.allowedModels).toEqual([]);
      });

      it('round-trips limits and the expiry time', async () => {
        const limits = {
          rpm: 60,
          tpm: 100_000,
          rpd: 1_000,
          dailySpend: 5_000_000,
          tokenQuota: 2_000_000,
          maxConcurrency: 4,
        };
        const expiresAt = Date.UTC(2031, 0, 2, 3, 4, 5, 678);
        const created = await store.apiKeys.create({
          ...keyInput('limited'),
          limits,
          expiresAt,
        });
        const found = await store.apiKeys.findByHash(unique('hash-limited'));
        expect(found?.limits).toEqual(limits);
        expect(found?.expiresAt).toBe(expiresAt);
        expect(created.limits).toEqual(limits);

        const partial = await store.apiKeys.create({ ...keyInput('partial'), limits: { rpm: 5 } });
        expect((await store.apiKeys.findById(partial.id))?.limits).toEqual({ rpm: 5 });
      });

      it('lists keys in creation order, filtered by account', async () => {
        const other = await createAccount('other');
        const first = await store.apiKeys.create(keyInput('one'));
        const foreign = await store.apiKeys.create({
          ...keyInput('foreign'),
          accountId: other.id,
        });
        const second = await store.apiKeys.create(keyInput('two'));

        expect(await store.apiKeys.list({ accountId: account.id })).toEqual([first, second]);
        expect(await store.apiKeys.list({ accountId: other.id })).toEqual([foreign]);
        const everything = (await store.apiKeys.list()).filter((key) =>
          [first.id, second.id, foreign.id].includes(key.id),
        );
        expect(everything).toEqual([first, foreign, second]);
        expect(await store.apiKeys.list({})).toEqual(await store.apiKeys.list());
      });

      it('sets the status, and answers false for an unknown id', async () => {
        const created = await store.apiKeys.create(keyInput('toggled'));
        expect(await store.apiKeys.setStatus(created.id, 'disabled')).toBe(true);
        expect((await store.apiKeys.findById(created.id))?.status).toBe('disabled');
        expect((await store.apiKeys.findByHash(created.keyHash))?.status).toBe('disabled');
        expect(await store.apiKeys.setStatus(created.id, 'active')).toBe(true);
        expect((await store.apiKeys.findById(created.id))?.status).toBe('active');
        expect(await store.apiKeys.setStatus(2_000_000_000, 'disabled')).toBe(false);
      });
    });

    describe('catalog', () => {
      it('bumps the version on every key create and status change', async () => {
        const account = await createAccount('versioned');
        let keyId = 0;
        await expectVersionBump(async () => {
          keyId = (
            await store.apiKeys.create({
              accountId: account.id,
              name: 'k',
              keyHash: unique('hash'),
              keyPrefix: 'sk-k',
            })
          ).id;
        });
        await expectVersionBump(() => store.apiKeys.setStatus(keyId, 'disabled'));
        await expectVersionBump(() => store.apiKeys.setStatus(keyId, 'active'));
      });

      it('bumps the version on every catalog write', async () => {
        let providerId = 0;
        await expectVersionBump(async () => {
          providerId = (await store.catalog.upsertProvider(providerInput('vp'))).id;
        });
        await expectVersionBump(() =>
          store.catalog.upsertProvider(providerInput('vp', { baseUrl: 'https://moved.example' })),
        );
        await expectVersionBump(() =>
          store.catalog.upsertModel({ id: unique('vm'), kind: 'chat', prices }, { replace: false }),
        );
        await expectVersionBump(() =>
          store.catalog.upsertModel({ id: unique('vm'), kind: 'chat', prices }, { replace: true }),
        );
        await expectVersionBump(() =>
          store.catalog.setModelPrices(unique('vm'), { ...prices, input: 1 }),
        );
        const deployment = {
          modelId: unique('vm'),
          providerId,
          upstreamModel: 'upstream-vm',
          priority: 0,
          weight: 1,
          timeouts,
        };
        const created = await store.catalog.ensureDeployment(deployment);
        await expectVersionBump(() => store.catalog.updateDeployment(created.id, { weight: 2 }));
      });

      it('does not move the version on reads', async () => {
        await store.catalog.upsertProvider(providerInput('read'));
        const version = await store.catalog.version();
        await store.catalog.listProviders();
        await store.catalog.listModels();
        await store.catalog.listDeployments();
        await store.catalog.findProviderByName(unique('read'));
        await store.catalog.findModel(unique('none'));
        await store.apiKeys.list();
        expect(await store.catalog.version()).toBe(version);
      });

      it('creates a provider and updates it in place when the name is upserted again', async () => {
        const created = await store.catalog.upsertProvider(
          providerInput('acme', {
            settings: {
              streamUsage: false,
              maxTokensField: 'max_completion_tokens',
              headers: { 'x-team': 'blue' },
            },
          }),
        );
        expect(created).toMatchObject({
          name: unique('acme'),
          kind: 'openai-compatible',
          baseUrl: 'https://upstream.example/v1',
          apiKeyEncrypted: 'v1:sealed',
          settings: {
            streamUsage: false,
            maxTokensField: 'max_completion_tokens',
            headers: { 'x-team': 'blue' },
          },
        });
        expect(await store.catalog.findProviderByName(unique('acme'))).toEqual(created);

        const updated = await store.catalog.upsertProvider(
          providerInput('acme', { baseUrl: 'http://127.0.0.1:9000', apiKeyEncrypted: null }),
        );
        expect(updated.id).toBe(created.id);
        expect(updated).toMatchObject({
          baseUrl: 'http://127.0.0.1:9000',
          apiKeyEncrypted: null,
          settings: { streamUsage: true, maxTokensField: 'max_tokens', headers: {} },
        });
        expect(updated.createdAt).toBe(created.createdAt);
        expect(updated.updatedAt).toBeGreaterThanOrEqual(created.updatedAt);
        expect(await store.catalog.findProviderByName(unique('acme'))).toEqual(updated);
        const named = (await store.catalog.listProviders()).filter(
          (provider) => provider.name === unique('acme'),
        );
        expect(named).toEqual([updated]);
      });

      it('answers undefined for an unknown provider or model', async () => {
        expect(await store.catalog.findProviderByName(unique('ghost'))).toBeUndefined();
        expect(await store.catalog.findModel(unique('ghost'))).toBeUndefined();
      });

      it('lists providers in creation order', async () => {
        const second = await store.catalog.upsertProvider(providerInput('zeta'));
        const first = await store.catalog.upsertProvider(providerInput('alpha'));
        const ours = (await store.catalog.listProviders()).filter((provider) =>
          provider.name.endsWith(`-${tag}`),
        );
        expect(ours).toEqual([second, first]);
      });

      it('creates a model with its prices and sizes', async () => {
        const created = await store.catalog.upsertModel(
          {
            id: unique('chat'),
            kind: 'chat',
            prices,
            contextWindow: 128_000,
            maxOutputTokens: 16_384,
          },
          { replace: false },
        );
        expect(created).toMatchObject({
          id: unique('chat'),
          kind: 'chat',
          prices,
          contextWindow: 128_000,
          maxOutputTokens: 16_384,
        });
        expect(await store.catalog.findModel(unique('chat'))).toEqual(created);

        const embedding = await store.catalog.upsertModel(
          { id: unique('embed'), kind: 'embedding', prices: { ...prices, output: 0 } },
          { replace: false },
        );
        expect(embedding).toMatchObject({
          kind: 'embedding',
          contextWindow: null,
          maxOutputTokens: null,
        });
      });

      it('keeps a stored model on upsert without replace', async () => {
        const created = await store.catalog.upsertModel(
          { id: unique('kept'), kind: 'chat', prices, contextWindow: 1_000 },
          { replace: false },
        );
        const again = await store.catalog.upsertModel(
          {
            id: unique('kept'),
            kind: 'embedding',
            prices: { input: 1, output: 2, cachedInput: 3, perRequest: 4 },
            contextWindow: 9_999,
          },
          { replace: false },
        );
        expect(again).toEqual(created);
        expect(await store.catalog.findModel(unique('kept'))).toEqual(created);
      });

      it('overwrites kind, prices and sizes on upsert with replace', async () => {
        const created = await store.catalog.upsertModel(
          { id: unique('swap'), kind: 'chat', prices, contextWindow: 1_000, maxOutputTokens: 10 },
          { replace: false },
        );
        const newPrices = { input: 1, output: 2, cachedInput: 3, perRequest: 4 };
        const replaced = await store.catalog.upsertModel(
          { id: unique('swap'), kind: 'embedding', prices: newPrices, contextWindow: 9_999 },
          { replace: true },
        );
        expect(replaced).toMatchObject({
          id: unique('swap'),
          kind: 'embedding',
          prices: newPrices,
          contextWindow: 9_999,
          maxOutputTokens: null,
        });
        expect(replaced.createdAt).toBe(created.createdAt);
        expect(await store.catalog.findModel(unique('swap'))).toEqual(replaced);
      });

      it('sets model prices, and answers false for an unknown model', async () => {
        await store.catalog.upsertModel(
          { id: unique('priced'), kind: 'chat', prices },
          {
            replace: false,
          },
        );
        const newPrices = { input: 10, output: 20, cachedInput: 5, perRequest: 0 };
        expect(await store.catalog.setModelPrices(unique('priced'), newPrices)).toBe(true);
        expect((await store.catalog.findModel(unique('priced')))?.prices).toEqual(newPrices);
        expect(await store.catalog.setModelPrices(unique('unknown'), newPrices)).toBe(false);
        expect(await store.catalog.findModel(unique('unknown'))).toBeUndefined();
      });

      it('lists models sorted by id', async () => {
        for (const base of ['m-c', 'm-a', 'm-b'])
          await store.catalog.upsertModel(
            { id: unique(base), kind: 'chat', prices },
            {
              replace: false,
            },
          );
        const ids = (await store.catalog.listModels())
          .map((model) => model.id)
          .filter((id) => id.endsWith(`-${tag}`));
        expect(ids).toEqual([unique('m-a'), unique('m-b'), unique('m-c')]);
      });

      it('creates a deployment once: the same model, provider and upstream model give the same id', async () => {
        const provider = await store.catalog.upsertProvider(providerInput('dep'));
        await store.catalog.upsertModel(
          { id: unique('dm'), kind: 'chat', prices },
          {
            replace: false,
          },
        );
        const input = {
          modelId: unique('dm'),
          providerId: provider.id,
          upstreamModel: 'upstream-a',
          priority: 2,
          weight: 7,
          timeouts,
        };
        const created = await store.catalog.ensureDeployment(input);
        expect(created).toMatchObject({ ...input, enabled: true });
        const again = await store.catalog.ensureDeployment({ ...input, priority: 9, weight: 1 });
        expect(again).toEqual(created);
        const other = await store.catalog.ensureDeployment({
          ...input,
          upstreamModel: 'upstream-b',
        });
        expect(other.id).not.toBe(created.id);

        const ours = (await store.catalog.listDeployments()).filter(
          (deployment) => deployment.modelId === unique('dm'),
        );
        expect(ours).toEqual([created, other]);

        const replaced = await store.catalog.ensureDeployment(
          { ...input, priority: 9, weight: 3, timeouts: { ...timeouts, idleMilliseconds: 9 } },
          { replace: true },
        );
        expect(replaced).toMatchObject({ id: created.id, priority: 9, weight: 3 });
        expect(replaced.timeouts.idleMilliseconds).toBe(9);
      });

      it('updates a deployment: only the fields given, and nothing for an unknown id', async () => {
        const provider = await store.catalog.upsertProvider(providerInput('upd'));
        await store.catalog.upsertModel(
          { id: unique('um'), kind: 'chat', prices },
          { replace: false },
        );
        const created = await store.catalog.ensureDeployment({
          modelId: unique('um'),
          providerId: provider.id,
          upstreamModel: 'upstream-u',
          priority: 2,
          weight: 7,
          timeouts,
        });
        const disabled = await store.catalog.updateDeployment(created.id, { enabled: false });
        expect(disabled).toEqual({ ...created, enabled: false });
        const moved = await store.catalog.updateDeployment(created.id, {
          enabled: true,
          priority: 5,
          weight: 1,
          timeouts: { ...timeouts, connectMilliseconds: 42 },
        });
        expect(moved).toEqual({
          ...created,
          priority: 5,
          weight: 1,
          timeouts: { ...timeouts, connectMilliseconds: 42 },
        });
        expect(
          (await store.catalog.listDeployments()).find((row) => row.id === created.id),
        ).toEqual(moved);
        expect(await store.catalog.updateDeployment(987_654_321, { weight: 2 })).toBeUndefined();
      });

      it('lists deployments in creation order', async () => {
        const provider = await store.catalog.upsertProvider(providerInput('order'));
        const created = [];
        for (const base of ['d-z', 'd-a']) {
          await store.catalog.upsertModel(
            { id: unique(base), kind: 'chat', prices },
            {
              replace: false,
            },
          );
          created.push(
            await store.catalog.ensureDeployment({
              modelId: unique(base),
              providerId: provider.id,
              upstreamModel: base,
              priority: 0,
              weight: 1,
              timeouts,
            }),
          );
        }
        const ours = (await store.catalog.listDeployments()).filter(
          (deployment) => deployment.providerId === provider.id,
        );
        expect(ours).toEqual(created);
      });
    });

    describe('usage', () => {
      /** Account ids unique to the test, so filters see only this test's records. */
      let accountBase: number;

      beforeEach(() => {
        accountBase = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
      });

      function usage(requestId: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
        return {
          requestId: unique(requestId),
          accountId: accountBase,
          apiKeyId: 11,
          modelId: unique('model'),
          deploymentId: 3,
          promptTokens: 100,
          completionTokens: 20,
          cachedTokens: 10,
          cost: 12_345,
          status: 200,
          errorCode: null,
          latencyMilliseconds: 250,
          firstTokenMilliseconds: 80,
          stream: true,
          createdAt: 1_700_000_000_000,
          ...overrides,
        };
      }

      it('writes several records in one call and reads them back field for field', async () => {
        const records = [
          usage('a', { createdAt: 1_700_000_000_001 }),
          usage('b', {
            createdAt: 1_700_000_000_002,
            deploymentId: null,
            errorCode: 'upstream_unavailable',
            status: 502,
            firstTokenMilliseconds: null,
            stream: false,
            cost: 0,
          }),
          usage('c', { createdAt: 1_700_000_000_003, cachedTokens: 0 }),
        ];
        await store.usage.insertMany(records);
        const listed = await store.usage.list({ accountId: accountBase });
        expect(listed).toEqual([...records].reverse());
      });

      it('does nothing for an empty batch', async () => {
        await store.usage.insertMany([]);
        expect(await store.usage.list({ accountId: accountBase })).toEqual([]);
      });

      it('skips a record whose request id exists instead of throwing, keeping the first', async () => {
        const first = usage('dup', { cost: 1 });
        await store.usage.insertMany([first]);
        await expect(
          store.usage.insertMany([usage('dup', { cost: 2 }), usage('fresh', { cost: 3 })]),
        ).resolves.toBeUndefined();
        // A duplicate inside one batch is skipped as well.
        await store.usage.insertMany([usage('twice', { cost: 4 }), usage('twice', { cost: 5 })]);

        const listed = await store.usage.list({ accountId: accountBase });
        const byRequest = new Map(listed.map((record) => [record.requestId, record.cost]));
        expect(listed).toHaveLength(3);
        expect(byRequest.get(unique('dup'))).toBe(1);
        expect(byRequest.get(unique('fresh'))).toBe(3);
        expect(byRequest.get(unique('twice'))).toBe(4);
      });

      it('writes a batch larger than one statement can bind', async () => {
        const records = Array.from({ length: 5_000 }, (_, index) =>
          usage(`bulk-${index}`, { createdAt: 1_700_000_000_000 + index }),
        );
        await store.usage.insertMany(records);
        const listed = await store.usage.list({ accountId: accountBase, limit: 10_000 });
        expect(listed).toHaveLength(5_000);
        expect(listed[0]).toEqual(records[4_999]);
        expect(listed[4_999]).toEqual(records[0]);
      });

      it('lists newest first by request time, whatever order the records were written in', async () => {
        await store.usage.insertMany([usage('middle', { createdAt: 2_000 })]);
        await store.usage.insertMany([
          usage('newest', { createdAt: 3_000 }),
          usage('oldest', { createdAt: 1_000 }),
        ]);
        const listed = await store.usage.list({ accountId: accountBase });
        expect(listed.map((record) => record.requestId)).toEqual([
          unique('newest'),
          unique('middle'),
          unique('oldest'),
        ]);
      });

      it('filters by account, key and model, and honours the limit', async () => {
        const other = accountBase + 1;
        await store.usage.insertMany([
          usage('k1-m1', { apiKeyId: 1, createdAt: 1 }),
          usage('k1-m2', { apiKeyId: 1, modelId: unique('other-model'), createdAt: 2 }),
          usage('k2-m1', { apiKeyId: 2, createdAt: 3 }),
          usage('other-account', { accountId: other, apiKeyId: 1, createdAt: 4 }),
        ]);
        const ids = (records: UsageRecord[]) => records.map((record) => record.requestId);

        expect(ids(await store.usage.list({ accountId: accountBase }))).toEqual([
          unique('k2-m1'),
          unique('k1-m2'),
          unique('k1-m1'),
        ]);
        expect(ids(await store.usage.list({ accountId: other }))).toEqual([
          unique('other-account'),
        ]);
        expect(ids(await store.usage.list({ accountId: accountBase, apiKeyId: 1 }))).toEqual([
          unique('k1-m2'),
          unique('k1-m1'),
        ]);
        expect(ids(await store.usage.list({ modelId: unique('other-model') }))).toEqual([
          unique('k1-m2'),
        ]);
        expect(
          ids(await store.usage.list({ accountId: accountBase, modelId: unique('model') })),
        ).toEqual([unique('k2-m1'), unique('k1-m1')]);
        expect(ids(await store.usage.list({ accountId: accountBase, limit: 2 }))).toEqual([
          unique('k2-m1'),
          unique('k1-m2'),
        ]);
        expect(await store.usage.list({ accountId: accountBase, apiKeyId: 99 })).toEqual([]);
      });

      it('lists everything, newest first, without a filter', async () => {
        // Far in the future, so these are the newest records even in a shared database.
        const future = 4_000_000_000_000 + Math.floor(Math.random() * 1_000_000);
        await store.usage.insertMany([
          usage('any-1', { createdAt: future + 1 }),
          usage('any-2', { createdAt: future + 2 }),
        ]);
        const listed = await store.usage.list({ limit: 2 });
        expect(listed.map((record) => record.requestId)).toEqual([
          unique('any-2'),
          unique('any-1'),
        ]);
        expect(await store.usage.list({ limit: 1 })).toHaveLength(1);
      });
    });

    describe('lifecycle', () => {
      it('migrates again harmlessly, keeping the data', async () => {
        const account = await createAccount('survivor');
        const version = await store.catalog.version();
        await store.migrate();
        await store.migrate();
        expect(await store.pendingMigrations()).toEqual([]);
        expect(await store.accounts.findById(account.id)).toEqual(account);
        expect(await store.catalog.version()).toBe(version);
      });

      it('answers ping while open, and not after close', async () => {
        expect(await store.ping()).toBe(true);
        await store.close();
        closed = true;
        expect(await store.ping()).toBe(false);
      });

      it('names its dialect', () => {
        expect(['sqlite', 'postgres']).toContain(store.dialect);
      });
    });
  });
}
