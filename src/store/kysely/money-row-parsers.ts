import { z } from 'zod';
import type { DatabaseSchema } from '../database-schema.js';
import type {
  AuditEventRecord,
  HoldRecord,
  LedgerEntryRecord,
  RechargeCodeRecord,
  SessionRecord,
  WalletRecord,
} from '../money-records.js';

type Row<Table extends keyof DatabaseSchema> = {
  [Column in keyof DatabaseSchema[Table]]: DatabaseSchema[Table][Column] extends {
    __select__: infer S;
  }
    ? S
    : DatabaseSchema[Table][Column];
};

const nullableNumber = (value: number | null): number | null =>
  value === null ? null : Number(value);

function parseJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

export function toWallet(row: Row<'wallets'>): WalletRecord {
  return {
    accountId: Number(row.account_id),
    balance: Number(row.balance),
    held: Number(row.held),
    status: z.enum(['active', 'suspended']).parse(row.status),
    updatedAt: Number(row.updated_at),
  };
}

export function toLedgerEntry(row: Row<'ledger_entries'>): LedgerEntryRecord {
  return {
    id: Number(row.id),
    accountId: Number(row.account_id),
    kind: z
      .enum(['topup', 'transfer_out', 'transfer_in', 'charge', 'refund', 'adjust'])
      .parse(row.kind),
    amount: Number(row.amount),
    balanceAfter: Number(row.balance_after),
    actorAccountId: nullableNumber(row.actor_account_id),
    reason: row.reason,
    requestId: row.request_id,
    reference: row.reference,
    createdAt: Number(row.created_at),
  };
}

export function toHold(row: Row<'holds'>): HoldRecord {
  return {
    id: row.id,
    accountId: Number(row.account_id),
    amount: Number(row.amount),
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  };
}

export function toRechargeCode(row: Row<'recharge_codes'>): RechargeCodeRecord {
  return {
    id: Number(row.id),
    codePrefix: row.code_prefix,
    amount: Number(row.amount),
    issuerAccountId: Number(row.issuer_account_id),
    batchId: row.batch_id,
    prepaid: Number(row.prepaid) === 1,
    status: z.enum(['active', 'redeemed', 'void']).parse(row.status),
    expiresAt: Number(row.expires_at),
    redeemedByAccountId: nullableNumber(row.redeemed_by_account_id),
    redeemedAt: nullableNumber(row.redeemed_at),
    createdAt: Number(row.created_at),
  };
}

export function toAuditEvent(row: Row<'audit_events'>): AuditEventRecord {
  return {
    id: Number(row.id),
    actorAccountId: nullableNumber(row.actor_account_id),
    actorLabel: row.actor_label,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    before: parseJson(row.before_state),
    after: parseJson(row.after_state),
    createdAt: Number(row.created_at),
  };
}

export function toSession(row: Row<'sessions'>): SessionRecord {
  return {
    tokenHash: row.token_hash,
    accountId: Number(row.account_id),
    csrfToken: row.csrf_token,
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
  };
}
