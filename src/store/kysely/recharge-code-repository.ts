import { sql } from 'kysely';
import { MoneyError, type RechargeCodeRepository } from '../money-contract.js';
import type { Dialect } from '../migrations.js';
import { writeTransaction, type Database } from './executor.js';
import { toRechargeCode, toWallet } from './money-row-parsers.js';

/** Recharge codes over Kysely: issued in batches, each redeemable exactly once. */
export function rechargeCodeRepository(
  database: Database,
  dialect: Dialect,
  now: () => number,
): RechargeCodeRepository {
  return {
    async issueBatch(input) {
      if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
        throw new MoneyError(
          'invalid_amount',
          'A recharge code must be worth a positive whole number of micro-units.',
        );
      }
      return writeTransaction(database, dialect, async (transaction) => {
        const timestamp = now();
        if (input.prepaid) {
          const total = input.amount * input.codes.length;
          const wallet = await transaction
            .updateTable('wallets')
            .set({ balance: sql<number>`balance - ${total}`, updated_at: timestamp })
            .where('account_id', '=', input.issuerAccountId)
            .where('status', '=', 'active')
            .where(sql<number>`balance - held`, '>=', total)
            .returningAll()
            .executeTakeFirst();
          if (!wallet) {
            // Say why, as `wallets.move` does: an agent told "insufficient funds" about a
            // suspended wallet tops up in vain.
            const current = await transaction
              .selectFrom('wallets')
              .select('status')
              .where('account_id', '=', input.issuerAccountId)
              .executeTakeFirst();
            if (!current) {
              throw new MoneyError('no_wallet', `Account ${input.issuerAccountId} has no wallet.`);
            }
            if (current.status !== 'active') {
              throw new MoneyError(
                'wallet_suspended',
                `The wallet of account ${input.issuerAccountId} is suspended.`,
              );
            }
            throw new MoneyError(
              'insufficient_funds',
              `Issuing ${input.codes.length} codes of ${input.amount} micro-units needs ${total} available in the issuer's active wallet.`,
            );
          }
          await transaction
            .insertInto('ledger_entries')
            .values({
              account_id: input.issuerAccountId,
              kind: 'transfer_out',
              amount: -total,
              balance_after: toWallet(wallet).balance,
              actor_account_id: input.issuerAccountId,
              reason: `recharge codes: ${input.codes.length} × ${input.amount}`,
              request_id: null,
              reference: `recharge-batch:${input.batchId}`,
              created_at: timestamp,
            })
            .execute();
        }
        const rows = await transaction
          .insertInto('recharge_codes')
          .values(
            input.codes.map((code) => ({
              code_hash: code.codeHash,
              code_prefix: code.codePrefix,
              amount: input.amount,
              issuer_account_id: input.issuerAccountId,
              batch_id: input.batchId,
              prepaid: input.prepaid ? 1 : 0,
              status: 'active',
              expires_at: input.expiresAt,
              redeemed_by_account_id: null,
              redeemed_at: null,
              created_at: timestamp,
            })),
          )
          .returningAll()
          .execute();
        return rows.map(toRechargeCode);
      });
    },

    async redeem({ codeHash, accountId, now: at }) {
      return writeTransaction(database, dialect, async (transaction) => {
        // The status test in the WHERE is what makes a race harmless: only one update can match.
        const claimed = await transaction
          .updateTable('recharge_codes')
          .set({ status: 'redeemed', redeemed_by_account_id: accountId, redeemed_at: at })
          .where('code_hash', '=', codeHash)
          .where('status', '=', 'active')
          .where('expires_at', '>', at)
          .returningAll()
          .executeTakeFirst();
        if (!claimed) {
          const row = await transaction
            .selectFrom('recharge_codes')
            .selectAll()
            .where('code_hash', '=', codeHash)
            .executeTakeFirst();
          if (!row) return { outcome: 'unknown' as const };
          if (row.status === 'redeemed') return { outcome: 'used' as const };
          if (row.status === 'void') return { outcome: 'void' as const };
          return { outcome: 'expired' as const };
        }
        const code = toRechargeCode(claimed);
        const wallet = await transaction
          .updateTable('wallets')
          .set({ balance: sql<number>`balance + ${code.amount}`, updated_at: at })
          .where('account_id', '=', accountId)
          .returningAll()
          .executeTakeFirst();
        if (!wallet) throw new MoneyError('no_wallet', `Account ${accountId} has no wallet.`);
        const credited = toWallet(wallet);
        await transaction
          .insertInto('ledger_entries')
          .values({
            account_id: accountId,
            // A code an agent paid for moves its money on; an admin's code mints new credit.
            kind: code.prepaid ? 'transfer_in' : 'topup',
            amount: code.amount,
            balance_after: credited.balance,
            actor_account_id: accountId,
            reason: 'recharge code redeemed',
            request_id: null,
            reference: `recharge-code:${code.id}`,
            created_at: at,
          })
          .execute();
        return { outcome: 'redeemed' as const, code, wallet: credited };
      });
    },

    async list(filter = {}) {
      let query = database
        .selectFrom('recharge_codes')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(filter.limit ?? 500);
      if (filter.issuerAccountId !== undefined)
        query = query.where('issuer_account_id', '=', filter.issuerAccountId);
      if (filter.batchId !== undefined) query = query.where('batch_id', '=', filter.batchId);
      return (await query.execute()).map(toRechargeCode);
    },
  };
}
