import type { Store } from '../../src/store/contract.js';
import type { LedgerEntryRecord } from '../../src/store/money-records.js';
import type { UsageRecord } from '../../src/store/records.js';

/** Every ledger entry of one account, oldest first. */
export async function allLedgerEntries(
  store: Store,
  accountId: number,
): Promise<LedgerEntryRecord[]> {
  const entries: LedgerEntryRecord[] = [];
  let beforeId: number | undefined;
  for (let page = 0; page < 10_000; page += 1) {
    const batch = await store.wallets.ledger(accountId, {
      limit: 500,
      ...(beforeId === undefined ? {} : { beforeId }),
    });
    entries.push(...batch);
    if (batch.length < 500) break;
    beforeId = batch[batch.length - 1]?.id;
  }
  return entries.reverse();
}

/** Every usage record of one account. */
export async function allUsageRecords(store: Store, accountId: number): Promise<UsageRecord[]> {
  const records: UsageRecord[] = [];
  let before: { createdAt: number; requestId: string } | undefined;
  for (let page = 0; page < 10_000; page += 1) {
    const batch = await store.usage.list({
      accountId,
      limit: 500,
      ...(before === undefined ? {} : { before }),
    });
    records.push(...batch);
    const last = batch[batch.length - 1];
    if (batch.length < 500 || last === undefined) break;
    before = { createdAt: last.createdAt, requestId: last.requestId };
  }
  return records;
}

/** Charges per request id: a request charged twice shows up with a count of 2. */
export function chargesByRequest(entries: readonly LedgerEntryRecord[]): Map<string, number> {
  const charges = new Map<string, number>();
  for (const entry of entries) {
    if (entry.kind !== 'charge' || entry.requestId === null) continue;
    charges.set(entry.requestId, (charges.get(entry.requestId) ?? 0) + 1);
  }
  return charges;
}

/**
 * Problems between the ledger and the usage records of one account: every charge needs a record
 * of the same request that says the same amount, and no charge may be doubled.
 */
export function ledgerAgainstUsage(
  entries: readonly LedgerEntryRecord[],
  records: readonly UsageRecord[],
): string[] {
  const problems: string[] = [];
  const byRequest = new Map(records.map((record) => [record.requestId, record]));
  for (const [requestId, count] of chargesByRequest(entries)) {
    if (count > 1) problems.push(`${requestId} is charged ${count} times`);
  }
  for (const entry of entries) {
    if (entry.kind !== 'charge') continue;
    const record = entry.requestId === null ? undefined : byRequest.get(entry.requestId);
    if (!record) {
      problems.push(`charge ${entry.id} (${entry.requestId ?? 'no request id'}) has no record`);
    } else if (record.cost !== -entry.amount) {
      problems.push(
        `${record.requestId}: the record says ${record.cost}, the ledger ${-entry.amount}`,
      );
    }
  }
  const charged = chargesByRequest(entries);
  for (const record of records) {
    if (record.cost > 0 && !charged.has(record.requestId)) {
      problems.push(`${record.requestId} has a record costing ${record.cost} but no charge`);
    }
  }
  return problems;
}
