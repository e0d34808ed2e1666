import { describe, expect, it } from 'vitest';
import type { Store } from './contract.js';
import { MoneyError, type Settlement } from './money-contract.js';
import {
  expectConsistent,
  farFuture,
  useStoreFixture,
  wholeLedger,
  type StoreHarness,
} from './store-fixture.case.js';

/**
 * DESIGN.md §4's concurrency promise: N parallel requests against a wallet that affords k of them
 * serve at most k, the balance never goes below zero, and no charge is lost or doubled — through
 * one store and, where the implementation allows it, through two opened separately, as two gateway
 * instances sharing one database would.
 */
export function moneyConcurrencySuite(harness: StoreHarness): void {
  describe(`Store contract: ${harness.name}: money under concurrency`, () => {
    const fixture = useStoreFixture(harness);
    const amount = 1_000;
    const affordable = 37;
    const attempts = 200;

    const variants = [
      { label: 'one store', stores: async (): Promise<Store[]> => [fixture.store] },
      {
        label: 'two stores',
        stores: async (): Promise<Store[]> => [fixture.store, await fixture.peer()],
      },
    ].filter((variant) => variant.label === 'one store' || harness.openPeer !== undefined);

    /** Splits `items` into batches of `size`. */
    function batches<T>(items: readonly T[], size: number): T[][] {
      const result: T[][] = [];
      for (let start = 0; start < items.length; start += size)
        result.push(items.slice(start, start + size));
      return result;
    }

    /** Fires `attempts` holds of `amount` at once, spread over `stores`; answers the ids held. */
    async function raceHolds(stores: Store[], accountId: number): Promise<string[]> {
      const results = await Promise.all(
        Array.from({ length: attempts }, async (_, index) => {
          const id = fixture.unique(`race-${index}`);
          const store = stores[index % stores.length] as Store;
          const result = await store.wallets.placeHold({
            id,
            accountId,
            amount,
            expiresAt: farFuture,
          });
          return { id, result };
        }),
      );
      const held = results.filter(({ result }) => result.outcome === 'held');
      for (const { result } of results) {
        if (result.outcome === 'held') continue;
        expect(result.outcome).toBe('insufficient');
        if (result.outcome === 'insufficient') {
          expect(result.available).toBeGreaterThanOrEqual(0);
          expect(result.available).toBeLessThan(amount);
        }
      }
      return held.map(({ id }) => id);
    }

    /** Settles in batches of five, all at once, alternating between the stores. */
    async function settleConcurrently(stores: Store[], settlements: Settlement[]): Promise<void> {
      await Promise.all(
        batches(settlements, 5).map((batch, index) =>
          (stores[index % stores.length] as Store).wallets.settle(batch),
        ),
      );
    }

    for (const variant of variants) {
      describe(variant.label, () => {
        it(`holds exactly what the wallet affords out of ${attempts} at once, then settles them all at once`, async () => {
          const stores = await variant.stores();
          const initial = affordable * amount + amount - 1;
          const account = await fixture.fundedAccount('race', initial);

          const heldIds = await raceHolds(stores, account.id);
          expect(heldIds).toHaveLength(affordable);
          expect(await fixture.store.wallets.find(account.id)).toMatchObject({
            balance: initial,
            held: affordable * amount,
          });
          expect(await fixture.store.wallets.openHolds(account.id)).toHaveLength(affordable);
          await expectConsistent(fixture.store, [account.id]);

          // Costs up to the hold, some nothing at all, so every charge is exactly its cost.
          const settlements = heldIds.map((id, index) => ({
            usage: fixture.usage(account.id, `settle-${index}`, {
              requestId: id,
              cost: (index * 7_919) % (amount + 1),
              createdAt: 1_700_000_000_000 + index,
            }),
            hold: { id, accountId: account.id, amount },
          }));
          const costs = settlements.reduce((sum, item) => sum + item.usage.cost, 0);
          await settleConcurrently(stores, settlements);

          const wallet = await fixture.store.wallets.find(account.id);
          expect(wallet).toMatchObject({ balance: initial - costs, held: 0 });
          expect(await fixture.store.wallets.openHolds(account.id)).toEqual([]);
          await expectConsistent(fixture.store, [account.id]);
          const charges = (await wholeLedger(fixture.store, account.id)).filter(
            (entry) => entry.kind === 'charge',
          );
          const usage = await fixture.store.usage.list({ accountId: account.id, limit: 1_000 });
          expect(usage).toHaveLength(affordable);
          expect(usage.reduce((sum, record) => sum + record.cost, 0)).toBe(costs);
          expect(-charges.reduce((sum, entry) => sum + entry.amount, 0)).toBe(costs);
          expect(charges).toHaveLength(settlements.filter((item) => item.usage.cost > 0).length);
        });

        it('settles overruns at once without going below zero: each pays its hold', async () => {
          const stores = await variant.stores();
          const count = 12;
          const account = await fixture.fundedAccount('overrun', count * amount);
          const settlements: Settlement[] = [];
          for (let index = 0; index < count; index++) {
            const id = fixture.unique(`over-${index}`);
            const store = stores[index % stores.length] as Store;
            expect(
              await store.wallets.placeHold({
                id,
                accountId: account.id,
                amount,
                expiresAt: farFuture,
              }),
            ).toEqual({ outcome: 'held' });
            settlements.push({
              usage: fixture.usage(account.id, `over-${index}`, { cost: 3 * amount }),
              hold: { id, accountId: account.id, amount },
            });
          }
          await Promise.all(
            batches(settlements, 2).map((batch, index) =>
              (stores[index % stores.length] as Store).wallets.settle(batch),
            ),
          );
          expect(await fixture.store.wallets.find(account.id)).toMatchObject({
            balance: 0,
            held: 0,
          });
          const usage = await fixture.store.usage.list({ accountId: account.id });
          expect(usage.map((record) => record.cost)).toEqual(Array(count).fill(amount));
          await expectConsistent(fixture.store, [account.id]);
        });

        it('charges a request settled by two batches at once only once', async () => {
          const stores = await variant.stores();
          const account = await fixture.fundedAccount('duplicate', 10_000);
          const id = fixture.unique('twice');
          await fixture.store.wallets.placeHold({
            id,
            accountId: account.id,
            amount: 2_000,
            expiresAt: farFuture,
          });
          const item: Settlement = {
            usage: fixture.usage(account.id, 'twice', { cost: 1_500 }),
            hold: { id, accountId: account.id, amount: 2_000 },
          };
          const other = (index: number): Settlement => ({
            usage: fixture.usage(account.id, `other-${index}`, { cost: 10 }),
            hold: null,
          });
          await Promise.all([
            (stores[0] as Store).wallets.settle([other(1), item]),
            (stores[1 % stores.length] as Store).wallets.settle([item, other(2)]),
            (stores[0] as Store).wallets.settle([item]),
          ]);
          expect(await fixture.store.wallets.find(account.id)).toMatchObject({
            balance: 10_000 - 1_500 - 20,
            held: 0,
          });
          const charges = (await fixture.store.wallets.ledger(account.id)).filter(
            (entry) => entry.requestId === item.usage.requestId,
          );
          expect(charges).toHaveLength(1);
          expect(await fixture.store.usage.list({ accountId: account.id })).toHaveLength(3);
          await expectConsistent(fixture.store, [account.id]);
        });

        it('settles requests while the sweeper releases their expired holds, without a deadlock', async () => {
          const stores = await variant.stores();
          const perRound = 24;
          const rounds = 6;
          const account = await fixture.fundedAccount('swept', rounds * perRound * amount);
          let costs = 0;
          let swept = 0;
          for (let round = 0; round < rounds; round++) {
            const settlements: Settlement[] = [];
            for (let index = 0; index < perRound; index++) {
              // Held in the reverse of request-id order, so a sweeper scanning holds meets them in
              // the opposite order from the settlements releasing them.
              const base = `swept-${round}-${String(99 - index).padStart(2, '0')}`;
              const id = fixture.unique(base);
              // Expired in 1970: the sweepers below release these and no other test's.
              await fixture.store.wallets.placeHold({
                id,
                accountId: account.id,
                amount,
                expiresAt: 1_000,
              });
              settlements.push({
                usage: fixture.usage(account.id, base, { cost: (index * 37) % amount }),
                hold: { id, accountId: account.id, amount },
              });
            }
            costs += settlements.reduce((sum, item) => sum + item.usage.cost, 0);
            const sweeps: Promise<number>[] = [];
            const settles = batches(settlements, 4).map((batch, index) => {
              const store = stores[index % stores.length] as Store;
              // Staggered a little, so some sweeps land while settlements are half done.
              sweeps.push(
                new Promise((resolve) => setTimeout(resolve, index % 2 === 0 ? 0 : 3)).then(() =>
                  store.wallets.releaseExpiredHolds(10_000),
                ),
              );
              return store.wallets.settle(batch);
            });
            await Promise.all(settles);
            swept += (await Promise.all(sweeps)).reduce((sum, released) => sum + released, 0);
          }
          expect(swept).toBeLessThanOrEqual(rounds * perRound);
          // Whoever released a hold, each request still pays its cost: its hold's money is free.
          expect(await fixture.store.wallets.find(account.id)).toMatchObject({
            balance: rounds * perRound * amount - costs,
            held: 0,
          });
          expect(await fixture.store.wallets.openHolds(account.id)).toEqual([]);
          await expectConsistent(fixture.store, [account.id]);
        });

        it('runs 50 transfers each way between two wallets at once without a deadlock', async () => {
          const stores = await variant.stores();
          const left = await fixture.fundedAccount('left', 10_000, 'agent');
          const right = await fixture.fundedAccount('right', 10_000, 'agent');
          await Promise.all(
            Array.from({ length: 100 }, (_, index) => {
              const leftToRight = index % 2 === 0;
              return (stores[Math.floor(index / 2) % stores.length] as Store).wallets.transfer({
                fromAccountId: leftToRight ? left.id : right.id,
                toAccountId: leftToRight ? right.id : left.id,
                amount: leftToRight ? 30 : 70,
                actorAccountId: null,
                reason: `race ${index}`,
              });
            }),
          );
          expect((await fixture.store.wallets.find(left.id))?.balance).toBe(
            10_000 - 50 * 30 + 50 * 70,
          );
          expect((await fixture.store.wallets.find(right.id))?.balance).toBe(
            10_000 + 50 * 30 - 50 * 70,
          );
          const leftLedger = await wholeLedger(fixture.store, left.id);
          expect(leftLedger.filter((entry) => entry.kind === 'transfer_out')).toHaveLength(50);
          expect(leftLedger.filter((entry) => entry.kind === 'transfer_in')).toHaveLength(50);
          await expectConsistent(fixture.store, [left.id, right.id]);
        });

        it('never overdraws either side when opposite transfers outrun the money', async () => {
          const stores = await variant.stores();
          const left = await fixture.fundedAccount('scarce-left', 500, 'agent');
          const right = await fixture.fundedAccount('scarce-right', 500, 'agent');
          const outcomes = await Promise.allSettled(
            Array.from({ length: 100 }, (_, index) =>
              (stores[index % stores.length] as Store).wallets.transfer({
                fromAccountId: index % 2 === 0 ? left.id : right.id,
                toAccountId: index % 2 === 0 ? right.id : left.id,
                amount: 100,
                actorAccountId: null,
                reason: null,
              }),
            ),
          );
          let leftToRight = 0;
          let rightToLeft = 0;
          outcomes.forEach((outcome, index) => {
            if (outcome.status === 'fulfilled') {
              if (index % 2 === 0) leftToRight++;
              else rightToLeft++;
              return;
            }
            // Refused for want of money, never for a deadlock or a serialization failure.
            expect(outcome.reason).toBeInstanceOf(MoneyError);
            expect((outcome.reason as MoneyError).reason).toBe('insufficient_funds');
          });
          const leftWallet = await fixture.store.wallets.find(left.id);
          const rightWallet = await fixture.store.wallets.find(right.id);
          expect(leftWallet?.balance).toBe(500 - 100 * leftToRight + 100 * rightToLeft);
          expect((leftWallet?.balance ?? 0) + (rightWallet?.balance ?? 0)).toBe(1_000);
          expect(leftWallet?.balance).toBeGreaterThanOrEqual(0);
          expect(rightWallet?.balance).toBeGreaterThanOrEqual(0);
          await expectConsistent(fixture.store, [left.id, right.id]);
        });

        it('redeems a code raced by many redemptions exactly once', async () => {
          const stores = await variant.stores();
          const admin = await fixture.createAccount('admin', { role: 'admin' });
          const first = await fixture.createAccount('first');
          const second = await fixture.createAccount('second');
          await fixture.store.rechargeCodes.issueBatch({
            batchId: fixture.unique('batch'),
            issuerAccountId: admin.id,
            amount: 5_000,
            expiresAt: farFuture,
            prepaid: false,
            codes: [{ codeHash: fixture.unique('code'), codePrefix: 'RC-race' }],
          });
          const results = await Promise.all(
            Array.from({ length: 20 }, (_, index) =>
              (stores[index % stores.length] as Store).rechargeCodes.redeem({
                codeHash: fixture.unique('code'),
                accountId: index % 4 < 2 ? first.id : second.id,
                now: Date.now(),
              }),
            ),
          );
          const outcomes = results.map((result) => result.outcome).sort();
          expect(outcomes).toEqual(['redeemed', ...Array<string>(19).fill('used')]);
          const firstBalance = (await fixture.store.wallets.find(first.id))?.balance ?? 0;
          const secondBalance = (await fixture.store.wallets.find(second.id))?.balance ?? 0;
          expect([firstBalance, secondBalance].sort()).toEqual([0, 5_000]);
          await expectConsistent(fixture.store, [first.id, second.id, admin.id]);
        });

        it('issues prepaid batches raced against one wallet only as far as it pays', async () => {
          const stores = await variant.stores();
          const agent = await fixture.fundedAccount('issuer', 2_500, 'agent');
          const outcomes = await Promise.allSettled(
            Array.from({ length: 6 }, (_, index) =>
              (stores[index % stores.length] as Store).rechargeCodes.issueBatch({
                batchId: fixture.unique(`batch-${index}`),
                issuerAccountId: agent.id,
                amount: 500,
                expiresAt: farFuture,
                prepaid: true,
                codes: [0, 1].map((code) => ({
                  codeHash: fixture.unique(`code-${index}-${code}`),
                  codePrefix: `RC-${index}-${code}`,
                })),
              }),
            ),
          );
          expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(2);
          for (const outcome of outcomes) {
            if (outcome.status === 'rejected') {
              expect(outcome.reason).toBeInstanceOf(MoneyError);
            }
          }
          expect(
            await fixture.store.rechargeCodes.list({ issuerAccountId: agent.id }),
          ).toHaveLength(4);
          expect((await fixture.store.wallets.find(agent.id))?.balance).toBe(500);
          await expectConsistent(fixture.store, [agent.id]);
        });
      });
    }
  });
}
