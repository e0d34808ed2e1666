import { describe, expect, it } from 'vitest';
import type { NewApiKey } from './contract.js';
import { farFuture, useStoreFixture, type StoreHarness } from './store-fixture.case.js';

/** Account updates and wallets, and API key updates, deletion and last-used times. */
export function accountKeyContractSuite(harness: StoreHarness): void {
  describe(`Store contract: ${harness.name}: account and key changes`, () => {
    const fixture = useStoreFixture(harness);

    describe('accounts', () => {
      it('creates every account with an empty, active wallet and no ledger', async () => {
        const account = await fixture.createAccount('walleted');
        const wallet = await fixture.store.wallets.find(account.id);
        expect(wallet).toEqual({
          accountId: account.id,
          balance: 0,
          held: 0,
          status: 'active',
          updatedAt: expect.any(Number) as number,
        });
        expect(await fixture.store.wallets.ledger(account.id)).toEqual([]);
        expect(await fixture.store.wallets.openHolds(account.id)).toEqual([]);
      });

      it('updates the email, and sets it back to null', async () => {
        const account = await fixture.createAccount('mail');
        const updated = await fixture.store.accounts.update(account.id, {
          email: `mail-${fixture.tag}@example.com`,
        });
        expect(updated).toEqual({ ...account, email: `mail-${fixture.tag}@example.com` });
        expect(await fixture.store.accounts.findById(account.id)).toEqual(updated);
        const cleared = await fixture.store.accounts.update(account.id, { email: null });
        expect(cleared).toEqual(account);
        expect(await fixture.store.accounts.findById(account.id)).toEqual(account);
      });

      it('updates the status and the password hash, leaving the rest', async () => {
        const account = await fixture.createAccount('locked', { email: 'locked@example.com' });
        const disabled = await fixture.store.accounts.update(account.id, { status: 'disabled' });
        expect(disabled).toEqual({ ...account, status: 'disabled' });
        const rehashed = await fixture.store.accounts.update(account.id, {
          passwordHash: 'scrypt$new',
        });
        expect(rehashed).toEqual({ ...account, status: 'disabled', passwordHash: 'scrypt$new' });
        const both = await fixture.store.accounts.update(account.id, {
          status: 'active',
          passwordHash: null,
        });
        expect(both).toEqual(account);
        expect(await fixture.store.accounts.findByUsername(account.username)).toEqual(account);
      });

      it('starts with no default limits, replaces them whole, and bumps the version for limits and status', async () => {
        const account = await fixture.createAccount('limited');
        expect(account.defaultLimits).toEqual({});
        const limits = { rpm: 30, tokenQuota: 1_000_000, tokenQuotaPeriod: 'month' as const };
        const version = await fixture.store.catalog.version();
        const limited = await fixture.store.accounts.update(account.id, { defaultLimits: limits });
        expect(limited).toEqual({ ...account, defaultLimits: limits });
        expect(await fixture.store.catalog.version()).toBeGreaterThan(version);
        expect((await fixture.store.accounts.findById(account.id))?.defaultLimits).toEqual(limits);

        const replaced = await fixture.store.accounts.update(account.id, {
          defaultLimits: { tpm: 5 },
        });
        expect(replaced?.defaultLimits).toEqual({ tpm: 5 });
        // Every key of a disabled account stops working: caches must notice.
        const beforeStatus = await fixture.store.catalog.version();
        await fixture.store.accounts.update(account.id, { status: 'disabled' });
        expect(await fixture.store.catalog.version()).toBeGreaterThan(beforeStatus);
      });

      it('answers the account unchanged for an empty patch, and undefined for an unknown id', async () => {
        const account = await fixture.createAccount('same');
        expect(await fixture.store.accounts.update(account.id, {})).toEqual(account);
        expect(await fixture.store.accounts.update(2_000_000_000, {})).toBeUndefined();
        expect(
          await fixture.store.accounts.update(2_000_000_000, { status: 'disabled' }),
        ).toBeUndefined();
      });

      it('lists the children of an agent in creation order, and nothing for others', async () => {
        const agent = await fixture.createAccount('agent', { role: 'agent' });
        const otherAgent = await fixture.createAccount('agent-2', { role: 'agent' });
        const first = await fixture.createAccount('child-b', { parentId: agent.id });
        const foreign = await fixture.createAccount('child-x', { parentId: otherAgent.id });
        const second = await fixture.createAccount('child-a', { parentId: agent.id });

        expect(await fixture.store.accounts.listChildren(agent.id)).toEqual([first, second]);
        expect(await fixture.store.accounts.listChildren(otherAgent.id)).toEqual([foreign]);
        expect(await fixture.store.accounts.listChildren(first.id)).toEqual([]);
        expect(await fixture.store.accounts.listChildren(2_000_000_000)).toEqual([]);
      });
    });

    describe('apiKeys', () => {
      async function createKey(base: string, extra: Partial<NewApiKey> = {}) {
        const account = await fixture.createAccount(`owner-${base}`);
        return fixture.store.apiKeys.create({
          accountId: account.id,
          name: base,
          keyHash: fixture.unique(`hash-${base}`),
          keyPrefix: 'sk-test',
          ...extra,
        });
      }

      /** Runs `action` and answers whether it moved the catalog version up. */
      async function bumps(action: () => Promise<unknown>): Promise<boolean> {
        const before = await fixture.store.catalog.version();
        await action();
        return (await fixture.store.catalog.version()) > before;
      }

      it('updates the name, expiry and limits, each on its own, bumping the version', async () => {
        const key = await createKey('changing', { limits: { rpm: 5, tpm: 100 } });
        let expected = key;

        expect(
          await bumps(async () => {
            const renamed = await fixture.store.apiKeys.update(key.id, { name: 'renamed' });
            expected = { ...expected, name: 'renamed' };
            expect(renamed).toEqual(expected);
          }),
        ).toBe(true);

        const expiresAt = Date.UTC(2031, 5, 6, 7, 8, 9, 10);
        expect(
          await bumps(async () => {
            expected = { ...expected, expiresAt };
            expect(await fixture.store.apiKeys.update(key.id, { expiresAt })).toEqual(expected);
          }),
        ).toBe(true);
        expect(
          await bumps(async () => {
            expected = { ...expected, expiresAt: null };
            expect(await fixture.store.apiKeys.update(key.id, { expiresAt: null })).toEqual(
              expected,
            );
          }),
        ).toBe(true);

        // Limits are replaced whole, not merged: what the patch leaves out is inherited again.
        const limits = { tpm: 9_000, dailySpend: 1_500_000, maxConcurrency: 2 };
        expect(
          await bumps(async () => {
            expected = { ...expected, limits };
            expect(await fixture.store.apiKeys.update(key.id, { limits })).toEqual(expected);
          }),
        ).toBe(true);
        expect(
          await bumps(async () => {
            expected = { ...expected, limits: {} };
            expect(await fixture.store.apiKeys.update(key.id, { limits: {} })).toEqual(expected);
          }),
        ).toBe(true);

        expect(await fixture.store.apiKeys.findById(key.id)).toEqual(expected);
        expect(await fixture.store.apiKeys.findByHash(key.keyHash)).toEqual(expected);
        expect(expected).toMatchObject({
          status: 'active',
          keyHash: key.keyHash,
          keyPrefix: key.keyPrefix,
          createdAt: key.createdAt,
          accountId: key.accountId,
        });
      });

      it('updates the allowlist between null, a list and an empty list', async () => {
        const key = await createKey('allow');
        expect(key.allowedModels).toBeNull();
        const steps: (string[] | null)[] = [['b-model', 'a-model'], null, [], ['only']];
        for (const allowedModels of steps) {
          expect(
            await bumps(async () => {
              const updated = await fixture.store.apiKeys.update(key.id, { allowedModels });
              expect(updated?.allowedModels).toEqual(allowedModels);
            }),
          ).toBe(true);
          expect((await fixture.store.apiKeys.findByHash(key.keyHash))?.allowedModels).toEqual(
            allowedModels,
          );
        }
      });

      it('updates several fields at once, answers the key for an empty patch and undefined for an unknown id', async () => {
        const key = await createKey('multi', { allowedModels: ['m'] });
        const updated = await fixture.store.apiKeys.update(key.id, {
          name: 'both',
          allowedModels: null,
          limits: { rpd: 3 },
        });
        const expected = { ...key, name: 'both', allowedModels: null, limits: { rpd: 3 } };
        expect(updated).toEqual(expected);
        expect(await fixture.store.apiKeys.update(key.id, {})).toEqual(expected);
        // Nothing changed, so no cache anywhere needs to reload.
        expect(
          await bumps(async () =>
            expect(
              await fixture.store.apiKeys.update(2_000_000_000, { name: 'ghost' }),
            ).toBeUndefined(),
          ),
        ).toBe(false);
        expect(await fixture.store.apiKeys.update(2_000_000_000, {})).toBeUndefined();
      });

      it('deletes a key, bumping the version, and answers false the second time', async () => {
        const key = await createKey('doomed');
        const kept = await fixture.store.apiKeys.create({
          accountId: key.accountId,
          name: 'kept',
          keyHash: fixture.unique('hash-kept'),
          keyPrefix: 'sk-kept',
        });
        const record = fixture.usage(key.accountId, 'by-doomed', { apiKeyId: key.id });
        await fixture.store.usage.insertMany([record]);

        expect(
          await bumps(async () => expect(await fixture.store.apiKeys.delete(key.id)).toBe(true)),
        ).toBe(true);
        expect(await fixture.store.apiKeys.findById(key.id)).toBeUndefined();
        expect(await fixture.store.apiKeys.findByHash(key.keyHash)).toBeUndefined();
        expect(await fixture.store.apiKeys.list({ accountId: key.accountId })).toEqual([kept]);
        expect(await fixture.store.apiKeys.setStatus(key.id, 'disabled')).toBe(false);
        expect(await fixture.store.apiKeys.update(key.id, { name: 'zombie' })).toBeUndefined();
        // The usage the key ran up stays.
        expect(await fixture.store.usage.findByRequestId(record.requestId)).toEqual(record);

        expect(await fixture.store.apiKeys.delete(key.id)).toBe(false);
        expect(await fixture.store.apiKeys.delete(2_000_000_000)).toBe(false);
      });

      it('touches last-used times forward only, many at once, without bumping the version', async () => {
        const first = await createKey('touch-1');
        const second = await createKey('touch-2');
        const version = await fixture.store.catalog.version();

        await fixture.store.apiKeys.touch(
          new Map([
            [first.id, 1_700_000_000_000],
            [second.id, 1_700_000_000_500],
          ]),
        );
        expect((await fixture.store.apiKeys.findById(first.id))?.lastUsedAt).toBe(
          1_700_000_000_000,
        );
        expect((await fixture.store.apiKeys.findById(second.id))?.lastUsedAt).toBe(
          1_700_000_000_500,
        );

        // An older time (a batch from a slower instance) never moves it backwards.
        await fixture.store.apiKeys.touch(new Map([[first.id, 1_600_000_000_000]]));
        expect((await fixture.store.apiKeys.findById(first.id))?.lastUsedAt).toBe(
          1_700_000_000_000,
        );

        await fixture.store.apiKeys.touch(
          new Map([
            [first.id, 1_700_000_009_000],
            [2_000_000_000, farFuture],
          ]),
        );
        await fixture.store.apiKeys.touch(new Map());
        const touched = await fixture.store.apiKeys.findById(first.id);
        expect(touched).toEqual({ ...first, lastUsedAt: 1_700_000_009_000 });
        expect((await fixture.store.apiKeys.findById(second.id))?.lastUsedAt).toBe(
          1_700_000_000_500,
        );
        expect(await fixture.store.catalog.version()).toBe(version);
      });
    });

    describe('model aliases', () => {
      const prices = { input: 1, output: 2, cachedInput: 1, perRequest: 0 };

      it('stores aliases, starting with none, and keeps them when a replace leaves them out', async () => {
        const bare = await fixture.store.catalog.upsertModel(
          { id: fixture.unique('bare'), kind: 'chat', prices },
          { replace: false },
        );
        expect(bare.aliases).toEqual([]);

        const id = fixture.unique('aliased');
        const created = await fixture.store.catalog.upsertModel(
          { id, kind: 'chat', prices, aliases: [fixture.unique('fast'), fixture.unique('mini')] },
          { replace: false },
        );
        expect(created.aliases).toEqual([fixture.unique('fast'), fixture.unique('mini')]);
        expect(await fixture.store.catalog.findModel(id)).toEqual(created);

        // A price change by a writer that knows nothing of aliases leaves them alone.
        const repriced = await fixture.store.catalog.upsertModel(
          { id, kind: 'chat', prices: { ...prices, input: 5 } },
          { replace: true },
        );
        expect(repriced.aliases).toEqual(created.aliases);
        expect(repriced.prices.input).toBe(5);
      });

      it('replaces aliases when given, bumping the version, and ignores them without replace', async () => {
        const id = fixture.unique('renamed');
        await fixture.store.catalog.upsertModel(
          { id, kind: 'chat', prices, aliases: [fixture.unique('old')] },
          { replace: false },
        );
        const version = await fixture.store.catalog.version();
        const replaced = await fixture.store.catalog.upsertModel(
          { id, kind: 'chat', prices, aliases: [fixture.unique('new')] },
          { replace: true },
        );
        expect(replaced.aliases).toEqual([fixture.unique('new')]);
        expect(await fixture.store.catalog.version()).toBeGreaterThan(version);

        const kept = await fixture.store.catalog.upsertModel(
          { id, kind: 'chat', prices, aliases: [] },
          { replace: false },
        );
        expect(kept.aliases).toEqual([fixture.unique('new')]);
        const cleared = await fixture.store.catalog.upsertModel(
          { id, kind: 'chat', prices, aliases: [] },
          { replace: true },
        );
        expect(cleared.aliases).toEqual([]);
        const listed = (await fixture.store.catalog.listModels()).find((model) => model.id === id);
        expect(listed?.aliases).toEqual([]);
      });
    });
  });
}
