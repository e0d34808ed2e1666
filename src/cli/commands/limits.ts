import { formatMoney, parseMoney } from '../../billing/money.js';
import { viewAccount } from '../../manage/views/account-view.js';
import { viewApiKey } from '../../manage/views/api-key-view.js';
import type { Store } from '../../store/contract.js';
import type { AccountRecord, KeyLimits } from '../../store/records.js';
import {
  onePositional,
  printTable,
  requireString,
  UsageError,
  type Command,
  type CommandContext,
  type OptionSpec,
  type OptionValues,
} from '../command.js';
import { findKey } from './keys.js';

/** Changes made here are audited under this label, as the wallet commands' are. */
const auditActor = { actorAccountId: null, actorLabel: 'cli' } as const;

type LimitName = keyof KeyLimits;

interface LimitOption {
  name: LimitName;
  option: string;
  help: string;
  parse(text: string, option: string): KeyLimits[LimitName];
  show(value: NonNullable<KeyLimits[LimitName]>): string;
}

/** The most any count limit may be; the management API takes the same. */
const largestCount = 1_000_000_000_000;

function count(text: string, option: string): number {
  const trimmed = text.trim().replace(/_/g, '');
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > largestCount) {
    throw new UsageError(
      `--${option}: '${text}' is not a whole number from 1 to ${largestCount}; to remove the limit use --clear ${option}`,
    );
  }
  return value;
}

function money(text: string, option: string): number {
  let value: number;
  try {
    value = parseMoney(text);
  } catch (error) {
    throw new UsageError(`--${option}: ${(error as Error).message}`);
  }
  if (value <= 0 || value > Number.MAX_SAFE_INTEGER) {
    throw new UsageError(
      `--${option}: '${text}' must be more than 0; to remove the limit use --clear ${option}`,
    );
  }
  return value;
}

function period(text: string, option: string): 'lifetime' | 'month' {
  if (text === 'lifetime' || text === 'month') return text;
  throw new UsageError(`--${option}: '${text}' is not a period; use lifetime or month`);
}

const shown = (value: unknown): string =>
  typeof value === 'number' ? value.toLocaleString('en-US') : String(value);

const limitOptions: readonly LimitOption[] = [
  { name: 'rpm', option: 'rpm', help: 'requests per minute', parse: count, show: shown },
  { name: 'tpm', option: 'tpm', help: 'tokens per minute', parse: count, show: shown },
  { name: 'rpd', option: 'rpd', help: 'requests per day', parse: count, show: shown },
  {
    name: 'dailySpend',
    option: 'daily-spend',
    help: 'spend per day in currency units, e.g. 5.00',
    parse: money,
    show: (value) => formatMoney(value as number),
  },
  {
    name: 'tokenQuota',
    option: 'token-quota',
    help: 'tokens in total, or per month with --token-quota-period month',
    parse: count,
    show: shown,
  },
  {
    name: 'tokenQuotaPeriod',
    option: 'token-quota-period',
    help: 'lifetime (the default: the quota never resets) or month',
    parse: period,
    show: shown,
  },
  {
    name: 'maxConcurrency',
    option: 'max-concurrency',
    help: 'requests in flight at once',
    parse: count,
    show: shown,
  },
];

const options: OptionSpec = {
  ...Object.fromEntries(limitOptions.map((limit) => [limit.option, { type: 'string' }])),
  clear: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
};

const optionHelp: Record<string, string> = {
  ...Object.fromEntries(limitOptions.map((limit) => [limit.option, limit.help])),
  clear: `remove a limit so it is inherited again (${limitOptions.map((limit) => limit.option).join(', ')} or all); repeatable`,
  json: 'print the limits as JSON (dailySpend in micro-units: 1 currency unit = 1000000)',
};

/**
 * The new set: the current one, minus what --clear names, plus what the options set. Undefined
 * when the command changes nothing (it only shows).
 */
function changedLimits(current: KeyLimits, values: OptionValues): KeyLimits | undefined {
  const next: Record<string, unknown> = { ...current };
  const cleared = values.clear;
  const clearNames = Array.isArray(cleared) ? cleared.map(String) : [];
  let changed = clearNames.length > 0;
  for (const name of clearNames) {
    if (name === 'all') {
      for (const limit of limitOptions) delete next[limit.name];
      continue;
    }
    const limit = limitOptions.find((candidate) => candidate.option === name);
    if (!limit) {
      throw new UsageError(
        `--clear: '${name}' is not a limit; use one of ${limitOptions.map((candidate) => candidate.option).join(', ')} or all`,
      );
    }
    if (typeof values[limit.option] === 'string') {
      throw new UsageError(`--clear ${name} and --${name} contradict each other; give one`);
    }
    delete next[limit.name];
  }
  for (const limit of limitOptions) {
    const text = values[limit.option];
    if (typeof text !== 'string') continue;
    next[limit.name] = limit.parse(text, limit.option);
    changed = true;
  }
  return changed ? next : undefined;
}

/** Each limit through its three levels, and the one that applies. */
function printLevels(
  context: CommandContext,
  levels: ReadonlyArray<{ title: string; limits: KeyLimits }>,
): void {
  const display = (limit: LimitOption, value: KeyLimits[LimitName]): string =>
    value === undefined ? '-' : limit.show(value);
  printTable(
    context.stdout,
    ['LIMIT', ...levels.map((level) => level.title), 'APPLIES'],
    limitOptions.map((limit) => {
      const values = levels.map((level) => level.limits[limit.name]);
      const applies =
        values.find((value) => value !== undefined) ??
        (limit.name === 'tokenQuotaPeriod' ? 'lifetime' : undefined);
      return [
        limit.option,
        ...values.map((value) => display(limit, value)),
        applies === undefined ? 'unlimited' : display(limit, applies),
      ];
    }),
  );
}

