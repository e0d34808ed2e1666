import { formatMoney, parseMoney } from '../../billing/money.js';
import type { Store } from '../../store/contract.js';
import { MoneyError } from '../../store/money-contract.js';
import type { WalletRecord, WalletStatus } from '../../store/money-records.js';
import type { AccountRecord } from '../../store/records.js';
import {
  optionalString,
  printTable,
  requireString,
  UsageError,
  type Command,
  type CommandContext,
  type OptionValues,
} from '../command.js';

/** Every money change the CLI makes is audited under this label; no account is signed in. */
const auditActor = { actorAccountId: null, actorLabel: 'cli' } as const;

/** The largest amount (and balance) that stays exact as a JavaScript number of micro-units. */
const largestAmount = Number.MAX_SAFE_INTEGER;

const maximumReasonLength = 500;

/** Finds an account by username, or by id when no username matches and the text is a number. */
async function findAccount(store: Store, typed: string, option: string): Promise<AccountRecord> {
  const byName = await store.accounts.findByUsername(typed);
  if (byName) return byName;
  if (/^\d+$/.test(typed)) {
    const byId = await store.accounts.findById(Number(typed));
    if (byId) return byId;
  }
  throw new UsageError(`--${option}: no account is named '${typed}' (see: switchyard users list)`);
}

async function walletOf(store: Store, account: AccountRecord): Promise<WalletRecord> {
  const wallet = await store.wallets.find(account.id);
  // Accounts get their wallet in the same transaction that creates them; this is a broken store.
  if (!wallet) throw new Error(`the account '${account.username}' has no wallet`);
  return wallet;
}

/** A positive amount, e.g. for a top-up or a transfer. */
function positiveAmount(values: OptionValues): number {
  const text = requireString(values, 'amount');
  let amount: number;
  try {
    amount = parseMoney(text);
  } catch (error) {
    throw new UsageError(`--amount: ${(error as Error).message}`);
  }
  if (amount === 0) throw new UsageError('--amount must be more than 0');
  return checkedSize(amount, text);
}

/** A signed amount for an adjustment: "-2.00" takes money out, "2.00" or "+2.00" puts it in. */
function signedAmount(values: OptionValues): number {
  const text = requireString(values, 'amount').trim();
  const sign = text.startsWith('-') ? -1 : 1;
  let magnitude: number;
  try {
    magnitude = parseMoney(text.replace(/^[+-]/, ''));
  } catch {
    throw new UsageError(
      `--amount: '${text}' is not an amount of money: use a decimal with at most 6 digits after the point, like -2.00 or 1.5`,
    );
  }
  if (magnitude === 0) throw new UsageError('--amount must not be 0');
  return sign * checkedSize(magnitude, text);
}

function checkedSize(magnitude: number, text: string): number {
  if (magnitude > largestAmount)
    throw new UsageError(`--amount: '${text}' is more than ${formatMoney(largestAmount)}`);
  return magnitude;
}

function reasonOf(values: OptionValues): string | null {
  const reason = optionalString(values, 'reason')?.trim();
  if (reason === undefined || reason === '') return null;
  if (reason.length > maximumReasonLength)
    throw new UsageError(
      `--reason: keep it to ${maximumReasonLength} characters (it has ${reason.length})`,
    );
  // The reason is shown in tables and the dashboard; a control character would garble them.
  if (/\p{Cc}/u.test(reason)) throw new UsageError('--reason: use printable text on one line');
  return reason;
}

/** A credit may not carry a balance past what a JavaScript number holds exactly. */
function refuseOverflow(wallet: WalletRecord, amount: number, who: string): void {
  if (amount > 0 && wallet.balance + amount > largestAmount)
    throw new UsageError(
      `--amount: ${who}'s balance would be more than ${formatMoney(largestAmount)}`,
    );
}

/**
 * Says in money terms why the store refused a movement (its own message is in micro-units and
 * account ids), and returns exit code 1: the command was well formed, the wallet said no.
 */
async function explainRefusal(
  context: CommandContext,
  store: Store,
  error: unknown,
  account: AccountRecord,
  amount: number,
): Promise<number> {
  if (!(error instanceof MoneyError)) throw error;
  const wallet = await store.wallets.find(account.id);
  let why = error.message;
  if (error.reason === 'insufficient_funds' && wallet) {
    why =
      `${account.username}'s wallet has ${formatMoney(wallet.balance - wallet.held)} available ` +
      `(balance ${formatMoney(wallet.balance)}, held by running requests ${formatMoney(wallet.held)}); ` +
      `${formatMoney(amount)} is needed`;
  } else if (error.reason === 'wallet_suspended') {
    why = `${account.username}'s wallet is suspended; resume it first (switchyard wallet resume --user ${account.username})`;
  }
  context.stderr.write(`Refused: ${why}. Nothing was changed.\n`);
  return 1;
}

function balanceChange(before: WalletRecord, after: WalletRecord): string {
  return `balance ${formatMoney(before.balance)} → ${formatMoney(after.balance)}, available ${formatMoney(after.balance - after.held)}`;
}

