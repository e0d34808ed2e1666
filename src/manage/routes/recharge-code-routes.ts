import { z } from 'zod';
import {
  hashRechargeCode,
  issueRechargeCodes,
  rechargeCodesCsv,
  RedeemThrottle,
} from '../../billing/recharge-codes.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { MoneyError } from '../../store/money-contract.js';
import type { RechargeCodeRecord } from '../../store/money-records.js';
import { denied, ownAccountId } from '../access.js';
import { recordChange } from '../audit-trail.js';
import {
  amountInput,
  isoTime,
  limitQuery,
  listOf,
  microUnits,
  money,
  moneyText,
  timeInput,
  timestamp,
} from '../common-schemas.js';
import type { ManageDependencies } from '../manage-dependencies.js';
import type { ManageRouter } from '../router.js';
import { viewWallet, walletView } from '../views/wallet-view.js';

const maximumBatch = 1_000;

const codeView = z.object({
  id: z.number().int(),
  prefix: z
    .string()
    .describe('The first characters of the code; the code itself is never shown again'),
  amount: moneyText,
  amountMicros: microUnits,
  batchId: z.string(),
  status: z.enum(['active', 'redeemed', 'void']),
  expiresAt: timestamp,
  issuerAccountId: z.number().int(),
  redeemedByAccountId: z.number().int().nullable(),
  redeemedAt: timestamp.nullable(),
  createdAt: timestamp,
});

function viewCode(record: RechargeCodeRecord): z.output<typeof codeView> {
  return {
    id: record.id,
    prefix: record.codePrefix,
    amount: money(record.amount),
    amountMicros: record.amount,
    batchId: record.batchId,
    status: record.status,
    expiresAt: isoTime(record.expiresAt),
    issuerAccountId: record.issuerAccountId,
    redeemedByAccountId: record.redeemedByAccountId,
    redeemedAt: record.redeemedAt === null ? null : isoTime(record.redeemedAt),
    createdAt: isoTime(record.createdAt),
  };
}

const issueBody = z
  .object({
    count: z.number().int().min(1).max(maximumBatch),
    amount: amountInput,
    expiresAt: timeInput.describe('When the codes stop working (ISO 8601)'),
  })
  .strict();

const issuedView = z.object({
  batchId: z.string(),
  codes: z.array(
    z.object({ code: z.string(), prefix: z.string(), amount: moneyText, expiresAt: timestamp }),
  ),
  csv: z.string().describe('The same codes as CSV (code,amount,expires_at,batch_id), for download'),
});

const listQuery = z
  .object({ batchId: z.string().max(100).optional(), limit: limitQuery(1_000, 200) })
  .strict();

const redeemBody = z.object({ code: z.string().min(1).max(100) }).strict();

const refusals: Record<'unknown' | 'used' | 'expired' | 'void', string> = {
  unknown:
    'That recharge code does not exist. Check that it is typed in full (SY-XXXX-XXXX-XXXX-XXXX-XXXX).',
  used: 'That recharge code has already been redeemed.',
  expired: 'That recharge code has expired. Ask whoever issued it for a new one.',
  void: 'That recharge code was withdrawn by its issuer.',
};

