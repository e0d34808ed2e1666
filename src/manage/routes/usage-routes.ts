import { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Store } from '../../store/contract.js';
import type { Principal } from '../principal.js';
import { canSee, findVisibleAccount, notFound, visibleAccountIds } from '../access.js';
import { limitQuery, numericId, pageOf, timeInput, timestamp } from '../common-schemas.js';
import type { ManageDependencies } from '../manage-dependencies.js';
import type { ManageRouter } from '../router.js';
import {
  usageRecordView,
  usageSummaryRowView,
  viewSummaryRow,
  viewUsageRecord,
} from '../views/usage-view.js';

const defaultRangeMilliseconds = 30 * 86_400_000;

const filters = {
  accountId: numericId.optional().describe('One account you can see; default: all you can see'),
  keyId: numericId.optional(),
  model: z.string().min(1).max(200).optional(),
  from: timeInput.optional().describe('Inclusive; default 30 days before `to`'),
  to: timeInput.optional().describe('Exclusive; default now'),
};

const summaryQuery = z
  .object({ groupBy: z.enum(['day', 'model', 'key']).default('day'), ...filters })
  .strict();

const recordsQuery = z
  .object({
    ...filters,
    outcome: z.enum(['ok', 'error']).optional().describe('ok: status 200; error: anything else'),
    limit: limitQuery(500, 50),
    cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
  })
  .strict();

const summaryView = z.object({
  groupBy: z.enum(['day', 'model', 'key']),
  from: timestamp,
  to: timestamp,
  data: z.array(usageSummaryRowView),
  total: usageSummaryRowView,
});

const recordParams = z.object({ requestId: z.string().min(1).max(200) }).strict();

function encodeCursor(createdAt: number, requestId: string): string {
  return Buffer.from(JSON.stringify([createdAt, requestId])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; requestId: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const [createdAt, requestId] = z.tuple([z.number().int(), z.string()]).parse(parsed);
    return { createdAt, requestId };
  } catch {
    throw new GatewayError(
      'invalid_value',
      "Invalid value for 'cursor': pass the nextCursor of the previous page unchanged.",
      { param: 'cursor' },
    );
  }
}

/** Whose records a query may cover: one visible account, or everything the caller can see. */
async function scope(
  store: Store,
  principal: Principal,
  accountId: number | undefined,
): Promise<{ accountId?: number; accountIds?: readonly number[] }> {
  if (accountId !== undefined) {
    await findVisibleAccount(store, principal, accountId);
    return { accountId };
  }
  const ids = await visibleAccountIds(store, principal);
  return ids === undefined ? {} : { accountIds: ids };
}

function range(
  now: number,
  from: number | undefined,
  to: number | undefined,
): { from: number; to: number } {
  const end = to ?? now;
  const start = from ?? end - defaultRangeMilliseconds;
  if (start >= end) {
    throw new GatewayError('invalid_value', "'from' must be before 'to'.", { param: 'from' });
  }
  return { from: start, to: end };
}

/** Usage: summaries and the request log, scoped to what the caller can see. */
export function usageRoutes(router: ManageRouter, dependencies: ManageDependencies): void {
  const { store } = dependencies;

  router.route({
    method: 'GET',
    path: '/usage/summary',
    operationId: 'summarizeUsage',
    tag: 'usage',
    summary: 'Summarize usage',
    description: 'Requests, errors, tokens and cost per UTC day, model or key.',
    access: 'signed_in',
    query: summaryQuery,
    response: summaryView,
    handler: async ({ principal, query }) => {
      const window = range(dependencies.now(), query.from, query.to);
      const rows = await store.usage.summarize({
        ...(await scope(store, principal, query.accountId)),
        ...(query.keyId === undefined ? {} : { apiKeyId: query.keyId }),
        ...(query.model === undefined ? {} : { modelId: query.model }),
        ...window,
        groupBy: query.groupBy,
      });
      const total = rows.reduce(
        (sum, row) => ({
          bucket: 'total',
          requests: sum.requests + row.requests,
          errors: sum.errors + row.errors,
          promptTokens: sum.promptTokens + row.promptTokens,
          completionTokens: sum.completionTokens + row.completionTokens,
          cost: sum.cost + row.cost,
        }),
        { bucket: 'total', requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, cost: 0 },
      );
      return {
        groupBy: query.groupBy,
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
        data: rows.map(viewSummaryRow),
        total: viewSummaryRow(total),
      };
    },
  });

  router.route({
    method: 'GET',
    path: '/usage/records',
    operationId: 'listUsageRecords',
    tag: 'usage',
    summary: 'List usage records',
    description:
      'One record per relay request, newest first. Page on with cursor set to the previous page’s nextCursor.',
    access: 'signed_in',
    query: recordsQuery,
    response: pageOf(usageRecordView),
    handler: async ({ principal, query }) => {
      const records = await store.usage.list({
        ...(await scope(store, principal, query.accountId)),
        ...(query.keyId === undefined ? {} : { apiKeyId: query.keyId }),
        ...(query.model === undefined ? {} : { modelId: query.model }),
        ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
        ...(query.from === undefined ? {} : { from: query.from }),
        ...(query.to === undefined ? {} : { to: query.to }),
        ...(query.cursor === undefined ? {} : { before: decodeCursor(query.cursor) }),
        limit: query.limit,
      });
      const last = records.at(-1);
      const showDeployment = principal.role === 'admin';
      return {
        data: records.map((record) => viewUsageRecord(record, { showDeployment })),
        nextCursor:
          records.length === query.limit && last
            ? encodeCursor(last.createdAt, last.requestId)
            : null,
      };
    },
  });

  router.route({
    method: 'GET',
    path: '/usage/records/:requestId',
    operationId: 'getUsageRecord',
    tag: 'usage',
    summary: 'Show one usage record',
    description: 'By the x-request-id the relay answered with.',
    access: 'signed_in',
    params: recordParams,
    response: usageRecordView,
    handler: async ({ principal, params }) => {
      const record = await store.usage.findByRequestId(params.requestId);
      const owner = record && (await store.accounts.findById(record.accountId));
      if (!record || !owner || !canSee(principal, owner)) {
        throw notFound('usage record', params.requestId);
      }
      return viewUsageRecord(record, { showDeployment: principal.role === 'admin' });
    },
  });
}
