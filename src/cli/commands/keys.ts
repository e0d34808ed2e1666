import { issueApiKey, hashApiKey } from '../../auth/api-keys.js';
import type { ApiKeyRecord } from '../../store/records.js';
import type { Store } from '../../store/contract.js';
import { parseExpiry } from '../parse-duration.js';
import {
  onePositional,
  optionalString,
  printTable,
  requireString,
  UsageError,
  type Command,
  type CommandContext,
} from '../command.js';

/** Finds a key by its id, whole key, prefix or name; a usage error names what matched. */
export async function findKey(store: Store, typed: string): Promise<ApiKeyRecord> {
  // `keys list` shows prefixes as `sk-AbCdEfG…`; people copy the ellipsis along.
  const reference = typed.trim().replace(/(…|\.\.\.)$/, '');
  if (/^\d+$/.test(reference)) {
    const key = await store.apiKeys.findById(Number(reference));
    if (key) return key;
  }
  // A whole key (say, one that leaked) is found by its hash.
  if (reference.startsWith('sk-')) {
    const key = await store.apiKeys.findByHash(hashApiKey(reference));
    if (key) return key;
  }
  const matches = (await store.apiKeys.list()).filter(
    (key) => key.keyPrefix === reference || key.name === reference,
  );
  if (matches.length === 1) return matches[0] as ApiKeyRecord;
  if (matches.length > 1) {
    const ids = matches.map((key) => key.id).join(', ');
    throw new UsageError(`'${reference}' names ${matches.length} keys (ids ${ids}); use the id`);
  }
  throw new UsageError(
    `no API key has the id, prefix or name '${reference}' (see: switchyard keys list)`,
  );
}

export const keysCreate: Command = {
  group: 'keys',
  name: 'create',
  summary: 'Create an API key for an account; the key is shown once',
  usage: '--user NAME [--name LABEL] [--models ID,ID] [--expires 30d|2027-01-01]',
  options: {
    user: { type: 'string' },
    name: { type: 'string' },
    models: { type: 'string' },
    expires: { type: 'string' },
  },
  optionHelp: {
    user: 'the account that owns the key (and pays for its use)',
    name: 'a label to recognise the key by (default: "default")',
    models: 'comma-separated model ids the key may use; all models when omitted',
    expires: 'a duration from now (30d, 12h, 90m) or an ISO 8601 date; never when omitted',
  },
  async run(context, values) {
    const username = requireString(values, 'user');
    const store = await context.store();
    const account = await store.accounts.findByUsername(username);
    if (!account)
      throw new UsageError(`no account is named '${username}' (see: switchyard users list)`);
    const modelsText = optionalString(values, 'models');
    const allowedModels =
      modelsText === undefined
        ? null
        : [
            ...new Set(
              modelsText
                .split(',')
                .map((id) => id.trim())
                .filter(Boolean),
            ),
          ];
    // An empty allowlist would make a key that can call nothing; omitting --models allows all.
    if (allowedModels?.length === 0)
      throw new UsageError('--models: name at least one model id, or leave --models out');
    if (allowedModels !== null) {
      const known = new Set((await store.catalog.listModels()).map((model) => model.id));
      const unknown = allowedModels.filter((id) => !known.has(id));
      if (unknown.length > 0)
        context.stderr.write(`warning: no model is named ${unknown.join(', ')} yet\n`);
    }
    const expiresText = optionalString(values, 'expires');
    let expiresAt: number | null = null;
    if (expiresText !== undefined) {
      const now = Date.now();
      try {
        expiresAt = parseExpiry(expiresText, now);
      } catch (error) {
        throw new UsageError(`--expires: ${(error as Error).message}`);
      }
      if (expiresAt <= now) {
        throw new UsageError(
          `--expires: ${new Date(expiresAt).toISOString()} is in the past; the key could never be used`,
        );
      }
    }
    const { record, key } = await issueApiKey(store.apiKeys, {
      accountId: account.id,
      name: optionalString(values, 'name') ?? 'default',
      expiresAt,
      allowedModels,
    });
    const limits = [
      allowedModels === null ? 'all models' : `models ${allowedModels.join(', ')}`,
      expiresAt === null ? 'no expiry' : `expires ${new Date(expiresAt).toISOString()}`,
    ];
    context.stdout.write(
      `Created API key ${record.id} '${record.name}' for ${account.username} (${limits.join('; ')}).\n` +
        `Copy it now; it is not shown again:\n${key}\n`,
    );
    return 0;
  },
};

export const keysList: Command = {
  group: 'keys',
  name: 'list',
  summary: 'List API keys (prefixes only; keys themselves are never stored)',
  usage: '[--user NAME] [--json]',
  options: { user: { type: 'string' }, json: { type: 'boolean', default: false } },
  optionHelp: { user: 'only the keys of this account', json: 'print JSON instead of a table' },
  async run(context, values) {
    const store = await context.store();
    const username = optionalString(values, 'user');
    let accountId: number | undefined;
    if (username !== undefined) {
      const account = await store.accounts.findByUsername(username);
      if (!account) throw new UsageError(`no account is named '${username}'`);
      accountId = account.id;
    }
    const keys = await store.apiKeys.list(accountId === undefined ? {} : { accountId });
    if (values.json === true) {
      context.stdout.write(
        `${JSON.stringify(
          keys.map(({ keyHash: _hash, ...key }) => key),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    const accounts = new Map(
      (await store.accounts.list()).map((account) => [account.id, account.username]),
    );
    printTable(
      context.stdout,
      ['ID', 'PREFIX', 'NAME', 'ACCOUNT', 'STATUS', 'MODELS', 'EXPIRES'],
      keys.map((key) => [
        String(key.id),
        `${key.keyPrefix}…`,
        key.name,
        accounts.get(key.accountId) ?? String(key.accountId),
        key.status,
        key.allowedModels === null ? '(all)' : key.allowedModels.join(','),
        key.expiresAt === null ? 'never' : new Date(key.expiresAt).toISOString(),
      ]),
    );
    return 0;
  },
};

function statusCommand(name: 'disable' | 'enable'): Command {
  return {
    group: 'keys',
    name,
    summary: `${name === 'disable' ? 'Disable' : 'Enable'} an API key (by id, prefix or name); running gateways notice within a second`,
    usage: 'KEY',
    options: {},
    optionHelp: {},
    positionals: true,
    async run(context: CommandContext, _values, positionals) {
      const reference = onePositional(
        positionals,
        'name the key by its id, prefix or name (see: switchyard keys list)',
      );
      const store = await context.store();
      const key = await findKey(store, reference);
      const status = name === 'disable' ? 'disabled' : 'active';
      if (key.status === status) {
        context.stdout.write(`API key ${key.id} '${key.name}' was already ${status}.\n`);
        return 0;
      }
      await store.apiKeys.setStatus(key.id, status);
      context.stdout.write(`API key ${key.id} '${key.name}' is now ${status}.\n`);
      return 0;
    },
  };
}

export const keysDisable = statusCommand('disable');
export const keysEnable = statusCommand('enable');
