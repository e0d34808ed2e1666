import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Store } from '../store/contract.js';
import type { RechargeCodeRecord } from '../store/money-records.js';
import type { Role } from '../store/records.js';
import { formatMoney } from './money.js';

// Crockford's base32: no I, L, O or U, so a code read aloud or retyped is hard to get wrong.
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const groups = 5;
const groupLength = 4;

/** A new code: shown once, then only its hash and prefix are kept. */
export interface GeneratedCode {
  code: string;
  codeHash: string;
  codePrefix: string;
}

/** `SY-XXXX-XXXX-XXXX-XXXX-XXXX`: 100 random bits. */
export function generateRechargeCode(): GeneratedCode {
  const bytes = randomBytes(groups * groupLength);
  const characters = [...bytes].map((byte) => alphabet[byte & 31] as string).join('');
  const parts = Array.from({ length: groups }, (_, index) =>
    characters.slice(index * groupLength, (index + 1) * groupLength),
  );
  const code = `SY-${parts.join('-')}`;
  return { code, codeHash: hashRechargeCode(code), codePrefix: code.slice(0, 7) };
}

/** Hashes a code as typed: case, spaces and dashes do not matter. */
export function hashRechargeCode(code: string): string {
  const normalized = code
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/^SY/, '');
  return createHash('sha256').update(normalized).digest('hex');
}

export interface IssuedBatch {
  batchId: string;
  codes: Array<{ code: string; record: RechargeCodeRecord }>;
}

/**
 * Issues a batch of codes. An agent pays for its codes from its own wallet when issuing them (in
 * the same transaction, or none are issued); an admin's codes create new credit when redeemed.
 */
export async function issueRechargeCodes(
  store: Store,
  input: {
    issuerAccountId: number;
    issuerRole: Role;
    count: number;
    amount: number;
    expiresAt: number;
  },
): Promise<IssuedBatch> {
  const generated = Array.from({ length: input.count }, generateRechargeCode);
  const batchId = `batch_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const records = await store.rechargeCodes.issueBatch({
    batchId,
    issuerAccountId: input.issuerAccountId,
    amount: input.amount,
    expiresAt: input.expiresAt,
    prepaid: input.issuerRole !== 'admin',
    codes: generated.map(({ codeHash, codePrefix }) => ({ codeHash, codePrefix })),
  });
  // Rows come back in the order they were inserted; the prefix check makes sure of it.
  return {
    batchId,
    codes: records.map((record, index) => {
      const item = generated[index];
      if (!item || item.codePrefix !== record.codePrefix) {
        throw new Error('Issued recharge codes came back out of order');
      }
      return { code: item.code, record };
    }),
  };
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The batch as CSV, one code a line, for handing out; the only time the codes can be exported. */
export function rechargeCodesCsv(batch: IssuedBatch): string {
  const lines = ['code,amount,expires_at,batch_id'];
  for (const { code, record } of batch.codes) {
    lines.push(
      [code, formatMoney(record.amount), new Date(record.expiresAt).toISOString(), record.batchId]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Counts failed redemptions per account and refuses further tries for a while once there are too
 * many, so codes cannot be guessed by brute force. In memory: per instance, which with 100-bit
 * codes is still far beyond guessing range.
 */
export class RedeemThrottle {
  private readonly failures = new Map<number, { count: number; blockedUntil: number }>();

  constructor(
    private readonly options: { maxFailures: number; blockMilliseconds: number; now: () => number },
  ) {}

  /** Milliseconds until this account may try again; 0 when it may try now. */
  retryAfter(accountId: number): number {
    const entry = this.failures.get(accountId);
    if (!entry) return 0;
    return Math.max(0, entry.blockedUntil - this.options.now());
  }

  recordFailure(accountId: number): void {
    const entry = this.failures.get(accountId) ?? { count: 0, blockedUntil: 0 };
    entry.count += 1;
    if (entry.count >= this.options.maxFailures) {
      // Each further failure doubles the wait: 1, 2, 4 … blocks.
      const factor = 2 ** (entry.count - this.options.maxFailures);
      entry.blockedUntil = this.options.now() + this.options.blockMilliseconds * factor;
    }
    this.failures.set(accountId, entry);
  }

  recordSuccess(accountId: number): void {
    this.failures.delete(accountId);
  }
}
