import { parseArgs } from 'node:util';
import path from 'node:path';
import { createSecretBox, type SecretBox } from '../auth/secret-box.js';
import { resolveSecretKey } from '../auth/secret-key-file.js';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import type { Store } from '../store/contract.js';
import { openStore, resolveDatabaseUrl } from '../store/open-store.js';
import { UsageError, type Command, type CommandContext } from './command.js';
import { keysCreate, keysDisable, keysEnable, keysList } from './commands/keys.js';
import { modelsAdd, modelsList, modelsPrice } from './commands/models.js';
import { providersAdd, providersList } from './commands/providers.js';
import { migrate, serve } from './commands/serve.js';
import { usersCreate, usersList } from './commands/users.js';

export const commands: readonly Command[] = [
  serve,
  migrate,
  usersCreate,
  usersList,
  keysCreate,
  keysList,
  keysDisable,
  keysEnable,
  providersAdd,
  providersList,
  modelsAdd,
  modelsList,
  modelsPrice,
];

function title(command: Command): string {
  return `switchyard ${command.group}${command.name ? ` ${command.name}` : ''}`;
}

function overview(): string {
  const rows = commands.map(
    (command) => `  ${title(command).slice('switchyard '.length).padEnd(18)} ${command.summary}`,
  );
  return [
    'Usage: switchyard <command> [options]',
    '',
    'Commands:',
    ...rows,
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
    ...(options.length > 0 ? ['', 'Options:', ...options] : []),
    `  --${'help'.padEnd(20)} show this help`,
  ].join('\n');
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
    io.stderr.write(`Unknown command '${first}'.\n\n${overview()}\n`);
    return 2;
  }
  const command =
    group.find((candidate) => candidate.name === '') ??
    group.find((candidate) => candidate.name === second);
  if (!command) {
    const listing = group
      .map((candidate) => `  ${title(candidate)}  ${candidate.summary}`)
      .join('\n');
    const wantsHelp = second === undefined || second === '--help' || second === '-h';
    (wantsHelp ? io.stdout : io.stderr).write(
      `${wantsHelp ? '' : `Unknown command '${first} ${second}'.\n\n`}Commands of '${first}':\n${listing}\n`,
    );
    return wantsHelp ? 0 : 2;
  }
  const rest = argv.slice(command.name === '' ? 1 : 2);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals === true,
      strict: true,
    });
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${commandHelp(command)}\n`);
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
  const dataDirectory = (): string =>
    path.resolve(io.workingDirectory, config().config.dataDirectory);
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
        `${title(command)}: ${error.message}\n\nUsage: ${title(command)} ${command.usage}\n`,
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
