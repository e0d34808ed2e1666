import { sql } from 'kysely';
import {
  MoneyError,
  type Settlement,
  type WalletMismatch,
  type WalletRepository,
} from '../money-contract.js';
import type { Dialect } from '../migrations.js';
import type { LedgerKind, WalletRecord } from '../money-records.js';
import { usageRow } from './usage-repository.js';
import { writeTransaction, type Database, type Executor } from './executor.js';
import { toHold, toLedgerEntry, toWallet } from './money-row-parsers.js';

interface LedgerLine {
  accountId: number;
  kind: LedgerKind;
  amount: number;
  balanceAfter: number;
  actorAccountId: number | null;
  reason: string | null;
  requestId: string | null;
  reference: string | null;
}

async function appendLedger(
  executor: Executor,
  lines: readonly LedgerLine[],
  createdAt: number,
): Promise<void> {
  if (lines.length === 0) return;
  await executor
    .insertInto('ledger_entries')
    .values(
      lines.map((line) => ({
        account_id: line.accountId,
        kind: line.kind,
        amount: line.amount,
        balance_after: line.balanceAfter,
        actor_account_id: line.actorAccountId,
        reason: line.reason,
        request_id: line.requestId,
        reference: line.reference,
        created_at: createdAt,
      })),
    )
    .execute();
}

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
      if (settlements.length === 0) return;
      // Wallet rows are locked in account order, so two instances settling at once cannot deadlock.
      const ordered = [...settlements].sort(
        (left, right) => left.usage.accountId - right.usage.accountId,
      );
      await writeTransaction(database, dialect, async (transaction) => {
        const timestamp = now();
        const already = new Set(
          (
            await transaction
              .selectFrom('usage_records')
              .select('request_id')
              .where(
                'request_id',
                'in',
                ordered.map((settlement) => settlement.usage.requestId),
              )
              .execute()
          ).map((row) => row.request_id),
        );
        const ledger: LedgerLine[] = [];
        const usage: Settlement['usage'][] = [];
        for (const settlement of ordered) {
          if (already.has(settlement.usage.requestId)) continue;
          already.add(settlement.usage.requestId);
          const charged = await settleOne(transaction, dialect, settlement, timestamp, ledger);
          usage.push({ ...settlement.usage, cost: charged });
        }
        await appendLedger(transaction, ledger, timestamp);
        if (usage.length > 0)
          await transaction.insertInto('usage_records').values(usage.map(usageRow)).execute();
      });
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
        const reference = `transfer:${input.fromAccountId}>${input.toAccountId}@${timestamp}`;
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

    async releaseExpiredHolds(at) {
      return writeTransaction(database, dialect, async (transaction) => {
        const expired = await transaction
          .deleteFrom('holds')
          .where('expires_at', '<=', at)
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

/**
 * Settles one request inside the batch's transaction and answers what was charged: the hold is
 * released, then the cost is charged up to what the wallet has beyond its other holds. Charging
 * less than the cost only happens when a provider reports more usage than the hold allowed for;
 * the wallet never goes below zero and never below what other requests hold.
 */
async function settleOne(
  transaction: Executor,
  dialect: Dialect,
  settlement: Settlement,
  timestamp: number,
  ledger: LedgerLine[],
): Promise<number> {
  const accountId = settlement.usage.accountId;
  let released = 0;
  if (settlement.hold) {
    const hold = await transaction
      .deleteFrom('holds')
      .where('id', '=', settlement.hold.id)
      .returning('amount')
      .executeTakeFirst();
    // A hold swept after expiry has already been released.
    released = hold ? Number(hold.amount) : 0;
  }
  const cost = settlement.usage.cost;
  if (released === 0 && cost <= 0) return 0;
  let select = transaction
    .selectFrom('wallets')
    .select(['balance', 'held'])
    .where('account_id', '=', accountId);
  if (dialect === 'postgres') select = select.forUpdate();
  const wallet = await select.executeTakeFirst();
  if (!wallet) return 0;
  const heldAfter = Number(wallet.held) - released;
  const charged = Math.max(0, Math.min(cost, Number(wallet.balance) - heldAfter));
  const balanceAfter = Number(wallet.balance) - charged;
  await transaction
    .updateTable('wallets')
    .set({ held: heldAfter, balance: balanceAfter, updated_at: timestamp })
    .where('account_id', '=', accountId)
    .execute();
  if (charged > 0) {
    ledger.push({
      accountId,
      kind: 'charge',
      amount: -charged,
      balanceAfter,
      actorAccountId: null,
      reason: null,
      requestId: settlement.usage.requestId,
      reference: settlement.usage.modelId,
    });
  }
  return charged;
}
