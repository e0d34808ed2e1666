import type BetterSqlite3 from 'better-sqlite3';
import { refusedHoldAmount, type HoldResult, type WalletRepository } from '../money-contract.js';

type PlaceHold = WalletRepository['placeHold'];
type HoldInput = Parameters<PlaceHold>[0];

interface QueuedHold {
  hold: HoldInput;
  resolve: (result: HoldResult) => void;
  reject: (error: unknown) => void;
}

type Placed = { result: HoldResult } | { error: unknown };

/**
 * `placeHold` on SQLite, straight on better-sqlite3: every relay request places one, so it is the
 * database work on the hot path. The statements are prepared once, and a transaction runs in one
 * synchronous call (`BEGIN IMMEDIATE` to `COMMIT` without returning to the event loop), where the
 * query builder would build and prepare three statements and await four round trips per request.
 *
 * Holds asked for in the same turn of the event loop are placed in one transaction (a group
 * commit): a commit writes the changed pages to the WAL, which is most of a hold's cost, and
 * under load many requests arrive together. Each hold still runs alone, in order, inside its own
 * savepoint, so one that fails cannot undo another, and each promise settles only after the
 * commit. The SQL is the same guarded update as the portable version in
 * kysely/wallet-repository.ts, and the same store contract suite runs against it.
 */
export function sqlitePlaceHold(connection: BetterSqlite3.Database, now: () => number): PlaceHold {
  // Prepared on first use: the store is opened before its tables are migrated.
  let statements:
    | {
        placeOne: BetterSqlite3.Transaction<(hold: HoldInput, timestamp: number) => HoldResult>;
        placeMany: BetterSqlite3.Transaction<(holds: readonly HoldInput[]) => Placed[]>;
      }
    | undefined;
  const prepare = () => {
    const reserve = connection.prepare<[number, number, number, number]>(
      `update wallets set held = held + ?, updated_at = ?
         where account_id = ? and status = 'active' and balance - held >= ?`,
    );
    const record = connection.prepare<[string, number, number, number, number]>(
      'insert into holds (id, account_id, amount, expires_at, created_at) values (?, ?, ?, ?, ?)',
    );
    const read = connection.prepare<[number], { balance: number; held: number; status: string }>(
      'select balance, held, status from wallets where account_id = ?',
    );
    // Called inside placeMany's transaction, better-sqlite3 runs this as a savepoint.
    const placeOne = connection.transaction((hold: HoldInput, timestamp: number): HoldResult => {
      if (reserve.run(hold.amount, timestamp, hold.accountId, hold.amount).changes === 1) {
        record.run(hold.id, hold.accountId, hold.amount, hold.expiresAt, timestamp);
        return { outcome: 'held' };
      }
      const wallet = read.get(hold.accountId);
      if (!wallet) return { outcome: 'no_wallet' };
      if (wallet.status !== 'active') return { outcome: 'suspended' };
      return { outcome: 'insufficient', available: Number(wallet.balance) - Number(wallet.held) };
    });
    const placeMany = connection.transaction((holds: readonly HoldInput[]): Placed[] => {
      const timestamp = now();
      return holds.map((hold) => {
        try {
          return { result: placeOne(hold, timestamp) };
        } catch (error) {
          return { error };
        }
      });
    });
    return { placeOne, placeMany };
  };

  let queue: QueuedHold[] = [];
  const flush = (): void => {
    const batch = queue;
    queue = [];
    try {
      statements ??= prepare();
      if (batch.length === 1) {
        const [only] = batch as [QueuedHold];
        only.resolve(statements.placeOne.immediate(only.hold, now()));
        return;
      }
      const placed = statements.placeMany.immediate(batch.map((queued) => queued.hold));
      batch.forEach((queued, index) => {
        const outcome = placed[index];
        if (outcome && 'result' in outcome) queued.resolve(outcome.result);
        else queued.reject(outcome?.error ?? new Error('the hold was not placed'));
      });
    } catch (error) {
      // The transaction itself failed (the database stayed locked past busy_timeout, say).
      for (const queued of batch) queued.reject(error);
    }
  };

  return (hold) => {
    const refused = refusedHoldAmount(hold.amount);
    if (refused) return Promise.reject(refused);
    return new Promise<HoldResult>((resolve, reject) => {
      queue.push({ hold, resolve, reject });
      // After this turn's other requests have asked for theirs.
      if (queue.length === 1) setImmediate(flush);
    });
  };
}
