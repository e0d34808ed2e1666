import { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Store } from '../../store/contract.js';
import { MoneyError } from '../../store/money-contract.js';
import type { WalletRecord } from '../../store/money-records.js';
import type { AccountRecord } from '../../store/records.js';
import { denied, findVisibleAccount, manages, notFound, ownAccountId } from '../access.js';
import { recordChange } from '../audit-trail.js';
import {
  amountInput,
  bodyId,
  idParams,
  limitQuery,
  money,
  numericId,
  pageOf,
  signedAmountInput,
} from '../common-schemas.js';
import type { ManageDependencies } from '../manage-dependencies.js';
import type { Principal } from '../principal.js';
import type { ManageRouter } from '../router.js';
import { ledgerEntryView, viewLedgerEntry, viewWallet, walletView } from '../views/wallet-view.js';

const reason = z.string().max(500);

const topupBody = z.object({ amount: amountInput, reason: reason.optional() }).strict();
const adjustBody = z
  .object({ amount: signedAmountInput, reason: reason.min(1).describe('Why; required') })
  .strict();
const transferBody = z
  .object({
    fromAccountId: bodyId
      .optional()
      .describe(
        'The wallet to debit: an agent’s own (the default for agents); required for admins',
      ),
    amount: amountInput,
    reason: reason.optional(),
  })
  .strict();
const statusBody = z.object({ reason: reason.optional() }).strict();
const ledgerQuery = z
  .object({
    limit: limitQuery(200, 50),
    cursor: numericId.optional().describe('nextCursor of the previous page'),
  })
  .strict();

const transferView = z.object({ from: walletView, to: walletView });

async function walletOf(store: Store, account: AccountRecord): Promise<WalletRecord> {
  const wallet = await store.wallets.find(account.id);
  if (!wallet) throw notFound('wallet of account', account.id);
  return wallet;
}

/** Turns a refused money movement into a 4xx that says what to do. */
async function explainRefusal(
  store: Store,
  error: unknown,
  accountId: number,
  amount: number,
): Promise<never> {
  if (!(error instanceof MoneyError)) throw error;
  switch (error.reason) {
    case 'insufficient_funds': {
      const wallet = await store.wallets.find(accountId);
      const available = wallet ? wallet.balance - wallet.held : 0;
      throw new GatewayError(
        'insufficient_balance',
        `The wallet of account ${accountId} has ${money(available)} available; this needs ${money(amount)}.`,
        { param: 'amount' },
      );
    }
    case 'wallet_suspended':
      throw new GatewayError(
        'wallet_suspended',
        `The wallet of account ${accountId} is suspended; resume it before moving money out of it.`,
      );
    case 'no_wallet':
      throw notFound('wallet of account', accountId);
    case 'invalid_amount':
      throw new GatewayError('invalid_value', error.message, { param: 'amount' });
  }
}

function requireAdmin(principal: Principal, what: string): void {
  if (principal.role !== 'admin') throw denied(`Only an admin can ${what}.`);
}

