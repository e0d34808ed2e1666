import type { EpochMilliseconds } from './records.js';

export type WalletStatus = 'active' | 'suspended';
export type LedgerKind = 'topup' | 'transfer_out' | 'transfer_in' | 'charge' | 'refund' | 'adjust';
export type RechargeCodeStatus = 'active' | 'redeemed' | 'void';

/** Money is integer micro-units everywhere (1 currency unit = 1,000,000). */
export interface WalletRecord {
  accountId: number;
  balance: number;
  /** Sum of open holds; what can be spent is `balance - held`. */
  held: number;
  status: WalletStatus;
  updatedAt: EpochMilliseconds;
}

/** One append-only ledger line; a wallet's balance is always the sum of its entries' amounts. */
export interface LedgerEntryRecord {
  id: number;
  accountId: number;
  kind: LedgerKind;
  /** Signed: credits are positive, debits negative. */
  amount: number;
  balanceAfter: number;
  actorAccountId: number | null;
  reason: string | null;
  /** The relay request a charge is for. */
  requestId: string | null;
  /** What else the entry belongs to: a transfer's other side, a recharge code, … */
  reference: string | null;
  createdAt: EpochMilliseconds;
}

export interface HoldRecord {
  id: string;
  accountId: number;
  amount: number;
  expiresAt: EpochMilliseconds;
  createdAt: EpochMilliseconds;
}

export interface RechargeCodeRecord {
  id: number;
  codePrefix: string;
  amount: number;
  issuerAccountId: number;
  batchId: string;
  /** True when the issuer paid for the code from its wallet (an agent). */
  prepaid: boolean;
  status: RechargeCodeStatus;
  expiresAt: EpochMilliseconds;
  redeemedByAccountId: number | null;
  redeemedAt: EpochMilliseconds | null;
  createdAt: EpochMilliseconds;
}

export interface AuditEventRecord {
  id: number;
  /** Null for the admin token and for the system itself. */
  actorAccountId: number | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  createdAt: EpochMilliseconds;
}

export interface SessionRecord {
  /** SHA-256 of the session token; the token itself lives only in the browser's cookie. */
  tokenHash: string;
  accountId: number;
  csrfToken: string;
  expiresAt: EpochMilliseconds;
  createdAt: EpochMilliseconds;
}
