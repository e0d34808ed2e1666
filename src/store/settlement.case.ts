import { describe, expect, it } from 'vitest';
import type { Settlement } from './money-contract.js';
import type { UsageRecord } from './records.js';
import {
  expectConsistent,
  expectMoneyError,
  farFuture,
  useStoreFixture,
  type StoreHarness,
} from './store-fixture.case.js';

/** Holds and settlement: what a relay request does to a wallet (DESIGN.md §4). */
export function settlementContractSuite(harness: StoreHarness): void {
  describe(`Store contract: ${harness.name}: holds and settlement`, () => {
    const fixture = useStoreFixture(harness);

    async function hold(accountId: number, base: string, amount: number, expiresAt = farFuture) {
      const id = fixture.unique(base);
      const result = await fixture.store.wallets.placeHold({ id, accountId, amount, expiresAt });
      return { id, accountId, amount, result };
    }

    /** A settlement of request `base` (whose hold, if any, has the same id) costing `cost`. */
    function settlement(
      accountId: number,
      base: string,
      cost: number,
      holdAmount: number | null,
      overrides: Partial<UsageRecord> = {},
    ): Settlement {
      return {
        usage: fixture.usage(accountId, base, { cost, ...overrides }),
        hold:
          holdAmount === null ? null : { id: fixture.unique(base), accountId, amount: holdAmount },
      };
    }

    it('places a hold only on an active wallet with enough available', async () => {
      const account = await fixture.fundedAccount('holder', 1_000);
      const first = await hold(account.id, 'first', 600, 1_900_000_000_000);
      expect(first.result).toEqual({ outcome: 'held' });
      expect(await fixture.store.wallets.find(account.id)).toMatchObject({
        balance: 1_000,
        held: 600,
      });
      const [open] = await fixture.store.wallets.openHolds(account.id);
      expect(open).toEqual({
        id: first.id,
        accountId: account.id,
        amount: 600,
        expiresAt: 1_900_000_000_000,
        createdAt: expect.any(Number) as number,
      });

      expect((await hold(account.id, 'too-much', 401)).result).toEqual({
        outcome: 'insufficient',
        available: 400,
      });
      expect(await fixture.store.wallets.find(account.id)).toMatchObject({ held: 600 });
      // Exactly what is available can be held.
      expect((await hold(account.id, 'rest', 400)).result).toEqual({ outcome: 'held' });
      expect((await hold(account.id, 'one-more', 1)).result).toEqual({
        outcome: 'insufficient',
        available: 0,
      });

      await fixture.store.wallets.setStatus(account.id, 'suspended');
      const suspended = await fixture.fundedAccount('suspended', 1_000);
      await fixture.store.wallets.setStatus(suspended.id, 'suspended');
      expect((await hold(suspended.id, 'frozen', 1)).result).toEqual({ outcome: 'suspended' });
      expect((await hold(2_000_000_000, 'nobody', 1)).result).toEqual({ outcome: 'no_wallet' });

      expect(await fixture.store.wallets.find(suspended.id)).toMatchObject({ held: 0 });
      expect(await fixture.store.wallets.openHolds(suspended.id)).toEqual([]);
      expect(
        (await fixture.store.wallets.openHolds(account.id)).map((open) => open.id).sort(),
      ).toEqual([first.id, fixture.unique('rest')].sort());
      await expectConsistent(fixture.store, [account.id, suspended.id]);
    });

    it('refuses a negative or fractional hold, and holds zero', async () => {
      const account = await fixture.fundedAccount('odd', 1_000);
      for (const amount of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expectMoneyError(
          fixture.store.wallets.placeHold({
            id: fixture.unique(`odd-${String(amount)}`),
            accountId: account.id,
            amount,
            expiresAt: farFuture,
          }),
          'invalid_amount',
        );
      }
      expect(await fixture.store.wallets.find(account.id)).toMatchObject({
        balance: 1_000,
        held: 0,
      });
      expect((await hold(account.id, 'free', 0)).result).toEqual({ outcome: 'held' });
      await fixture.store.wallets.settle([settlement(account.id, 'free', 0, 0)]);
      expect(await fixture.store.wallets.openHolds(account.id)).toEqual([]);
      await expectConsistent(fixture.store, [account.id]);
    });

    it('lists open holds of one account or of all, and totals them', async () => {
      const first = await fixture.fundedAccount('first', 100);
      const second = await fixture.fundedAccount('second', 100);
      const totalsBefore = await fixture.store.wallets.holdTotals();
      await hold(first.id, 'a', 10);
      await hold(second.id, 'b', 20);
      await hold(first.id, 'c', 30);
      expect(
        (await fixture.store.wallets.openHolds(first.id)).map((open) => open.amount).sort(),
      ).toEqual([10, 30]);
      const everywhere = (await fixture.store.wallets.openHolds()).filter((open) =>
        [first.id, second.id].includes(open.accountId),
      );
      expect(everywhere.map((open) => open.id).sort()).toEqual(
        ['a', 'b', 'c'].map((base) => fixture.unique(base)).sort(),
      );
      expect(await fixture.store.wallets.find(first.id)).toMatchObject({ held: 40 });
      // Other tests' holds may be open too: the totals grow by exactly these three.
      expect(await fixture.store.wallets.holdTotals()).toEqual({
        count: totalsBefore.count + 3,
        amount: totalsBefore.amount + 60,
      });
      await expectConsistent(fixture.store, [first.id, second.id]);
    });

    it('settles a request: releases its hold, charges the cost and records the usage', async () => {
      const account = await fixture.fundedAccount('payer', 10_000);
      await hold(account.id, 'request', 2_000);
      const done = settlement(account.id, 'request', 1_234, 2_000);
      await fixture.store.wallets.settle([done]);

      expect(await fixture.store.wallets.find(account.id)).toMatchObject({
        balance: 8_766,
        held: 0,
      });
      expect(await fixture.store.wallets.openHolds(account.id)).toEqual([]);
      const [charge] = await fixture.store.wallets.ledger(account.id, { limit: 1 });
      expect(charge).toMatchObject({
        accountId: account.id,
        kind: 'charge',
        amount: -1_234,
        balanceAfter: 8_766,
        requestId: done.usage.requestId,
      });
      expect(await fixture.store.usage.findByRequestId(done.usage.requestId)).toEqual(done.usage);
      await expectConsistent(fixture.store, [account.id]);
    });

    it('clamps a charge to what the wallet has beyond its other holds', async () => {
      const account = await fixture.fundedAccount('overrun', 1_000);
      await hold(account.id, 'other', 600);
      await hold(account.id, 'greedy', 300);
      const greedy = settlement(account.id, 'greedy', 900, 300);
      await fixture.store.wallets.settle([greedy]);

      expect(await fixture.store.wallets.find(account.id)).toMatchObject({
        balance: 600,
        held: 600,
      });
      expect((await fixture.store.usage.findByRequestId(greedy.usage.requestId))?.cost).toBe(400);
      const [charge] = await fixture.store.wallets.ledger(account.id, { limit: 1 });
      expect(charge).toMatchObject({ kind: 'charge', amount: -400, balanceAfter: 600 });

      // With nothing else held it stops at zero.
      const last = settlement(account.id, 'other', 5_000, 600);
      await fixture.store.wallets.settle([last]);
      expect(await fixture.store.wallets.find(account.id)).toMatchObject({ balance: 0, held: 0 });
      expect((await fixture.store.usage.findByRequestId(last.usage.requestId))?.cost).toBe(600);
      await expectConsistent(fixture.store, [account.id]);
    });

    it('records a failed request without a hold or a charge', async () => {
      const account = await fixture.fundedAccount('failed', 500);
      await hold(account.id, 'unrelated', 100);
      const before = await fixture.store.wallets.find(account.id);
      const failed = settlement(account.id, 'failed', 0, null, {
        status: 502,
        errorCode: 'upstream_unavailable',
        completionTokens: 0,
      });
      await fixture.store.wallets.settle([failed]);
      expect(await fixture.store.usage.findByRequestId(failed.usage.requestId)).toEqual(
        failed.usage,
      );
      expect(await fixture.store.wallets.find(account.id)).toEqual(before);
      expect(await fixture.store.wallets.ledger(account.id)).toHaveLength(1);

      // A failed request that did hold gets its hold back and pays nothing.
      await hold(account.id, 'held-failed', 200);
      await fixture.store.wallets.settle([
        settlement(account.id, 'held-failed', 0, 200, { status: 500 }),
      ]);
      expect(await fixture.store.wallets.find(account.id)).toMatchObject({
        balance: 500,
        held: 100,
      });
      expect(await fixture.store.wallets.ledger(account.id)).toHaveLength(1);
      await expectConsistent(fixture.store, [account.id]);
    });

    it('charges a request id once, within a batch and across batches', async () => {
      const account = await fixture.fundedAccount('retried', 10_000);
      await hold(account.id, 'once', 1_000);
      const once = settlement(account.id, 'once', 700, 1_000);
      await fixture.store.wallets.settle([
        once,
        once,
        { ...once, usage: { ...once.usage, cost: 900 } },
      ]);
      await fixture.store.wallets.settle([once]);
      await fixture.store.wallets.settle([{ ...once, hold: null }]);

      expect(await fixture.store.wallets.find(account.id)).toMatchObject({
        balance: 9_300,
        held: 0,
      });
      const charges = (await fixture.store.wallets.ledger(account.id)).filter(
        (entry) => entry.kind === 'charge',
      );
      expect(charges).toHaveLength(1);
      expect(await fixture.store.usage.list({ accountId: account.id })).toEqual([once.usage]);

      // A retried batch with new requests in it settles only the new ones.
      await hold(account.id, 'fresh', 100);
      await fixture.store.wallets.settle([once, settlement(account.id, 'fresh', 50, 100)]);
      expect((await fixture.store.wallets.find(account.id))?.balance).toBe(9_250);
      await expectConsistent(fixture.store, [account.id]);
    });

    it('settles a batch over several accounts, and an empty batch does nothing', async () => {
      const left = await fixture.fundedAccount('left', 1_000);
      const right = await fixture.fundedAccount('right', 1_000);
      await hold(right.id, 'r1', 100);
      await hold(left.id, 'l1', 100);
      await hold(right.id, 'r2', 100);
      await fixture.store.wallets.settle([]);
      await fixture.store.wallets.settle([
        settlement(right.id, 'r1', 10, 100),
        settlement(left.id, 'l1', 20, 100),
        settlement(right.id, 'r2', 30, 100),
      ]);
      expect(await fixture.store.wallets.find(left.id)).toMatchObject({ balance: 980, held: 0 });
      expect(await fixture.store.wallets.find(right.id)).toMatchObject({ balance: 960, held: 0 });
      expect(await fixture.store.usage.list({ accountIds: [left.id, right.id] })).toHaveLength(3);
      await expectConsistent(fixture.store, [left.id, right.id]);
    });

    it('settles a batch larger than one statement can bind', async () => {
      const account = await fixture.fundedAccount('bulk', 1_000_000);
      const batch: Settlement[] = [];
      for (let index = 0; index < 20; index++) {
        await hold(account.id, `paid-${index}`, 100);
        batch.push(settlement(account.id, `paid-${index}`, 10 + index, 100));
      }
      // Failed requests cost the database nothing but their record.
      for (let index = 0; index < 4_980; index++) {
        batch.push(
          settlement(account.id, `failed-${index}`, 0, null, {
            status: 429,
            createdAt: 1_700_000_000_000 + index,
          }),
        );
      }
      await fixture.store.wallets.settle(batch);
      expect(await fixture.store.usage.list({ accountId: account.id, limit: 10_000 })).toHaveLength(
        5_000,
      );
      expect(await fixture.store.wallets.find(account.id)).toMatchObject({
        balance: 1_000_000 - 390,
        held: 0,
      });
      await expectConsistent(fixture.store, [account.id]);
    });

    it('releases only expired holds, and settles a request whose hold was swept', async () => {
      const first = await fixture.fundedAccount('sweep-1', 1_000);
      const second = await fixture.fundedAccount('sweep-2', 1_000);
      // Times in 1970: no other test's hold expires this early.
      await hold(first.id, 'early', 100, 1_000);
      await hold(second.id, 'middle', 200, 2_000);
      await hold(first.id, 'late', 300, 3_000);
      await hold(first.id, 'live', 50);

      expect(await fixture.store.wallets.releaseExpiredHolds(2_500)).toBe(2);
      expect(await fixture.store.wallets.find(first.id)).toMatchObject({ held: 350 });
      expect(await fixture.store.wallets.find(second.id)).toMatchObject({ held: 0 });
      expect(
        (await fixture.store.wallets.openHolds(first.id)).map((open) => open.id).sort(),
      ).toEqual([fixture.unique('late'), fixture.unique('live')].sort());
      expect(await fixture.store.wallets.releaseExpiredHolds(2_500)).toBe(0);
      await expectConsistent(fixture.store, [first.id, second.id]);

      // The request behind a swept hold finished after all: charged from what is available,
      // and the hold is not released a second time.
      await fixture.store.wallets.settle([settlement(first.id, 'early', 80, 100)]);
      expect(await fixture.store.wallets.find(first.id)).toMatchObject({
        balance: 920,
        held: 350,
      });
      expect(await fixture.store.wallets.releaseExpiredHolds(3_500)).toBe(1);
      expect(await fixture.store.wallets.find(first.id)).toMatchObject({ held: 50 });
      await expectConsistent(fixture.store, [first.id, second.id]);
    });
  });
}
