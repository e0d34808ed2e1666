import { z } from 'zod';
import type { ApiKeyRecord, KeyLimits } from '../../store/records.js';
import { isoTime, microUnits, money, moneyText, timestamp } from '../common-schemas.js';

/** A set of limits (a key's own, an account's defaults); an absent one is inherited. */
export const limitsView = z.object({
  rpm: z.number().int().optional(),
  tpm: z.number().int().optional(),
  rpd: z.number().int().optional(),
  dailySpend: moneyText.optional(),
  dailySpendMicros: microUnits.optional(),
  tokenQuota: z.number().int().optional(),
  tokenQuotaPeriod: z.enum(['lifetime', 'month']).optional(),
  maxConcurrency: z.number().int().optional(),
});

/** An API key as the management API shows it: its prefix, never the key or its hash. */
export const apiKeyView = z.object({
  id: z.number().int(),
  accountId: z.number().int(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key, to recognise it by'),
  status: z.enum(['active', 'disabled']),
  models: z.array(z.string()).nullable().describe('Model ids the key may use; null allows all'),
  expiresAt: timestamp.nullable(),
  limits: limitsView,
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
});

export type ApiKeyView = z.output<typeof apiKeyView>;

/** The view of a key's limits. */
export function viewLimits(limits: KeyLimits): z.output<typeof limitsView> {
  const { dailySpend, ...counts } = limits;
  return {
    ...counts,
    ...(dailySpend === undefined
      ? {}
      : { dailySpend: money(dailySpend), dailySpendMicros: dailySpend }),
  };
}

/** The view of a key record. */
export function viewApiKey(key: ApiKeyRecord): ApiKeyView {
  return {
    id: key.id,
    accountId: key.accountId,
    name: key.name,
    prefix: key.keyPrefix,
    status: key.status,
    models: key.allowedModels,
    expiresAt: key.expiresAt === null ? null : isoTime(key.expiresAt),
    limits: viewLimits(key.limits),
    createdAt: isoTime(key.createdAt),
    lastUsedAt: key.lastUsedAt === null ? null : isoTime(key.lastUsedAt),
  };
}
