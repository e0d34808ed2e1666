import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  MoneyError,
  refusedHoldAmount,
  type WalletMismatch,
  type WalletRepository,
} from '../money-contract.js';
import type { Dialect } from '../migrations.js';
import type { WalletRecord } from '../money-records.js';
import { writeTransaction, type Database, type Executor } from './executor.js';
import { appendLedger } from './ledger-lines.js';
import { settleBatch } from './settlement.js';
import { toHold, toLedgerEntry, toWallet } from './money-row-parsers.js';

/**
 * Changes a balance by `delta` in one guarded statement. A debit only happens while what is
 * available (balance − held) covers it, so two writers can never spend the same money; the
 * statement's first act is a write, which in SQLite takes the write lock before anything is read.
 */
async function changeBalance(
  executor: Executor,
  accountId: number,
  delta: number,
  updatedAt: number,
  requireActive: boolean,
): Promise<WalletRecord | undefined> {
  let query = executor
    .updateTable('wallets')
    .set({ balance: sql<number>`balance + ${delta}`, updated_at: updatedAt })
    .where('account_id', '=', accountId);
  if (delta < 0) query = query.where(sql<number>`balance - held`, '>=', -delta);
  if (requireActive) query = query.where('status', '=', 'active');
  const row = await query.returningAll().executeTakeFirst();
  return row && toWallet(row);
}

async function explainRefusal(
  executor: Executor,
  accountId: number,
  amount: number,
): Promise<never> {
  const row = await executor
    .selectFrom('wallets')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw new MoneyError('no_wallet', `Account ${accountId} has no wallet.`);
  const wallet = toWallet(row);
  if (wallet.status !== 'active') {
    throw new MoneyError('wallet_suspended', `The wallet of account ${accountId} is suspended.`);
  }
  throw new MoneyError(
    'insufficient_funds',
    `The wallet of account ${accountId} has ${wallet.balance - wallet.held} micro-units available; ${amount} are needed.`,
  );
}

