import { z } from 'zod';
import type { UsageSummaryRow } from '../../store/contract.js';
import type { AuditEventRecord } from '../../store/money-records.js';
import type { UsageRecord } from '../../store/records.js';
import { isoTime, microUnits, money, moneyText, timestamp } from '../common-schemas.js';

/** One relay request. */
export const usageRecordView = z.object({
  requestId: z.string(),
  accountId: z.number().int(),
  keyId: z.number().int(),
  model: z.string(),
  deploymentId: z.number().int().nullable().describe('Shown to admins only'),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  cachedTokens: z.number().int(),
  cost: moneyText,
  costMicros: microUnits,
  status: z.number().int().describe('HTTP status the client received'),
  errorCode: z.string().nullable(),
  latencyMilliseconds: z.number().int(),
  firstTokenMilliseconds: z.number().int().nullable(),
  stream: z.boolean(),
  createdAt: timestamp,
});

/** The view of a usage record; infrastructure details only for admins. */
export function viewUsageRecord(
  record: UsageRecord,
  options: { showDeployment: boolean },
): z.output<typeof usageRecordView> {
  return {
    requestId: record.requestId,
    accountId: record.accountId,
    keyId: record.apiKeyId,
    model: record.modelId,
    deploymentId: options.showDeployment ? record.deploymentId : null,
    promptTokens: record.promptTokens,
    completionTokens: record.completionTokens,
    cachedTokens: record.cachedTokens,
    cost: money(record.cost),
    costMicros: record.cost,
    status: record.status,
    errorCode: record.errorCode,
    latencyMilliseconds: record.latencyMilliseconds,
    firstTokenMilliseconds: record.firstTokenMilliseconds,
    stream: record.stream,
    createdAt: isoTime(record.createdAt),
  };
}

/** One row of a usage summary. */
export const usageSummaryRowView = z.object({
  bucket: z.string().describe('The UTC day (YYYY-MM-DD), model id or key id'),
  requests: z.number().int(),
  errors: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  cost: moneyText,
  costMicros: microUnits,
});

/** The view of a summary row. */
export function viewSummaryRow(row: UsageSummaryRow): z.output<typeof usageSummaryRowView> {
  return { ...row, cost: money(row.cost), costMicros: row.cost };
}

/** One audit event. */
export const auditEventView = z.object({
  id: z.number().int(),
  actorAccountId: z.number().int().nullable().describe('Null for the admin token'),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  createdAt: timestamp,
});

/** The view of an audit event. */
export function viewAuditEvent(event: AuditEventRecord): z.output<typeof auditEventView> {
  return { ...event, createdAt: isoTime(event.createdAt) };
}