const sharedDetails = [
  'Without limit options it shows the limits. Options set one limit each and keep the others;',
  'every limit left unset is inherited: a key’s own, else its account’s, else the gateway’s',
  '(limits.defaults in switchyard.yaml, SWITCHYARD_DEFAULT_RPM). Running gateways apply a change',
  'within catalogRefreshMilliseconds (250 ms by default). Changes go to the audit log (actor: cli).',
];

export const keysLimits: Command = {
  group: 'keys',
  name: 'limits',
  summary: "Show or set an API key's own rate limits and quotas",
  usage:
    'KEY [--rpm N] [--tpm N] [--rpd N] [--daily-spend 5.00] [--token-quota N] [--token-quota-period lifetime|month] [--max-concurrency N] [--clear NAME] [--json]',
  options,
  optionHelp,
  positionals: true,
  details: [
    'KEY is the key’s id, prefix or name (see: switchyard keys list).',
    ...sharedDetails,
    'Example: switchyard keys limits 12 --rpm 30 --daily-spend 5.00 --clear tpm',
  ],
  async run(context, values, positionals) {
    const reference = onePositional(
      positionals,
      'name the key by its id, prefix or name (see: switchyard keys list)',
    );
    const store = await context.store();
    const key = await findKey(store, reference);
    const account = await accountOf(store, key.accountId);
    const next = changedLimits(key.limits, values);
    let limits = key.limits;
    if (next !== undefined) {
      const updated = await store.apiKeys.update(key.id, { limits: next });
      if (!updated) throw new Error(`API key ${key.id} vanished while being updated`);
      await store.audit.append({
        ...auditActor,
        action: 'api_key.update',
        targetType: 'api_key',
        targetId: String(key.id),
        before: viewApiKey(key),
        after: viewApiKey(updated),
      });
      limits = updated.limits;
    }
    const gateway = context.config().config.limits.defaults;
    if (values.json === true) {
      context.stdout.write(
        `${JSON.stringify({ key: limits, account: account.defaultLimits, gateway }, null, 2)}\n`,
      );
      return 0;
    }
    context.stdout.write(
      `${next === undefined ? 'Limits' : 'New limits'} of API key ${key.id} '${key.name}' (account ${account.username}):\n`,
    );
    printLevels(context, [
      { title: 'KEY', limits },
      { title: 'ACCOUNT', limits: account.defaultLimits },
      { title: 'GATEWAY', limits: gateway },
    ]);
    return 0;
  },
};

export const usersLimits: Command = {
  group: 'users',
  name: 'limits',
  summary: "Show or set an account's default limits, for its keys that set none of their own",
  usage:
    '--user NAME [--rpm N] [--tpm N] [--rpd N] [--daily-spend 5.00] [--token-quota N] [--token-quota-period lifetime|month] [--max-concurrency N] [--clear NAME] [--json]',
  options: { user: { type: 'string' }, ...options },
  optionHelp: { user: 'the account, by username (or id)', ...optionHelp },
  details: [
    ...sharedDetails,
    'A user may give its own keys limits only up to these (in the dashboard and the API).',
    'Example: switchyard users limits --user alice --rpm 60 --token-quota 1000000 --token-quota-period month',
  ],
  async run(context, values) {
    const typed = requireString(values, 'user');
    const store = await context.store();
    const account = await findAccount(store, typed);
    const next = changedLimits(account.defaultLimits, values);
    let limits = account.defaultLimits;
    if (next !== undefined) {
      const updated = await store.accounts.update(account.id, { defaultLimits: next });
      if (!updated) throw new Error(`account ${account.id} vanished while being updated`);
      await store.audit.append({
        ...auditActor,
        action: 'account.update',
        targetType: 'account',
        targetId: String(account.id),
        before: viewAccount(account),
        after: viewAccount(updated),
      });
      limits = updated.defaultLimits;
    }
    const gateway = context.config().config.limits.defaults;
    if (values.json === true) {
      context.stdout.write(`${JSON.stringify({ account: limits, gateway }, null, 2)}\n`);
      return 0;
    }
    context.stdout.write(
      `${next === undefined ? 'Default limits' : 'New default limits'} of ${account.username} (${account.role}, id ${account.id}), for its keys that set none of their own:\n`,
    );
    printLevels(context, [
      { title: 'ACCOUNT', limits },
      { title: 'GATEWAY', limits: gateway },
    ]);
    return 0;
  },
};

async function accountOf(store: Store, id: number): Promise<AccountRecord> {
  const account = await store.accounts.findById(id);
  // Keys reference their account; a key without one is a broken store.
  if (!account) throw new Error(`the account ${id} of the key does not exist`);
  return account;
}

/** By username, or by id when no username matches and the text is a number. */
async function findAccount(store: Store, typed: string): Promise<AccountRecord> {
  const account =
    (await store.accounts.findByUsername(typed)) ??
    (/^\d+$/.test(typed) ? await store.accounts.findById(Number(typed)) : undefined);
  if (!account) {
    throw new UsageError(`--user: no account is named '${typed}' (see: switchyard users list)`);
  }
  return account;
}
