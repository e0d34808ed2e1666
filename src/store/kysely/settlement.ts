import type { Settlement } from '../money-contract.js';
import type { Dialect } from '../migrations.js';
import { writeTransaction, type Database, type Executor } from './executor.js';
import { addDailyUsage } from './daily-usage.js';
import { appendLedger, slices, type LedgerLine } from './ledger-lines.js';
import { usageRow } from './usage-repository.js';

/**
 * Applies finished requests in one transaction (`WalletRepository.settle`). The order of its steps
 * is what keeps instances that settle, sweep and hold at once from deadlocking: usage records are
 * claimed first (in request-id order), then every hold is released, and only then are wallets
 * locked, in account order.
 */
export async function settleBatch(
  database: Database,
  dialect: Dialect,
  now: () => number,
  settlements: readonly Settlement[],
): Promise<void> {
  if (settlements.length === 0) return;
  // The first settlement of a request id in the batch is the one that counts.
  const unique = new Map<string, Settlement>();
  for (const settlement of settlements) {
    if (!unique.has(settlement.usage.requestId)) unique.set(settlement.usage.requestId, settlement);
  }
  // Claimed in request-id order, so two batches sharing request ids wait on each other in one
  // direction only.
  const byRequest = [...unique.values()].sort((left, right) =>
    left.usage.requestId < right.usage.requestId ? -1 : 1,
  );
  await writeTransaction(database, dialect, async (transaction) => {
    const timestamp = now();
    // Writing the usage record first is what makes a request settle once: a record that exists
    // (settled before, or by a batch of another instance that this insert waits for) is skipped
    // with nothing charged, instead of failing the whole batch at the ledger's unique index.
    const claimed = new Set<string>();
    for (const slice of slices(byRequest)) {
      const rows = await transaction
        .insertInto('usage_records')
        .values(slice.map((settlement) => usageRow(settlement.usage)))
        .onConflict((conflict) => conflict.column('request_id').doNothing())
        .returning('request_id')
        .execute();
      for (const row of rows) claimed.add(row.request_id);
    }
    const settled = byRequest.filter((settlement) => claimed.has(settlement.usage.requestId));

    // Every hold goes before any wallet is locked. A hold the sweeper is releasing right now
    // makes this wait for the sweeper, and the sweeper may be waiting for a wallet: had this
    // transaction locked one already, the two would deadlock.
    const released = new Map<string, { accountId: number; amount: number }>();
    const holdIds = settled.flatMap((settlement) => (settlement.hold ? [settlement.hold.id] : []));
    for (const slice of slices(holdIds)) {
      const rows = await transaction
        .deleteFrom('holds')
        .where('id', 'in', slice)
        .returning(['id', 'account_id', 'amount'])
        .execute();
      for (const row of rows) {
        released.set(row.id, { accountId: Number(row.account_id), amount: Number(row.amount) });
      }
    }

    // Each wallet then takes its requests in turn: release the hold, charge what it can pay.
    const steps = new Map<number, SettlementStep[]>();
    const addStep = (accountId: number, step: SettlementStep) => {
      const list = steps.get(accountId);
      if (list) list.push(step);
      else steps.set(accountId, [step]);
    };
    for (const settlement of settled) {
      // A hold swept after expiry has already been released.
      const hold = settlement.hold ? released.get(settlement.hold.id) : undefined;
      if (hold && hold.accountId !== settlement.usage.accountId) {
        addStep(hold.accountId, { settlement: null, released: hold.amount });
        addStep(settlement.usage.accountId, { settlement, released: 0 });
      } else {
        addStep(settlement.usage.accountId, { settlement, released: hold?.amount ?? 0 });
      }
    }
    const ledger: LedgerLine[] = [];
    const clamped = new Map<Settlement, number>();
    // Wallet rows are locked in account order, so two instances settling at once cannot deadlock.
    for (const accountId of [...steps.keys()].sort((left, right) => left - right)) {
      const charged = await settleAccount(
        transaction,
        dialect,
        accountId,
        steps.get(accountId) ?? [],
        timestamp,
        ledger,
      );
      // The record says what was charged; that differs from the cost only when clamped.
      for (const [settlement, amount] of charged) {
        if (amount === settlement.usage.cost) continue;
        clamped.set(settlement, amount);
        await transaction
          .updateTable('usage_records')
          .set({ cost: amount })
          .where('request_id', '=', settlement.usage.requestId)
          .execute();
      }
    }
    await appendLedger(transaction, ledger, timestamp);
    // Last, after the wallets: every transaction takes its locks in the same order.
    await addDailyUsage(
      transaction,
      settled.map((settlement) => ({
        ...settlement.usage,
        cost: clamped.get(settlement) ?? settlement.usage.cost,
      })),
    );
  });
}

/** One request of a settlement batch as its wallet sees it; `settlement` is null for a bare release. */
interface SettlementStep {
  settlement: Settlement | null;
  released: number;
}

/**
 * Applies one wallet's share of a batch inside its transaction, in order: each step releases its
 * hold, then charges its cost up to what the wallet has beyond its remaining holds. Charging less
 * than the cost only happens when a provider reports more usage than the hold allowed for; the
 * wallet never goes below zero and never below what other requests hold. Answers the amount
 * charged for each settlement.
 */
async function settleAccount(
  transaction: Executor,
  dialect: Dialect,
  accountId: number,
  steps: readonly SettlementStep[],
  timestamp: number,
  ledger: LedgerLine[],
): Promise<Map<Settlement, number>> {
  const charged = new Map<Settlement, number>();
  const touchesWallet = steps.some(
    (step) => step.released > 0 || (step.settlement?.usage.cost ?? 0) > 0,
  );
  let wallet: { balance: number; held: number } | undefined;
  if (touchesWallet) {
    let select = transaction
      .selectFrom('wallets')
      .select(['balance', 'held'])
      .where('account_id', '=', accountId);
    if (dialect === 'postgres') select = select.forUpdate();
    const row = await select.executeTakeFirst();
    wallet = row && { balance: Number(row.balance), held: Number(row.held) };
  }
  if (!wallet) {
    for (const step of steps) if (step.settlement) charged.set(step.settlement, 0);
    return charged;
  }
  let { balance, held } = wallet;
  for (const step of steps) {
    held -= step.released;
    if (!step.settlement) continue;
    const amount = Math.max(0, Math.min(step.settlement.usage.cost, balance - held));
    balance -= amount;
    charged.set(step.settlement, amount);
    if (amount > 0) {
      ledger.push({
        accountId,
        kind: 'charge',
        amount: -amount,
        balanceAfter: balance,
        actorAccountId: null,
        reason: null,
        requestId: step.settlement.usage.requestId,
        reference: step.settlement.usage.modelId,
      });
    }
  }
  await transaction
    .updateTable('wallets')
    .set({ held, balance, updated_at: timestamp })
    .where('account_id', '=', accountId)
    .execute();
  return charged;
}