/** Recharge codes: admins and agents issue them in batches; any account redeems them. */
export function rechargeCodeRoutes(router: ManageRouter, dependencies: ManageDependencies): void {
  const { store } = dependencies;
  const throttle = new RedeemThrottle({
    maxFailures: 5,
    blockMilliseconds: 60_000,
    now: dependencies.now,
  });

  router.route({
    method: 'POST',
    path: '/recharge-codes',
    operationId: 'issueRechargeCodes',
    tag: 'recharge codes',
    summary: 'Issue a batch of recharge codes',
    description: `Admins and agents. An agent's wallet pays for the whole batch now (or nothing is issued); an admin's codes mint credit when redeemed. The codes are in this response only, also as CSV. At most ${maximumBatch} a batch.`,
    access: 'signed_in',
    successStatus: 201,
    body: issueBody,
    response: issuedView,
    handler: async ({ principal, body }) => {
      if (principal.role === 'user') throw denied('Only admins and agents issue recharge codes.');
      const issuerId = ownAccountId(principal);
      if (issuerId === null) {
        throw denied(
          'Recharge codes are issued by an account: sign in as an admin, not with the admin token.',
        );
      }
      if (body.expiresAt <= dependencies.now()) {
        throw new GatewayError('invalid_value', 'expiresAt must be in the future.', {
          param: 'expiresAt',
        });
      }
      const batch = await issueRechargeCodes(store, {
        issuerAccountId: issuerId,
        issuerRole: principal.role,
        count: body.count,
        amount: body.amount,
        expiresAt: body.expiresAt,
      }).catch((error: unknown) => {
        if (error instanceof MoneyError && error.reason === 'insufficient_funds') {
          throw new GatewayError(
            'insufficient_balance',
            `Issuing ${body.count} codes of ${money(body.amount)} needs ${money(body.count * body.amount)} available in your wallet.`,
            { param: 'count' },
          );
        }
        if (error instanceof MoneyError && error.reason === 'wallet_suspended') {
          throw new GatewayError(
            'wallet_suspended',
            'Your wallet is suspended, so it cannot pay for codes.',
          );
        }
        throw error;
      });
      await recordChange(store, principal, {
        action: 'recharge_codes.issue',
        targetType: 'recharge_batch',
        targetId: batch.batchId,
        before: null,
        after: {
          count: batch.codes.length,
          amount: money(body.amount),
          expiresAt: isoTime(body.expiresAt),
        },
      });
      return {
        batchId: batch.batchId,
        codes: batch.codes.map(({ code, record }) => ({
          code,
          prefix: record.codePrefix,
          amount: money(record.amount),
          expiresAt: isoTime(record.expiresAt),
        })),
        csv: rechargeCodesCsv(batch),
      };
    },
  });

  router.route({
    method: 'GET',
    path: '/recharge-codes',
    operationId: 'listRechargeCodes',
    tag: 'recharge codes',
    summary: 'List recharge codes and who redeemed them',
    description: 'Admins see every code; agents the codes they issued. Newest first.',
    access: 'signed_in',
    query: listQuery,
    response: listOf(codeView),
    handler: async ({ principal, query }) => {
      if (principal.role === 'user') throw denied('Only admins and agents list recharge codes.');
      const issuerId =
        principal.role === 'admin' ? undefined : (ownAccountId(principal) ?? undefined);
      const codes = await store.rechargeCodes.list({
        limit: query.limit,
        ...(issuerId === undefined ? {} : { issuerAccountId: issuerId }),
        ...(query.batchId === undefined ? {} : { batchId: query.batchId }),
      });
      return { data: codes.map(viewCode) };
    },
  });

  router.route({
    method: 'POST',
    path: '/recharge-codes/redeem',
    operationId: 'redeemRechargeCode',
    tag: 'recharge codes',
    summary: 'Redeem a recharge code into your own wallet',
    description:
      'Credits the code’s amount to the caller’s wallet at once. Each code works once. After 5 failed tries an account must wait, longer after each further failure.',
    access: 'signed_in',
    body: redeemBody,
    response: walletView,
    handler: async ({ principal, body, reply }) => {
      const accountId = ownAccountId(principal);
      if (accountId === null)
        throw denied('The admin token has no wallet; sign in to redeem a code.');
      const wait = throttle.retryAfter(accountId);
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        void reply.header('retry-after', String(seconds));
        throw new GatewayError(
          'too_many_redeem_attempts',
          `Too many wrong recharge codes. Try again in ${seconds} s.`,
          { headers: { 'retry-after': String(seconds) } },
        );
      }
      const result = await store.rechargeCodes.redeem({
        codeHash: hashRechargeCode(body.code),
        accountId,
        now: dependencies.now(),
      });
      if (result.outcome !== 'redeemed') {
        throttle.recordFailure(accountId);
        throw new GatewayError('recharge_code_invalid', refusals[result.outcome], {
          param: 'code',
        });
      }
      throttle.recordSuccess(accountId);
      await recordChange(store, principal, {
        action: 'recharge_codes.redeem',
        targetType: 'wallet',
        targetId: accountId,
        before: null,
        after: {
          codeId: result.code.id,
          amount: money(result.code.amount),
          wallet: viewWallet(result.wallet),
        },
      });
      return viewWallet(result.wallet);
    },
  });
}
