import { sql } from 'kysely';
import { refusedHoldAmount, type HoldResult, type WalletRepository } from '../money-contract.js';
import type { Database } from '../kysely/executor.js';

type PlaceHold = WalletRepository['placeHold'];

interface HoldRow {
  placed: boolean;
  balance: number | null;
  held: number | null;
  status: string | null;
}

/**
 * `placeHold` on PostgreSQL in one statement, so one round trip: the guarded wallet update and
 * the hold's insert are data-modifying CTEs of a single autocommitted statement, atomic as a
 * transaction is, where BEGIN, UPDATE, INSERT and COMMIT took four. The wallet's row lock is also
 * held for one statement instead of across four round trips, which is what every instance
 * holding for one busy account waits on. The guard is the same as the portable version's
 * (kysely/wallet-repository.ts), and the same store contract suite runs against it.
 */
export function postgresPlaceHold(database: Database, now: () => number): PlaceHold {
  const place = async (hold: Parameters<PlaceHold>[0], retries: number): Promise<HoldResult> => {
    const timestamp = now();
    const { rows } = await sql<HoldRow>`
      with reserved as (
        update wallets set held = held + ${hold.amount}, updated_at = ${timestamp}
        where account_id = ${hold.accountId} and status = 'active'
          and balance - held >= ${hold.amount}
        returning account_id
      ), placed as (
        insert into holds (id, account_id, amount, expires_at, created_at)
        select ${hold.id}, account_id, ${hold.amount}, ${hold.expiresAt}, ${timestamp}
        from reserved
        returning id
      )
      select exists (select 1 from placed) as placed, w.balance, w.held, w.status
      from (select 1) as one
      left join wallets w on w.account_id = ${hold.accountId}`.execute(database);
    const row = rows[0];
    if (row?.placed) return { outcome: 'held' };
    // The wallet as the statement's snapshot saw it, from before any update it waited for.
    if (!row || row.status === null) return { outcome: 'no_wallet' };
    if (row.status !== 'active') return { outcome: 'suspended' };
    const available = Number(row.balance) - Number(row.held);
    if (available < hold.amount) return { outcome: 'insufficient', available };
    // The snapshot had room, so a hold that committed while this one waited took it; that hold
    // may also have been released since. Asking again sees both.
    if (retries > 0) return place(hold, retries - 1);
    return { outcome: 'insufficient', available: 0 };
  };

  return async (hold) => {
    const refused = refusedHoldAmount(hold.amount);
    if (refused) throw refused;
    return place(hold, 3);
  };
}