/** Wallets, holds and the append-only ledger over Kysely. */
export function walletRepository(
  database: Database,
  dialect: Dialect,
  now: () => number,
): WalletRepository {
  return {
    async find(accountId) {
      const row = await database
        .selectFrom('wallets')
        .selectAll()
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return row && toWallet(row);
    },

    async placeHold(hold) {
      const refused = refusedHoldAmount(hold.amount);
      if (refused) throw refused;
      return writeTransaction(database, dialect, async (transaction) => {
        const timestamp = now();
        const updated = await transaction
          .updateTable('wallets')
          .set({ held: sql<number>`held + ${hold.amount}`, updated_at: timestamp })
          .where('account_id', '=', hold.accountId)
          .where('status', '=', 'active')
          .where(sql<number>`balance - held`, '>=', hold.amount)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 1) {
          await transaction
            .insertInto('holds')
            .values({
              id: hold.id,
              account_id: hold.accountId,
              amount: hold.amount,
              expires_at: hold.expiresAt,
              created_at: timestamp,
            })
            .execute();
          return { outcome: 'held' as const };
        }
        const row = await transaction
          .selectFrom('wallets')
          .selectAll()
          .where('account_id', '=', hold.accountId)
          .executeTakeFirst();
        if (!row) return { outcome: 'no_wallet' as const };
        const wallet = toWallet(row);
        if (wallet.status !== 'active') return { outcome: 'suspended' as const };
        return { outcome: 'insufficient' as const, available: wallet.balance - wallet.held };
      });
    },

    async settle(settlements) {
      await settleBatch(database, dialect, now, settlements);
    },

    async move(movement) {
      if (!Number.isSafeInteger(movement.amount) || movement.amount === 0) {
        throw new MoneyError(
          'invalid_amount',
          'The amount must be a non-zero whole number of micro-units.',
        );
      }
      return writeTransaction(database, dialect, async (transaction) => {
        const timestamp = now();
        const wallet = await changeBalance(
          transaction,
          movement.accountId,
          movement.amount,
          timestamp,
          false,
        );
        if (!wallet) return explainRefusal(transaction, movement.accountId, -movement.amount);
        await appendLedger(
          transaction,
          [
            {
              accountId: movement.accountId,
              kind: movement.kind,
              amount: movement.amount,
              balanceAfter: wallet.balance,
              actorAccountId: movement.actorAccountId,
              reason: movement.reason,
              requestId: null,
              reference: movement.reference ?? null,
            },
          ],
          timestamp,
        );
        return wallet;
      });
    },

    async transfer(input) {
      if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
        throw new MoneyError(
          'invalid_amount',
          'A transfer must move a positive whole number of micro-units.',
        );
      }
      if (input.fromAccountId === input.toAccountId) {
        throw new MoneyError('invalid_amount', 'A wallet cannot transfer to itself.');
      }
      return writeTransaction(database, dialect, async (transaction) => {
        const timestamp = now();
        // Pairs the two lines of this transfer and no other, even one alike in the same millisecond.
        const reference = `transfer:${input.fromAccountId}>${input.toAccountId}@${timestamp}:${randomUUID()}`;
        // Lower account id first: concurrent opposite transfers lock in the same order.
        const debitFirst = input.fromAccountId < input.toAccountId;
        let to: WalletRecord | undefined;
        if (!debitFirst)
          to = await changeBalance(transaction, input.toAccountId, input.amount, timestamp, false);
        const from = await changeBalance(
          transaction,
          input.fromAccountId,
          -input.amount,
          timestamp,
          true,
        );
        if (!from) return explainRefusal(transaction, input.fromAccountId, input.amount);
        if (debitFirst)
          to = await changeBalance(transaction, input.toAccountId, input.amount, timestamp, false);
        if (!to) throw new MoneyError('no_wallet', `Account ${input.toAccountId} has no wallet.`);
        const common = {
          actorAccountId: input.actorAccountId,
          reason: input.reason,
          requestId: null,
          reference,
        };
        await appendLedger(
          transaction,
          [
            {
              ...common,
              accountId: from.accountId,
              kind: 'transfer_out',
              amount: -input.amount,
              balanceAfter: from.balance,
            },
            {
              ...common,
              accountId: to.accountId,
              kind: 'transfer_in',
              amount: input.amount,
              balanceAfter: to.balance,
            },
          ],
          timestamp,
        );
        return { from, to };
      });
    },

    async setStatus(accountId, status) {
      const result = await database
        .updateTable('wallets')
        .set({ status, updated_at: now() })
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async ledger(accountId, page = {}) {
      let query = database
        .selectFrom('ledger_entries')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('id', 'desc')
        .limit(page.limit ?? 100);
      if (page.beforeId !== undefined) query = query.where('id', '<', page.beforeId);
      return (await query.execute()).map(toLedgerEntry);
    },

    async openHolds(accountId) {
      let query = database.selectFrom('holds').selectAll().orderBy('created_at');
      if (accountId !== undefined) query = query.where('account_id', '=', accountId);
      return (await query.execute()).map(toHold);
    },

    async holdTotals() {
      const row = await database
        .selectFrom('holds')
        .select((expression) => [
          expression.fn.countAll<number>().as('count'),
          expression.fn.coalesce(expression.fn.sum<number>('amount'), sql<number>`0`).as('amount'),
        ])
        .executeTakeFirst();
      return { count: Number(row?.count ?? 0), amount: Number(row?.amount ?? 0) };
    },

    async releaseExpiredHolds(at) {
      return writeTransaction(database, dialect, async (transaction) => {
        // PostgreSQL: a hold locked by a settlement in progress is that settlement's to release;
        // skipping it means the sweeper never waits on a hold while another waits on a wallet.
        const expired = await transaction
          .deleteFrom('holds')
          .where('id', 'in', (expression) => {
            const query = expression.selectFrom('holds').select('id').where('expires_at', '<=', at);
            return dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
          })
          .returning(['account_id', 'amount'])
          .execute();
        const byAccount = new Map<number, number>();
        for (const hold of expired) {
          byAccount.set(
            Number(hold.account_id),
            (byAccount.get(Number(hold.account_id)) ?? 0) + Number(hold.amount),
          );
        }
        for (const [accountId, amount] of [...byAccount].sort(([left], [right]) => left - right)) {
          await transaction
            .updateTable('wallets')
            .set({ held: sql<number>`held - ${amount}`, updated_at: now() })
            .where('account_id', '=', accountId)
            .execute();
        }
        return expired.length;
      });
    },

    async verify(): Promise<WalletMismatch[]> {
      const ledgerSums = database
        .selectFrom('ledger_entries')
        .select(['account_id', (expression) => expression.fn.sum<number>('amount').as('total')])
        .groupBy('account_id')
        .as('ledger_sums');
      const holdSums = database
        .selectFrom('holds')
        .select(['account_id', (expression) => expression.fn.sum<number>('amount').as('total')])
        .groupBy('account_id')
        .as('hold_sums');
      const rows = await database
        .selectFrom('wallets')
        .leftJoin(ledgerSums, 'ledger_sums.account_id', 'wallets.account_id')
        .leftJoin(holdSums, 'hold_sums.account_id', 'wallets.account_id')
        .select([
          'wallets.account_id',
          'wallets.balance',
          'wallets.held',
          sql<number>`coalesce(ledger_sums.total, 0)`.as('ledger_sum'),
          sql<number>`coalesce(hold_sums.total, 0)`.as('open_holds'),
        ])
        .orderBy('wallets.account_id')
        .execute();
      return rows
        .map((row) => ({
          accountId: Number(row.account_id),
          balance: Number(row.balance),
          ledgerSum: Number(row.ledger_sum),
          held: Number(row.held),
          openHolds: Number(row.open_holds),
        }))
        .filter(
          (wallet) => wallet.balance !== wallet.ledgerSum || wallet.held !== wallet.openHolds,
        );
    },
  };
}
