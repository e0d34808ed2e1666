import { z } from 'zod';
import type { LedgerEntryRecord, WalletRecord } from '../../store/money-records.js';
import { isoTime, microUnits, money, moneyText, timestamp } from '../common-schemas.js';

/** A wallet: every amount as a decimal string and as integer micro-units. */
export const walletView = z.object({
  accountId: z.number().int(),
  status: z.enum(['active', 'suspended']),
  balance: moneyText,
  balanceMicros: microUnits,
  held: moneyText.describe('Reserved by requests in flight'),
  heldMicros: microUnits,
  available: moneyText.describe('balance − held: what can be spent or moved now'),
  availableMicros: microUnits,
  updatedAt: timestamp,
});

export type WalletView = z.output<typeof walletView>;

/** The view of a wallet record. */
export function viewWallet(wallet: WalletRecord): WalletView {
  const available = wallet.balance - wallet.held;
  return {
    accountId: wallet.accountId,
    status: wallet.status,
    balance: money(wallet.balance),
    balanceMicros: wallet.balance,
    held: money(wallet.held),
    heldMicros: wallet.held,
    available: money(available),
    availableMicros: available,
    updatedAt: isoTime(wallet.updatedAt),
  };
}

/** One ledger line. */
export const ledgerEntryView = z.object({
  id: z.number().int(),
  accountId: z.number().int(),
  kind: z.enum(['topup', 'transfer_out', 'transfer_in', 'charge', 'refund', 'adjust']),
  amount: moneyText.describe('Signed: credits positive, debits negative'),
  amountMicros: microUnits,
  balanceAfter: moneyText,
  balanceAfterMicros: microUnits,
  actorAccountId: z.number().int().nullable(),
  reason: z.string().nullable(),
  requestId: z.string().nullable(),
  reference: z.string().nullable(),
  createdAt: timestamp,
});

/** The view of a ledger entry. */
export function viewLedgerEntry(entry: LedgerEntryRecord): z.output<typeof ledgerEntryView> {
  return {
    id: entry.id,
    accountId: entry.accountId,
    kind: entry.kind,
    amount: money(entry.amount),
    amountMicros: entry.amount,
    balanceAfter: money(entry.balanceAfter),
    balanceAfterMicros: entry.balanceAfter,
    actorAccountId: entry.actorAccountId,
    reason: entry.reason,
    requestId: entry.requestId,
    reference: entry.reference,
    createdAt: isoTime(entry.createdAt),
  };
}
