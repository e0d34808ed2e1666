import { parseArgs } from 'node:util';
import { createSecretBox, type SecretBox } from '../auth/secret-box.js';
import { resolveSecretKey } from '../auth/secret-key-file.js';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import type { Store } from '../store/contract.js';
import { openStore, resolveDatabaseUrl } from '../store/open-store.js';
import { UsageError, type Command, type CommandContext } from './command.js';
import { keysCreate, keysDisable, keysEnable, keysList } from './commands/keys.js';
import { codesIssue, codesList } from './commands/codes.js';
import { ledgerVerify } from './commands/ledger.js';
import { keysLimits, usersLimits } from './commands/limits.js';
import { modelsAdd, modelsList, modelsPrice } from './commands/models.js';
import { providersAdd, providersList } from './commands/providers.js';
import { migrate, serve } from './commands/serve.js';
import { usersCreate, usersList } from './commands/users.js';
import {
  walletAdjust,
  walletLedger,
  walletResume,
  walletShow,
  walletSuspend,
  walletTopup,
  walletTransfer,
} from './commands/wallet.js';

export const commands: readonly Command[] = [
  serve,
  migrate,
  usersCreate,
  usersList,
  usersLimits,
  keysCreate,
  keysList,
  keysDisable,
  keysEnable,
  keysLimits,
  providersAdd,
  providersList,
  modelsAdd,
  modelsList,
  modelsPrice,
  walletShow,
  walletTopup,
  walletAdjust,
  walletTransfer,
  walletSuspend,
  walletResume,
  walletLedger,
  ledgerVerify,
  codesIssue,
  codesList,
];

function title(command: Command): string {
  return `switchyard ${command.group}${command.name ? ` ${command.name}` : ''}`;
}

function listing(entries: readonly Command[], indent: string): string[] {
  const width = Math.max(...entries.map((command) => title(command).length)) - 'switchyard '.length;
  return entries.map(
    (command) =>
      `${indent}${title(command).slice('switchyard '.length).padEnd(width)}  ${command.summary}`,
  );
}

function overview(): string {
  return [
    'Usage: switchyard <command> [options]',
    '',
    'Commands:',
    ...listing(commands, '  '),
    '',
    'Every command takes --help. Commands read the same configuration as the gateway:',
    'switchyard.yaml in this directory (or SWITCHYARD_CONFIG) and environment variables.',
  ].join('\n');
}

function commandHelp(command: Command): string {
  const options = Object.keys(command.options).map(
    (name) => `  --${name.padEnd(20)} ${command.optionHelp[name] ?? ''}`,
  );
  return [
    `Usage: ${title(command)} ${command.usage}`.trimEnd(),
    '',
    command.summary,
    '',
    'Options:',
    ...options,
    `  --${'help'.padEnd(20)} show this help`,
    ...(command.details ? ['', ...command.details] : []),
  ].join('\n');
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const substitution = left[row - 1] === right[column - 1] ? 0 : 1;
      current[column] = Math.min(
        (previous[column] ?? 0) + 1,
        (current[column - 1] ?? 0) + 1,
        (previous[column - 1] ?? 0) + substitution,
      );
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** " Did you mean 'keys'?" for a near miss such as 'key' or 'kyes'; empty when nothing is close. */
function suggestion(typed: string, candidates: readonly string[]): string {
  const close = [...new Set(candidates)]
    .map((candidate) => ({ candidate, distance: editDistance(typed, candidate) }))
    .filter(({ candidate, distance }) => distance <= Math.min(2, candidate.length - 1))
    .sort((left, right) => left.distance - right.distance)[0];
  return close ? ` Did you mean '${close.candidate}'?` : '';
}

/**
 * `--amount -2.00` would read as an unknown option `-2`; a string option followed by a negative
 * number takes it as its value, as a person means it.
 */
function joinNegativeValues(args: readonly string[], command: Command): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const current = args[index] as string;
    const next = args[index + 1];
    const name = current.startsWith('--') ? current.slice(2) : undefined;
    if (
      name !== undefined &&
      command.options[name]?.type === 'string' &&
      next !== undefined &&
      /^-\d/.test(next)
    ) {
      joined.push(`${current}=${next}`);
      index++;
    } else {
      joined.push(current);
    }
  }
  return joined;
}

export interface CliIo {
  environment: Readonly<Record<string, string | undefined>>;
  workingDirectory: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Runs one CLI invocation and returns its exit code; never calls process.exit itself. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(`${overview()}\n`);
    return first === undefined ? 1 : 0;
  }
  const group = commands.filter((command) => command.group === first);
  if (group.length === 0) {
    const hint = first.startsWith('-')
      ? `'${first}' is an option; put it after a command.`
      : `Unknown command '${first}'.${suggestion(
          first,
          commands.map((command) => command.group),
        )}`;
    io.stderr.write(`${hint}\n\n${overview()}\n`);
    return 2;
  }
  const command =
    group.find((candidate) => candidate.name === '') ??
    group.find((candidate) => candidate.name === second);
  if (!command) {
    const choices = `Commands of '${first}':\n${listing(group, '  switchyard ').join('\n')}\n`;
    if (second === '--help' || second === '-h' || second === 'help') {
      io.stdout.write(choices);
      return 0;
    }
    if (second === undefined) {
      io.stdout.write(`'switchyard ${first}' needs one of these commands:\n\n${choices}`);
      return 1;
    }
    const problem = second.startsWith('-')
      ? `'switchyard ${first}' needs a command before its options.`
      : `Unknown command '${first} ${second}'.${suggestion(
          second,
          group.map((candidate) => candidate.name),
        )}`;
    io.stderr.write(`${problem}\n\n${choices}`);
    return 2;
  }
  const rest = argv.slice(command.name === '' ? 1 : 2);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(rest, command),
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals === true,
      strict: true,
    });
  } catch (error) {
    io.stderr.write(`${title(command)}: ${(error as Error).message}\n\n${commandHelp(command)}\n`);
    return 2;
  }
  if (parsed.values.help === true) {
    io.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }

  let loaded: LoadedConfig | undefined;
  let store: Store | undefined;
  let secrets: SecretBox | undefined;
  const config = (): LoadedConfig =>
    (loaded ??= loadConfig({ environment: io.environment, workingDirectory: io.workingDirectory }));
  const dataDirectory = (): string => config().config.dataDirectory;
  const context: CommandContext = {
    ...io,
    config,
    async store() {
      if (!store) {
        store = await openStore(resolveDatabaseUrl(config().config.database.url, dataDirectory()));
        await store.migrate();
      }
      return store;
    },
    secrets() {
      return (secrets ??= createSecretBox(
        resolveSecretKey(config().config.secretKey, dataDirectory()),
      ));
    },
  };
  try {
    return await command.run(context, parsed.values, parsed.positionals);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(
        `${title(command)}: ${error.message}\n\nUsage: ${title(command)} ${command.usage}\n` +
          `'${title(command)} --help' describes every option.\n`,
      );
      return 2;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 78;
    }
    throw error;
  } finally {
    await store?.close();
  }
}