function describeWallet(account: AccountRecord, wallet: WalletRecord) {
  return {
    accountId: account.id,
    username: account.username,
    role: account.role,
    status: wallet.status,
    balance: wallet.balance,
    held: wallet.held,
    available: wallet.balance - wallet.held,
    updatedAt: wallet.updatedAt,
  };
}

const userOption = { user: { type: 'string' } } as const;
const userHelp = 'the account, by username (or id)';

export const walletShow: Command = {
  group: 'wallet',
  name: 'show',
  summary: "Show an account's wallet: balance, held by running requests, available, status",
  usage: '--user NAME [--json]',
  options: { ...userOption, json: { type: 'boolean', default: false } },
  optionHelp: {
    user: userHelp,
    json: 'print JSON (amounts in micro-units: 1 currency unit = 1000000)',
  },
  async run(context, values) {
    const store = await context.store();
    const account = await findAccount(store, requireString(values, 'user'), 'user');
    const wallet = await walletOf(store, account);
    if (values.json === true) {
      context.stdout.write(`${JSON.stringify(describeWallet(account, wallet), null, 2)}\n`);
      return 0;
    }
    const lines = [
      `Wallet of ${account.username} (${account.role}, id ${account.id})`,
      `  status     ${wallet.status}`,
      `  balance    ${formatMoney(wallet.balance)}`,
      `  held       ${formatMoney(wallet.held)}  (by requests still running)`,
      `  available  ${formatMoney(wallet.balance - wallet.held)}`,
    ];
    context.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

export const walletTopup: Command = {
  group: 'wallet',
  name: 'topup',
  summary: "Add credit to an account's wallet",
  usage: '--user NAME --amount 10.50 [--reason TEXT]',
  options: { ...userOption, amount: { type: 'string' }, reason: { type: 'string' } },
  optionHelp: {
    user: userHelp,
    amount: 'currency units to add, e.g. 10.50 (up to 6 digits after the point)',
    reason: 'a note for the ledger, e.g. an invoice number',
  },
  details: ['The top-up is written to the ledger and the audit log (actor: cli).'],
  async run(context, values) {
    const username = requireString(values, 'user');
    const amount = positiveAmount(values);
    const reason = reasonOf(values);
    const store = await context.store();
    const account = await findAccount(store, username, 'user');
    const before = await walletOf(store, account);
    refuseOverflow(before, amount, account.username);
    let after: WalletRecord;
    try {
      after = await store.wallets.move({
        accountId: account.id,
        amount,
        kind: 'topup',
        actorAccountId: null,
        reason,
      });
    } catch (error) {
      return explainRefusal(context, store, error, account, amount);
    }
    await store.audit.append({
      ...auditActor,
      action: 'wallet.topup',
      targetType: 'wallet',
      targetId: String(account.id),
      before,
      after,
    });
    context.stdout.write(
      `Topped up ${account.username}'s wallet by ${formatMoney(amount)}: ${balanceChange(before, after)}.\n`,
    );
    return 0;
  },
};

export const walletAdjust: Command = {
  group: 'wallet',
  name: 'adjust',
  summary: 'Correct a balance up or down, with a reason (a ledger adjustment)',
  usage: '--user NAME --amount -2.00 --reason TEXT',
  options: { ...userOption, amount: { type: 'string' }, reason: { type: 'string' } },
  optionHelp: {
    user: userHelp,
    amount: 'signed currency units: 2.00 adds, -2.00 takes away',
    reason: 'why the balance changes; required, kept in the ledger',
  },
  details: [
    'A debit never takes a wallet below what running requests hold; the adjustment is written',
    'to the ledger and the audit log (actor: cli).',
  ],
  async run(context, values) {
    const username = requireString(values, 'user');
    const amount = signedAmount(values);
    const reason = reasonOf(values);
    if (reason === null)
      throw new UsageError('--reason is required: say why the balance changes (it is kept)');
    const store = await context.store();
    const account = await findAccount(store, username, 'user');
    const before = await walletOf(store, account);
    refuseOverflow(before, amount, account.username);
    let after: WalletRecord;
    try {
      after = await store.wallets.move({
        accountId: account.id,
        amount,
        kind: 'adjust',
        actorAccountId: null,
        reason,
      });
    } catch (error) {
      return explainRefusal(context, store, error, account, -amount);
    }
    await store.audit.append({
      ...auditActor,
      action: 'wallet.adjust',
      targetType: 'wallet',
      targetId: String(account.id),
      before,
      after,
    });
    context.stdout.write(
      `Adjusted ${account.username}'s wallet by ${amount > 0 ? '+' : ''}${formatMoney(amount)} (${reason}): ${balanceChange(before, after)}.\n`,
    );
    return 0;
  },
};

export const walletTransfer: Command = {
  group: 'wallet',
  name: 'transfer',
  summary: 'Move credit from one wallet to another, e.g. from an agent to one of its users',
  usage: '--from AGENT --to USER --amount 5 [--reason TEXT]',
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    amount: { type: 'string' },
    reason: { type: 'string' },
  },
  optionHelp: {
    from: 'the account that pays (its wallet must be active and have the amount available)',
    to: 'the account that receives',
    amount: 'currency units to move, e.g. 5 or 0.25',
    reason: 'a note for both ledgers',
  },
  details: ['Both sides are written in one transaction, and to the audit log (actor: cli).'],
  async run(context, values) {
    const fromName = requireString(values, 'from');
    const toName = requireString(values, 'to');
    const amount = positiveAmount(values);
    const reason = reasonOf(values);
    const store = await context.store();
    const from = await findAccount(store, fromName, 'from');
    const to = await findAccount(store, toName, 'to');
    if (from.id === to.id)
      throw new UsageError(`--from and --to are both '${from.username}'; name two accounts`);
    const before = { from: await walletOf(store, from), to: await walletOf(store, to) };
    refuseOverflow(before.to, amount, to.username);
    let after: { from: WalletRecord; to: WalletRecord };
    try {
      after = await store.wallets.transfer({
        fromAccountId: from.id,
        toAccountId: to.id,
        amount,
        actorAccountId: null,
        reason,
      });
    } catch (error) {
      return explainRefusal(context, store, error, from, amount);
    }
    await store.audit.append({
      ...auditActor,
      action: 'wallet.transfer',
      targetType: 'wallet',
      // Both wallets change; the id names the pair the way the ledger's reference does.
      targetId: `${from.id}>${to.id}`,
      before,
      after,
    });
    context.stdout.write(
      `Transferred ${formatMoney(amount)} from ${from.username} to ${to.username}.\n` +
        `  ${from.username}: ${balanceChange(before.from, after.from)}\n` +
        `  ${to.username}: ${balanceChange(before.to, after.to)}\n`,
    );
    return 0;
  },
};

function statusCommand(name: 'suspend' | 'resume'): Command {
  const status: WalletStatus = name === 'suspend' ? 'suspended' : 'active';
  return {
    group: 'wallet',
    name,
    summary:
      name === 'suspend'
        ? "Suspend a wallet: the account's keys get 402 wallet_suspended from the next request"
        : 'Resume a suspended wallet',
    usage: '--user NAME',
    options: { ...userOption },
    optionHelp: { user: userHelp },
    async run(context, values) {
      const store = await context.store();
      const account = await findAccount(store, requireString(values, 'user'), 'user');
      const before = await walletOf(store, account);
      if (before.status === status) {
        context.stdout.write(`${account.username}'s wallet was already ${status}.\n`);
        return 0;
      }
      await store.wallets.setStatus(account.id, status);
      const after = await walletOf(store, account);
      await store.audit.append({
        ...auditActor,
        action: `wallet.${name}`,
        targetType: 'wallet',
        targetId: String(account.id),
        before,
        after,
      });
      const effect =
        status === 'suspended'
          ? ' Requests with its keys are refused (402 wallet_suspended) until it is resumed.'
          : '';
      context.stdout.write(`${account.username}'s wallet is now ${status}.${effect}\n`);
      return 0;
    },
  };
}

export const walletSuspend = statusCommand('suspend');
export const walletResume = statusCommand('resume');

export const walletLedger: Command = {
  group: 'wallet',
  name: 'ledger',
  summary: "List a wallet's ledger entries, newest first",
  usage: '--user NAME [--limit N] [--json]',
  options: {
    ...userOption,
    limit: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  optionHelp: {
    user: userHelp,
    limit: 'how many entries, 1 to 1000 (default 20)',
    json: 'print JSON (amounts in micro-units: 1 currency unit = 1000000)',
  },
  async run(context, values) {
    const username = requireString(values, 'user');
    const limitText = optionalString(values, 'limit') ?? '20';
    const limit = /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= 1000))
      throw new UsageError(`--limit: '${limitText}' is not a whole number from 1 to 1000`);
    const store = await context.store();
    const account = await findAccount(store, username, 'user');
    const entries = await store.wallets.ledger(account.id, { limit });
    if (values.json === true) {
      context.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      return 0;
    }
    const actors = new Map(
      (await store.accounts.list()).map((candidate) => [candidate.id, candidate.username]),
    );
    printTable(
      context.stdout,
      ['ID', 'TIME', 'KIND', 'AMOUNT', 'BALANCE', 'ACTOR', 'REASON', 'REQUEST / REFERENCE'],
      entries.map((entry) => [
        String(entry.id),
        new Date(entry.createdAt).toISOString(),
        entry.kind,
        `${entry.amount > 0 ? '+' : ''}${formatMoney(entry.amount)}`,
        formatMoney(entry.balanceAfter),
        // No actor: a relay charge, or the CLI / admin token, which act as no account.
        entry.actorAccountId === null
          ? ''
          : (actors.get(entry.actorAccountId) ?? String(entry.actorAccountId)),
        entry.reason ?? '',
        entry.requestId ?? entry.reference ?? '',
      ]),
    );
    return 0;
  },
};
