import { describe, expect, it } from 'vitest';
import {
  expectConsistent,
  expectMoneyError,
  farFuture,
  useStoreFixture,
  type StoreHarness,
} from './store-fixture.case.js';

/** Recharge codes: issued in batches (minted by admins, prepaid by agents), redeemed once. */
export function rechargeCodeContractSuite(harness: StoreHarness): void {
  describe(`Store contract: ${harness.name}: recharge codes`, () => {
    const fixture = useStoreFixture(harness);

    const codes = (base: string, count: number) =>
      Array.from({ length: count }, (_, index) => ({
        codeHash: fixture.unique(`${base}-${index}`),
        codePrefix: `RC-${base}-${index}`,
      }));

    it('issues an admin batch without touching any wallet', async () => {
      const admin = await fixture.createAccount('admin', { role: 'admin' });
      const batchId = fixture.unique('batch');
      const issued = await fixture.store.rechargeCodes.issueBatch({
        batchId,
        issuerAccountId: admin.id,
        amount: 2_000_000,
        expiresAt: 1_900_000_000_000,
        prepaid: false,
        codes: codes('admin', 3),
      });
      expect(issued).toHaveLength(3);
      expect(issued.map((code) => code.codePrefix).sort()).toEqual([
        'RC-admin-0',
        'RC-admin-1',
        'RC-admin-2',
      ]);
      for (const code of issued) {
        expect(code).toEqual({
          id: expect.any(Number) as number,
          codePrefix: code.codePrefix,
          amount: 2_000_000,
          issuerAccountId: admin.id,
          batchId,
          prepaid: false,
          status: 'active',
          expiresAt: 1_900_000_000_000,
          redeemedByAccountId: null,
          redeemedAt: null,
          createdAt: expect.any(Number) as number,
        });
      }
      expect(new Set(issued.map((code) => code.id)).size).toBe(3);
      expect(await fixture.store.wallets.find(admin.id)).toMatchObject({ balance: 0, held: 0 });
      expect(await fixture.store.wallets.ledger(admin.id)).toEqual([]);
    });

    it('issues an agent batch paid from its wallet with one transfer_out line', async () => {
      const agent = await fixture.fundedAccount('agent', 10_000, 'agent');
      const batchId = fixture.unique('prepaid');
      const issued = await fixture.store.rechargeCodes.issueBatch({
        batchId,
        issuerAccountId: agent.id,
        amount: 1_500,
        expiresAt: farFuture,
        prepaid: true,
        codes: codes('agent', 4),
      });
      expect(issued.every((code) => code.prepaid && code.status === 'active')).toBe(true);
      expect((await fixture.store.wallets.find(agent.id))?.balance).toBe(4_000);
      const ledger = await fixture.store.wallets.ledger(agent.id);
      expect(ledger).toHaveLength(2);
      expect(ledger[0]).toMatchObject({
        kind: 'transfer_out',
        amount: -6_000,
        balanceAfter: 4_000,
        requestId: null,
      });
      expect(ledger[0]?.reference).toContain(batchId);
      await expectConsistent(fixture.store, [agent.id]);
    });

    it('issues nothing when the agent cannot pay for the whole batch', async () => {
      const agent = await fixture.fundedAccount('short', 5_000, 'agent');
      await fixture.store.wallets.placeHold({
        id: fixture.unique('hold'),
        accountId: agent.id,
        amount: 1_000,
        expiresAt: farFuture,
      });
      const batchId = fixture.unique('unpaid');
      const issue = (batch: string, count: number, prepaid = true) =>
        fixture.store.rechargeCodes.issueBatch({
          batchId: batch,
          issuerAccountId: agent.id,
          amount: 1_000,
          expiresAt: farFuture,
          prepaid,
          codes: codes(batch, count),
        });

      // 5,000 in the wallet, 1,000 of it held: five codes are one too many.
      await expectMoneyError(issue(batchId, 5), 'insufficient_funds');
      expect(await fixture.store.rechargeCodes.list({ batchId })).toEqual([]);
      expect((await fixture.store.wallets.find(agent.id))?.balance).toBe(5_000);
      expect(await fixture.store.wallets.ledger(agent.id)).toHaveLength(1);

      await fixture.store.wallets.setStatus(agent.id, 'suspended');
      await expectMoneyError(issue(fixture.unique('frozen'), 1), 'wallet_suspended');
      await fixture.store.wallets.setStatus(agent.id, 'active');

      // A code hash that exists already fails the batch, and its payment with it.
      await issue(fixture.unique('ok'), 1);
      await expect(issue(fixture.unique('ok'), 1)).rejects.toThrow();
      expect((await fixture.store.wallets.find(agent.id))?.balance).toBe(4_000);

      await expectMoneyError(
        fixture.store.rechargeCodes.issueBatch({
          batchId: fixture.unique('nobody'),
          issuerAccountId: 2_000_000_000,
          amount: 10,
          expiresAt: farFuture,
          prepaid: true,
          codes: codes('nobody', 1),
        }),
        'no_wallet',
      );
      await expectMoneyError(
        fixture.store.rechargeCodes.issueBatch({
          batchId: fixture.unique('zero'),
          issuerAccountId: agent.id,
          amount: 0,
          expiresAt: farFuture,
          prepaid: false,
          codes: codes('zero', 1),
        }),
        'invalid_amount',
      );
      await expectConsistent(fixture.store, [agent.id]);
    });

    it('redeems a minted code as a top-up and a prepaid one as a transfer_in, once each', async () => {
      const admin = await fixture.createAccount('admin', { role: 'admin' });
      const agent = await fixture.fundedAccount('agent', 10_000, 'agent');
      const user = await fixture.fundedAccount('user', 100);
      const [minted] = await fixture.store.rechargeCodes.issueBatch({
        batchId: fixture.unique('minted'),
        issuerAccountId: admin.id,
        amount: 3_000,
        expiresAt: farFuture,
        prepaid: false,
        codes: codes('minted', 1),
      });
      await fixture.store.rechargeCodes.issueBatch({
        batchId: fixture.unique('paid'),
        issuerAccountId: agent.id,
        amount: 700,
        expiresAt: farFuture,
        prepaid: true,
        codes: codes('paid', 1),
      });

      const redeemedAt = Date.now();
      const result = await fixture.store.rechargeCodes.redeem({
        codeHash: fixture.unique('minted-0'),
        accountId: user.id,
        now: redeemedAt,
      });
      expect(result).toEqual({
        outcome: 'redeemed',
        code: {
          ...minted,
          status: 'redeemed',
          redeemedByAccountId: user.id,
          redeemedAt,
        },
        wallet: expect.objectContaining({ accountId: user.id, balance: 3_100 }) as unknown,
      });
      const [topup] = await fixture.store.wallets.ledger(user.id, { limit: 1 });
      expect(topup).toMatchObject({ kind: 'topup', amount: 3_000, balanceAfter: 3_100 });

      const paid = await fixture.store.rechargeCodes.redeem({
        codeHash: fixture.unique('paid-0'),
        accountId: user.id,
        now: redeemedAt,
      });
      expect(paid.outcome).toBe('redeemed');
      const [transferIn] = await fixture.store.wallets.ledger(user.id, { limit: 1 });
      expect(transferIn).toMatchObject({ kind: 'transfer_in', amount: 700, balanceAfter: 3_800 });

      for (const accountId of [user.id, admin.id]) {
        expect(
          await fixture.store.rechargeCodes.redeem({
            codeHash: fixture.unique('minted-0'),
            accountId,
            now: redeemedAt,
          }),
        ).toEqual({ outcome: 'used' });
      }
      expect((await fixture.store.wallets.find(user.id))?.balance).toBe(3_800);
      expect((await fixture.store.wallets.find(admin.id))?.balance).toBe(0);
      const [listed] = await fixture.store.rechargeCodes.list({
        batchId: fixture.unique('minted'),
      });
      expect(listed).toMatchObject({
        status: 'redeemed',
        redeemedByAccountId: user.id,
        redeemedAt,
      });
      // The agent paid at issue; redeeming takes nothing more from it.
      expect((await fixture.store.wallets.find(agent.id))?.balance).toBe(9_300);
      await expectConsistent(fixture.store, [admin.id, agent.id, user.id]);
    });

    it('answers unknown, expired, and a failed credit leaves the code unused', async () => {
      const admin = await fixture.createAccount('admin', { role: 'admin' });
      const user = await fixture.createAccount('user');
      await fixture.store.rechargeCodes.issueBatch({
        batchId: fixture.unique('short-lived'),
        issuerAccountId: admin.id,
        amount: 1_000,
        expiresAt: 1_700_000_000_000,
        prepaid: false,
        codes: codes('expiring', 1),
      });
      const redeem = (codeHash: string, now: number, accountId = user.id) =>
        fixture.store.rechargeCodes.redeem({ codeHash, accountId, now });

      expect(await redeem(fixture.unique('no-such-code'), Date.now())).toEqual({
        outcome: 'unknown',
      });
      expect(await redeem(fixture.unique('expiring-0'), 1_700_000_000_001)).toEqual({
        outcome: 'expired',
      });
      await expectMoneyError(
        redeem(fixture.unique('expiring-0'), 1_600_000_000_000, 2_000_000_000),
        'no_wallet',
      );
      const [code] = await fixture.store.rechargeCodes.list({
        batchId: fixture.unique('short-lived'),
      });
      expect(code).toMatchObject({ status: 'active', redeemedByAccountId: null, redeemedAt: null });
      expect((await redeem(fixture.unique('expiring-0'), 1_600_000_000_000)).outcome).toBe(
        'redeemed',
      );
      expect((await fixture.store.wallets.find(user.id))?.balance).toBe(1_000);
      await expectConsistent(fixture.store, [user.id]);
    });

    it('lists codes newest first, filtered by issuer and batch, up to a limit', async () => {
      const first = await fixture.createAccount('issuer-1', { role: 'admin' });
      const second = await fixture.createAccount('issuer-2', { role: 'admin' });
      const issue = (issuerAccountId: number, batch: string, count: number) =>
        fixture.store.rechargeCodes.issueBatch({
          batchId: fixture.unique(batch),
          issuerAccountId,
          amount: 10,
          expiresAt: farFuture,
          prepaid: false,
          codes: codes(batch, count),
        });
      const a = await issue(first.id, 'a', 2);
      const b = await issue(second.id, 'b', 1);
      const c = await issue(first.id, 'c', 3);
      const newestFirst = <T extends { id: number }>(items: T[]) =>
        [...items].sort((left, right) => right.id - left.id);

      expect(await fixture.store.rechargeCodes.list({ issuerAccountId: first.id })).toEqual(
        newestFirst([...a, ...c]),
      );
      expect(await fixture.store.rechargeCodes.list({ issuerAccountId: second.id })).toEqual(b);
      expect(await fixture.store.rechargeCodes.list({ batchId: fixture.unique('c') })).toEqual(
        newestFirst(c),
      );
      expect(
        await fixture.store.rechargeCodes.list({
          issuerAccountId: second.id,
          batchId: fixture.unique('a'),
        }),
      ).toEqual([]);
      expect(
        await fixture.store.rechargeCodes.list({ issuerAccountId: first.id, limit: 2 }),
      ).toEqual(newestFirst(c).slice(0, 2));
      const everything = await fixture.store.rechargeCodes.list({ limit: 6 });
      expect(everything).toEqual(newestFirst([...a, ...b, ...c]));
    });
  });
}