/** Wallets: balance, ledger, top-ups, adjustments, transfers, suspension. */
export function walletRoutes(router: ManageRouter, dependencies: ManageDependencies): void {
  const { store } = dependencies;

  router.route({
    method: 'GET',
    path: '/accounts/:id/wallet',
    operationId: 'getWallet',
    tag: 'wallets',
    summary: 'Show a wallet',
    access: 'signed_in',
    params: idParams,
    response: walletView,
    handler: async ({ principal, params }) => {
      const account = await findVisibleAccount(store, principal, params.id);
      return viewWallet(await walletOf(store, account));
    },
  });

  router.route({
    method: 'GET',
    path: '/accounts/:id/wallet/ledger',
    operationId: 'listLedgerEntries',
    tag: 'wallets',
    summary: 'List a wallet’s ledger entries',
    description: 'Newest first. Page on with cursor set to the previous page’s nextCursor.',
    access: 'signed_in',
    params: idParams,
    query: ledgerQuery,
    response: pageOf(ledgerEntryView),
    handler: async ({ principal, params, query }) => {
      const account = await findVisibleAccount(store, principal, params.id);
      const entries = await store.wallets.ledger(account.id, {
        limit: query.limit,
        ...(query.cursor === undefined ? {} : { beforeId: query.cursor }),
      });
      const last = entries.at(-1);
      return {
        data: entries.map(viewLedgerEntry),
        nextCursor: entries.length === query.limit && last ? String(last.id) : null,
      };
    },
  });

  for (const kind of ['topup', 'adjust'] as const) {
    router.route({
      method: 'POST',
      path: `/accounts/:id/wallet/${kind}`,
      operationId: kind === 'topup' ? 'topUpWallet' : 'adjustWallet',
      tag: 'wallets',
      summary: kind === 'topup' ? 'Top up a wallet' : 'Adjust a wallet',
      description:
        kind === 'topup'
          ? 'Admins only: mints credit into the wallet (a topup ledger entry).'
          : 'Admins only: a signed correction ("-3.50" debits), with a reason; a debit cannot take the balance below what is held.',
      access: 'signed_in',
      params: idParams,
      body: kind === 'topup' ? topupBody : adjustBody,
      response: walletView,
      handler: async ({ principal, params, body }) => {
        const account = await findVisibleAccount(store, principal, params.id);
        requireAdmin(principal, kind === 'topup' ? 'top up wallets' : 'adjust wallets');
        const before = await walletOf(store, account);
        const wallet = await store.wallets
          .move({
            accountId: account.id,
            amount: body.amount,
            kind,
            actorAccountId: ownAccountId(principal),
            reason: body.reason ?? null,
          })
          .catch((error: unknown) => explainRefusal(store, error, account.id, -body.amount));
        await recordChange(store, principal, {
          action: `wallet.${kind}`,
          targetType: 'wallet',
          targetId: account.id,
          before: viewWallet(before),
          after: { ...viewWallet(wallet), amount: money(body.amount), reason: body.reason ?? null },
        });
        return viewWallet(wallet);
      },
    });
  }

  router.route({
    method: 'POST',
    path: '/accounts/:id/wallet/transfer',
    operationId: 'transferToWallet',
    tag: 'wallets',
    summary: 'Transfer credit into a wallet',
    description:
      'Moves credit into the wallet of account :id from fromAccountId, atomically. Agents transfer from their own wallet to their own users; admins between any two wallets.',
    access: 'signed_in',
    params: idParams,
    body: transferBody,
    response: transferView,
    handler: async ({ principal, params, body }) => {
      const target = await findVisibleAccount(store, principal, params.id);
      if (principal.role === 'user') throw denied('Users cannot move money.');
      let fromId = body.fromAccountId;
      if (principal.role === 'agent') {
        const self = ownAccountId(principal);
        if (fromId !== undefined && fromId !== self) {
          await findVisibleAccount(store, principal, fromId);
          throw denied('Agents transfer from their own wallet only.');
        }
        if (!manages(principal, target)) {
          throw denied('Agents transfer to their own users only.');
        }
        fromId = self ?? undefined;
      }
      if (fromId === undefined) {
        throw new GatewayError(
          'missing_required_parameter',
          "Missing required body parameter: 'fromAccountId' (the wallet to debit).",
          { param: 'fromAccountId' },
        );
      }
      const source = await findVisibleAccount(store, principal, fromId);
      if (source.id === target.id) {
        throw new GatewayError('invalid_value', 'A wallet cannot transfer to itself.', {
          param: 'fromAccountId',
        });
      }
      const before = {
        from: viewWallet(await walletOf(store, source)),
        to: viewWallet(await walletOf(store, target)),
      };
      const moved = await store.wallets
        .transfer({
          fromAccountId: source.id,
          toAccountId: target.id,
          amount: body.amount,
          actorAccountId: ownAccountId(principal),
          reason: body.reason ?? null,
        })
        .catch((error: unknown) => explainRefusal(store, error, source.id, body.amount));
      const after = { from: viewWallet(moved.from), to: viewWallet(moved.to) };
      await recordChange(store, principal, {
        action: 'wallet.transfer',
        targetType: 'wallet',
        targetId: target.id,
        before,
        after: { ...after, amount: money(body.amount), reason: body.reason ?? null },
      });
      return after;
    },
  });

  for (const status of ['suspended', 'active'] as const) {
    const verb = status === 'suspended' ? 'suspend' : 'resume';
    router.route({
      method: 'POST',
      path: `/accounts/:id/wallet/${verb}`,
      operationId: `${verb}Wallet`,
      tag: 'wallets',
      summary: `${verb === 'suspend' ? 'Suspend' : 'Resume'} a wallet`,
      description:
        verb === 'suspend'
          ? 'A suspended wallet pays for no requests (402 wallet_suspended). Admins, or the agent of the user.'
          : 'Lets the wallet pay for requests again. Admins, or the agent of the user.',
      access: 'signed_in',
      params: idParams,
      body: statusBody,
      response: walletView,
      handler: async ({ principal, params, body }) => {
        const account = await findVisibleAccount(store, principal, params.id);
        if (!manages(principal, account)) {
          throw denied(`Only an admin, or the agent of this user, can ${verb} its wallet.`);
        }
        const before = await walletOf(store, account);
        await store.wallets.setStatus(account.id, status);
        const after = await walletOf(store, account);
        await recordChange(store, principal, {
          action: `wallet.${verb}`,
          targetType: 'wallet',
          targetId: account.id,
          before: viewWallet(before),
          after: { ...viewWallet(after), reason: body.reason ?? null },
        });
        return viewWallet(after);
      },
    });
  }
}
