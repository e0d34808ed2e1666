import type {
  AuditEventRecord,
  HoldRecord,
  LedgerEntryRecord,
  RechargeCodeRecord,
  SessionRecord,
  WalletRecord,
  WalletStatus,
} from './money-records.js';
import type { UsageRecord } from './records.js';

export type HoldResult =
  | { outcome: 'held' }
  | { outcome: 'insufficient'; available: number }
  | { outcome: 'suspended' }
  | { outcome: 'no_wallet' };

/** What one finished relay request owes, applied by `WalletRepository.settle`. */
export interface Settlement {
  /** The request's record; its `cost` is what it should be charged before any clamping. */
  usage: UsageRecord;
  /** The hold placed for it, released as it is settled; null when none was placed. */
  hold: { id: string; accountId: number; amount: number } | null;
}

/** A movement of money by a person (not by a relay request). */
export interface WalletMovement {
  accountId: number;
  /** Signed micro-units: positive credits, negative debits. */
  amount: number;
  kind: 'topup' | 'adjust' | 'refund';
  actorAccountId: number | null;
  reason: string | null;
  reference?: string | null;
}

export interface TransferInput {
  fromAccountId: number;
  toAccountId: number;
  /** Positive micro-units. */
  amount: number;
  actorAccountId: number | null;
  reason: string | null;
}

/** A wallet whose balance or holds disagree with its ledger and open holds. */
export interface WalletMismatch {
  accountId: number;
  balance: number;
  ledgerSum: number;
  held: number;
  openHolds: number;
}

/** Why a money movement was refused. */
export class MoneyError extends Error {
  constructor(
    readonly reason: 'insufficient_funds' | 'wallet_suspended' | 'no_wallet' | 'invalid_amount',
    message: string,
  ) {
    super(message);
    this.name = 'MoneyError';
  }
}

/**
 * A hold's amount must be a whole, non-negative number of micro-units: a negative hold would
 * raise what is available, and a fractional one would put a REAL into SQLite's integer
 * arithmetic. Either is a bug upstream, refused before it touches a wallet.
 */
export function refusedHoldAmount(amount: number): MoneyError | undefined {
  return Number.isSafeInteger(amount) && amount >= 0
    ? undefined
    : new MoneyError(
        'invalid_amount',
        'A hold must be a whole, non-negative number of micro-units.',
      );
}

export interface WalletRepository {
  find(accountId: number): Promise<WalletRecord | undefined>;
  /**
   * Places a hold in one atomic step: it succeeds only if the wallet is active and
   * `balance - held >= amount`, so concurrent requests, on one instance or many, can never
   * together hold more than the balance.
   */
  placeHold(hold: {
    id: string;
    accountId: number;
    amount: number;
    expiresAt: number;
  }): Promise<HoldResult>;
  /**
   * Applies finished requests in one transaction: releases each hold, charges the cost (never
   * more than the wallet can pay without going below its other holds), appends the ledger entry
   * and writes the usage record with the amount actually charged. A request id already settled
   * is skipped, so a retried batch never charges twice.
   */
  settle(settlements: readonly Settlement[]): Promise<void>;
  /** Top-ups, adjustments and refunds; a debit past what is available throws `MoneyError`. */
  move(movement: WalletMovement): Promise<WalletRecord>;
  /** Moves money between two wallets atomically (transfer_out + transfer_in). */
  transfer(input: TransferInput): Promise<{ from: WalletRecord; to: WalletRecord }>;
  setStatus(accountId: number, status: WalletStatus): Promise<boolean>;
  ledger(
    accountId: number,
    page?: { limit?: number; beforeId?: number },
  ): Promise<LedgerEntryRecord[]>;
  openHolds(accountId?: number): Promise<HoldRecord[]>;
  /** How many holds are open over all wallets, and what they hold: one aggregate, no rows. */
  holdTotals(): Promise<{ count: number; amount: number }>;
  /** Releases holds whose expiry has passed (their request died with its process). */
  releaseExpiredHolds(now: number): Promise<number>;
  /** Every wallet whose balance is not the sum of its ledger, or whose held is not its holds. */
  verify(): Promise<WalletMismatch[]>;
}

export interface NewRechargeCode {
  codeHash: string;
  codePrefix: string;
}

export type RedeemResult =
  | { outcome: 'redeemed'; code: RechargeCodeRecord; wallet: WalletRecord }
  | { outcome: 'unknown' | 'used' | 'expired' | 'void' };

export interface RechargeCodeRepository {
  /**
   * Issues a batch. When `prepaid`, the issuer's wallet pays the total in the same transaction
   * (a transfer_out entry), or nothing is issued at all.
   */
  issueBatch(input: {
    batchId: string;
    issuerAccountId: number;
    amount: number;
    expiresAt: number;
    prepaid: boolean;
    codes: readonly NewRechargeCode[];
  }): Promise<RechargeCodeRecord[]>;
  /** Redeems a code into a wallet, atomically; a code can be redeemed once, whatever the race. */
  redeem(input: { codeHash: string; accountId: number; now: number }): Promise<RedeemResult>;
  list(filter?: {
    issuerAccountId?: number;
    batchId?: string;
    limit?: number;
  }): Promise<RechargeCodeRecord[]>;
}

export interface AuditRepository {
  append(event: Omit<AuditEventRecord, 'id' | 'createdAt'>): Promise<void>;
  list(page?: { limit?: number; beforeId?: number }): Promise<AuditEventRecord[]>;
}

export interface SessionRepository {
  create(session: SessionRecord): Promise<void>;
  find(tokenHash: string): Promise<SessionRecord | undefined>;
  delete(tokenHash: string): Promise<void>;
  deleteExpired(now: number): Promise<number>;
}
