import type { LedgerKind } from '../money-records.js';
import type { Executor } from './executor.js';

/** A ledger entry about to be written. */
export interface LedgerLine {
  accountId: number;
  kind: LedgerKind;
  amount: number;
  balanceAfter: number;
  actorAccountId: number | null;
  reason: string | null;
  requestId: string | null;
  reference: string | null;
}

/**
 * Rows per multi-row statement: both databases cap bound parameters (SQLite 32,766, PostgreSQL
 * 65,535), and a settlement batch may be 10,000 requests long.
 */
const rowsPerStatement = 1_000;

/** `items` in consecutive slices of at most `rowsPerStatement`. */
export function slices<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += rowsPerStatement) {
    result.push(items.slice(start, start + rowsPerStatement));
  }
  return result;
}

/** Appends ledger entries, all with the same time. */
export async function appendLedger(
  executor: Executor,
  lines: readonly LedgerLine[],
  createdAt: number,
): Promise<void> {
  for (const slice of slices(lines)) {
    await executor
      .insertInto('ledger_entries')
      .values(
        slice.map((line) => ({
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
}
