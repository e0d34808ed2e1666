import { z } from 'zod';
import { formatMoney } from '../billing/money.js';
import type { KeyLimits } from '../store/records.js';
import { denied } from './access.js';
import { amountInput } from './common-schemas.js';

const count = z.number().int().min(1).max(1_000_000_000_000);

/**
 * A set of limits as the management API takes it (a key's own, or an account's defaults). It
 * replaces the whole set: a limit left out is inherited (key → account → gateway).
 */
export const limitsInput = z
  .object({
    rpm: count.optional().describe('Requests per minute (sliding window)'),
    tpm: count.optional().describe('Tokens per minute (sliding window)'),
    rpd: count.optional().describe('Requests per day'),
    dailySpend: amountInput.optional().describe('Spend per day, as a decimal string'),
    tokenQuota: count.optional().describe('Tokens in total, or per month (tokenQuotaPeriod)'),
    tokenQuotaPeriod: z
      .enum(['lifetime', 'month'])
      .optional()
      .describe('Whether tokenQuota is for the key’s life (the default) or per calendar month'),
    maxConcurrency: count.optional().describe('Requests in flight at once'),
  })
  .strict();

type CountedLimit = Exclude<keyof KeyLimits, 'tokenQuotaPeriod'>;

const counted: Record<CountedLimit, (value: number) => string> = {
  rpm: (value) => `${value} requests per minute`,
  tpm: (value) => `${value} tokens per minute`,
  rpd: (value) => `${value} requests per day`,
  dailySpend: (value) => `${formatMoney(value)} per day`,
  tokenQuota: (value) => `${value} tokens`,
  maxConcurrency: (value) => `${value} requests in flight`,
};

/**
 * A user setting the limits of its own key may only divide up its account's: each limit it sets
 * must be at most the account's default for that limit, and a limit the account does not set
 * (so the gateway's default, unknown here, applies) cannot be set on a key by its user. A monthly
 * quota is looser than a lifetime one of the same size, so it cannot replace one.
 */
export function checkWithinAccountLimits(limits: KeyLimits, account: KeyLimits): void {
  for (const name of Object.keys(counted) as CountedLimit[]) {
    const value = limits[name];
    if (value === undefined) continue;
    const ceiling = account[name];
    if (ceiling === undefined) {
      throw denied(
        `Your account has no ${name} limit of its own to share among its keys, so only your agent or an admin can set limits.${name} on a key. Ask them to set your account's default limits.`,
      );
    }
    if (value > ceiling) {
      throw denied(
        `limits.${name} (${counted[name](value)}) is more than your account's limit of ${counted[name](ceiling)}; a key's limits can be at most its account's. Ask your agent or an admin to raise the account's limit.`,
      );
    }
  }
  const accountPeriod = account.tokenQuotaPeriod ?? 'lifetime';
  const keyPeriod = limits.tokenQuotaPeriod ?? accountPeriod;
  if (account.tokenQuota !== undefined && accountPeriod === 'lifetime' && keyPeriod === 'month') {
    throw denied(
      "limits.tokenQuotaPeriod 'month' would renew a quota that your account has only once (lifetime); leave tokenQuotaPeriod out or set 'lifetime'.",
    );
  }
}
