import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../auth/api-keys.js';
import { commands, runCli } from './main.js';

class Collector extends Writable {
  text = '';
  override _write(chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  /** Both streams, for "never printed anywhere" checks. */
  all: string;
}

let workingDirectory: string;
let dataDirectory: string;

beforeEach(() => {
  workingDirectory = mkdtempSync(path.join(tmpdir(), 'switchyard-cli-'));
  dataDirectory = path.join(workingDirectory, 'data');
});

afterEach(() => {
  rmSync(workingDirectory, { recursive: true, force: true });
});

async function cli(
  argv: string[],
  extraEnvironment: Record<string, string> = {},
): Promise<Outcome> {
  const stdout = new Collector();
  const stderr = new Collector();
  const code = await runCli(argv, {
    environment: { SWITCHYARD_DATA_DIR: dataDirectory, ...extraEnvironment },
    workingDirectory,
    stdout,
    stderr,
  });
  return { code, stdout: stdout.text, stderr: stderr.text, all: stdout.text + stderr.text };
}

/** Runs a command that must succeed and returns its standard output. */
async function ok(argv: string[], extraEnvironment: Record<string, string> = {}): Promise<string> {
  const outcome = await cli(argv, extraEnvironment);
  expect(outcome.stderr, `switchyard ${argv.join(' ')}`).toBe('');
  expect(outcome.code, `switchyard ${argv.join(' ')}`).toBe(0);
  return outcome.stdout;
}

async function json<T>(argv: string[]): Promise<T> {
  return JSON.parse(await ok([...argv, '--json'])) as T;
}

/** Every byte the gateway keeps on disk, as one latin1 string (the database, its WAL, …). */
function storedBytes(): string {
  return readdirSync(dataDirectory)
    .map((file) => readFileSync(path.join(dataDirectory, file)).toString('latin1'))
    .join('\n');
}

interface ListedAccount {
  id: number;
  username: string;
  role: string;
  parentId: number | null;
  email: string | null;
  passwordHash?: unknown;
}

interface ListedKey {
  id: number;
  accountId: number;
  name: string;
  keyPrefix: string;
  status: string;
  expiresAt: number | null;
  allowedModels: string[] | null;
  keyHash?: unknown;
}

interface ListedProvider {
  id: number;
  name: string;
  baseUrl: string;
  hasApiKey: boolean;
  apiKeyEncrypted?: unknown;
  settings: { streamUsage: boolean; maxTokensField: string };
}

interface ListedModel {
  id: string;
  kind: string;
  prices: { input: number; output: number; cachedInput: number; perRequest: number };
  contextWindow: number | null;
  deployments: string[];
}

function titleOf(command: (typeof commands)[number]): string {
  return [command.group, command.name].filter(Boolean).join(' ');
}

describe('switchyard CLI', () => {
  it('prints the overview and exits 1 without a command', async () => {
    const outcome = await cli([]);
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toContain('Usage: switchyard <command> [options]');
    for (const command of commands) expect(outcome.stdout).toContain(titleOf(command));
  });

  it('prints the overview and exits 0 for --help', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const outcome = await cli([flag]);
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toContain('Usage: switchyard <command> [options]');
    }
  });

  for (const command of commands) {
    it(`'${titleOf(command)} --help' prints its usage and every option`, async () => {
      const outcome = await cli([...titleOf(command).split(' '), '--help']);
      expect(outcome.code).toBe(0);
      expect(outcome.stderr).toBe('');
      expect(outcome.stdout).toContain(
        `Usage: switchyard ${titleOf(command)} ${command.usage}`.trimEnd(),
      );
      for (const line of command.details ?? []) expect(outcome.stdout).toContain(line);
      expect(outcome.stdout).toContain(command.summary);
      for (const option of Object.keys(command.options)) {
        expect(outcome.stdout).toContain(`--${option}`);
        expect(command.optionHelp[option], `help text for --${option}`).toBeTruthy();
        expect(outcome.stdout).toContain(command.optionHelp[option]);
      }
      expect(outcome.stdout).toContain('--help');
    });
  }

  it('lists the commands of a group', async () => {
    const help = await cli(['keys', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('switchyard keys create');
    expect(help.stdout).toContain('switchyard keys disable');

    const bare = await cli(['keys']);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toContain('needs one of these commands');
    expect(bare.stdout).toContain('switchyard keys list');
  });

  it('rejects an unknown command with exit 2 and suggests a near miss', async () => {
    const outcome = await cli(['key', 'create']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("Unknown command 'key'. Did you mean 'keys'?");
    expect(outcome.stderr).toContain('Usage: switchyard <command> [options]');

    const sub = await cli(['keys', 'creat']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("Unknown command 'keys creat'. Did you mean 'create'?");

    const far = await cli(['frobnicate']);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain("Unknown command 'frobnicate'.");
    expect(far.stderr).not.toContain('Did you mean');

    const option = await cli(['--port', '8080']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("'--port' is an option");

    const optionFirst = await cli(['users', '--json']);
    expect(optionFirst.code).toBe(2);
    expect(optionFirst.stderr).toContain('needs a command before its options');
  });

  it('rejects an unknown option with exit 2 and the command help', async () => {
    const outcome = await cli(['users', 'list', '--bogus']);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toContain("Unknown option '--bogus'");
    expect(outcome.stderr).toContain('Usage: switchyard users list [--json]');
    expect(outcome.stderr).toContain('--json');
  });

  it('rejects positional arguments a command does not take', async () => {
    const outcome = await cli(['users', 'list', 'alice']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("Unexpected argument 'alice'");
  });

  it('exits 78 naming the variable when the configuration is bad', async () => {
    const outcome = await cli(['users', 'list'], { SWITCHYARD_PORT: 'abc' });
    expect(outcome.code).toBe(78);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toContain('Invalid configuration');
    expect(outcome.stderr).toContain('SWITCHYARD_PORT');
  });

  it('migrates the database and says so', async () => {
    expect(await ok(['migrate'])).toContain('The database schema is up to date.');
    expect(readdirSync(dataDirectory)).toContain('switchyard.db');
    expect(await ok(['migrate'])).toContain('up to date');
  });

  it('keeps its data under the working directory, not the process directory', async () => {
    const relative = await cli(['migrate'], { SWITCHYARD_DATA_DIR: 'relative-data' });
    expect(relative.code).toBe(0);
    expect(readdirSync(path.join(workingDirectory, 'relative-data'))).toContain('switchyard.db');
  });
});

describe('switchyard users', () => {
  it('creates a user with a generated password and lists it without the hash', async () => {
    const created = await ok([
      'users',
      'create',
      '--username',
      'alice',
      '--email',
      'a@example.com',
    ]);
    expect(created).toContain("Created user 'alice' (id 1)");
    const password = /Password \(shown once\): (\S+)/.exec(created)?.[1];
    expect(password).toBeDefined();

    const table = await ok(['users', 'list']);
    expect(table).toMatch(/ID\s+USERNAME\s+ROLE/);
    expect(table).toMatch(/1\s+alice\s+user/);

    const text = await ok(['users', 'list', '--json']);
    expect(text).not.toContain('scrypt$');
    expect(text).not.toContain(password);
    const accounts = JSON.parse(text) as ListedAccount[];
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ username: 'alice', role: 'user', email: 'a@example.com' });
    expect(accounts[0]).not.toHaveProperty('passwordHash');
  });

  it('creates an agent and a user that belongs to it', async () => {
    const agent = await ok([
      'users',
      'create',
      '--username',
      'reseller',
      '--role',
      'agent',
      '--password',
      'a-long-enough-password',
    ]);
    expect(agent).toContain("Created agent 'reseller'");
    expect(agent).not.toContain('Password');

    expect(await ok(['users', 'create', '--username', 'bob', '--agent', 'reseller'])).toContain(
      "under agent 'reseller'",
    );
    const accounts = await json<ListedAccount[]>(['users', 'list']);
    const reseller = accounts.find((account) => account.username === 'reseller');
    expect(reseller?.role).toBe('agent');
    expect(accounts.find((account) => account.username === 'bob')?.parentId).toBe(reseller?.id);
    expect(await ok(['users', 'list'])).toMatch(/bob\s+user\s+reseller/);
  });

  it('refuses a duplicate, a bad role, a short password and a wrong agent', async () => {
    await ok(['users', 'create', '--username', 'carol']);

    const duplicate = await cli(['users', 'create', '--username', 'carol']);
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain("an account named 'carol' already exists");

    const role = await cli(['users', 'create', '--username', 'dave', '--role', 'boss']);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain("--role: 'boss' is not a role; use one of admin, agent, user");

    const short = await cli(['users', 'create', '--username', 'erin', '--password', 'short']);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('--password must be at least 12 characters');

    const notAgent = await cli(['users', 'create', '--username', 'frank', '--agent', 'carol']);
    expect(notAgent.code).toBe(2);
    expect(notAgent.stderr).toContain("'carol' is a user account, not an agent");

    const noAgent = await cli(['users', 'create', '--username', 'frank', '--agent', 'nobody']);
    expect(noAgent.code).toBe(2);
    expect(noAgent.stderr).toContain("no account is named 'nobody'");

    const agentOfAgent = await cli([
      ...['users', 'create', '--username', 'gina', '--role', 'admin', '--agent', 'carol'],
    ]);
    expect(agentOfAgent.code).toBe(2);
    expect(agentOfAgent.stderr).toContain('only user accounts belong to an agent');

    const missing = await cli(['users', 'create']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--username is required');
    expect(missing.stderr).toContain('Usage: switchyard users create');

    const email = await cli(['users', 'create', '--username', 'hank', '--email', 'nope']);
    expect(email.code).toBe(2);
    expect(email.stderr).toContain("--email: 'nope' is not an email address");

    expect(await json<ListedAccount[]>(['users', 'list'])).toHaveLength(1);
  });
});

describe('switchyard keys', () => {
  beforeEach(async () => {
    await ok(['users', 'create', '--username', 'alice', '--password', 'correct-horse-battery']);
  });

  async function createKey(...extra: string[]): Promise<string> {
    const output = await ok(['keys', 'create', '--user', 'alice', ...extra]);
    const keys = output.match(/sk-[0-9A-Za-z]+/g) ?? [];
    expect(keys).toHaveLength(1);
    return keys[0] as string;
  }

  it('prints a new key once and never again', async () => {
    const key = await createKey('--name', 'laptop');
    expect(key).toMatch(/^sk-[0-9A-Za-z]{43}$/);

    const table = await ok(['keys', 'list']);
    expect(table).toMatch(/PREFIX\s+NAME\s+ACCOUNT\s+STATUS/);
    expect(table).toMatch(/laptop\s+alice\s+active\s+\(all\)\s+never/);
    expect(table).toContain(`${key.slice(0, 10)}…`);
    for (const output of [table, await ok(['keys', 'list', '--json'])]) {
      expect(output).not.toContain(key);
      expect(output).not.toContain(hashApiKey(key));
    }
    const [listed] = await json<ListedKey[]>(['keys', 'list']);
    expect(listed).toMatchObject({ name: 'laptop', status: 'active', allowedModels: null });
    expect(listed).not.toHaveProperty('keyHash');
    expect(listed?.keyPrefix).toBe(key.slice(0, 10));
    expect(storedBytes()).not.toContain(key);
  });

  it('names the default key "default" and filters by user', async () => {
    await createKey();
    expect((await json<ListedKey[]>(['keys', 'list', '--user', 'alice']))[0]?.name).toBe('default');
    const unknown = await cli(['keys', 'list', '--user', 'nobody']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no account is named 'nobody'");
  });

  it('limits a key to models and gives it an expiry', async () => {
    await ok(['models', 'add', '--id', 'gpt-4o-mini']);
    const before = Date.now();
    const created = await cli([
      ...['keys', 'create', '--user', 'alice', '--models', 'gpt-4o-mini, other-model'],
      ...['--expires', '30d'],
    ]);
    const after = Date.now();
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('warning: no model is named other-model yet');
    expect(created.stdout).toContain('models gpt-4o-mini, other-model');

    await createKey('--name', 'dated', '--expires', '2999-01-01T00:00:00Z');

    const [limited, dated] = await json<ListedKey[]>(['keys', 'list']);
    expect(limited?.allowedModels).toEqual(['gpt-4o-mini', 'other-model']);
    const thirtyDays = 30 * 86_400_000;
    expect(limited?.expiresAt).toBeGreaterThanOrEqual(before + thirtyDays);
    expect(limited?.expiresAt).toBeLessThanOrEqual(after + thirtyDays);
    expect(dated?.expiresAt).toBe(Date.parse('2999-01-01T00:00:00Z'));
    expect(await ok(['keys', 'list'])).toContain('2999-01-01T00:00:00.000Z');
  });

  it('refuses bad expiries, an empty model list and an unknown account', async () => {
    const bad = await cli(['keys', 'create', '--user', 'alice', '--expires', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--expires: 'soon' is neither a duration like 30d");
    expect(bad.stdout).not.toContain('sk-');

    const past = await cli(['keys', 'create', '--user', 'alice', '--expires', '2001-01-01']);
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('is in the past');

    const empty = await cli(['keys', 'create', '--user', 'alice', '--models', ' , ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--models: name at least one model id');

    const nobody = await cli(['keys', 'create', '--user', 'nobody']);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain("no account is named 'nobody' (see: switchyard users list)");

    const missing = await cli(['keys', 'create']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--user is required');

    expect(await json<ListedKey[]>(['keys', 'list'])).toEqual([]);
  });

  it('disables and enables a key by id, prefix, name and the whole key', async () => {
    const key = await createKey('--name', 'ci');
    const status = async (): Promise<string | undefined> =>
      (await json<ListedKey[]>(['keys', 'list']))[0]?.status;
    const prefix = key.slice(0, 10);

    expect(await ok(['keys', 'disable', '1'])).toContain("API key 1 'ci' is now disabled.");
    expect(await status()).toBe('disabled');
    expect(await ok(['keys', 'disable', '1'])).toContain('was already disabled');
    expect(await ok(['keys', 'enable', prefix])).toContain('is now active');
    expect(await status()).toBe('active');
    expect(await ok(['keys', 'disable', 'ci'])).toContain('is now disabled');
    expect(await ok(['keys', 'enable', `${prefix}…`])).toContain('is now active');
    const leaked = await ok(['keys', 'disable', key]);
    expect(leaked).toContain('is now disabled');
    expect(leaked).not.toContain(key);
    expect(await status()).toBe('disabled');
  });

  it('refuses an unknown, ambiguous or missing key', async () => {
    await createKey('--name', 'twin');
    await createKey('--name', 'twin');

    const unknown = await cli(['keys', 'disable', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no API key has the id, prefix or name 'nope'");

    const missingId = await cli(['keys', 'enable', '99']);
    expect(missingId.code).toBe(2);

    const ambiguous = await cli(['keys', 'disable', 'twin']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain("'twin' names 2 keys (ids 1, 2); use the id");

    const none = await cli(['keys', 'disable']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('name the key by its id, prefix or name');

    const two = await cli(['keys', 'disable', '1', '2']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('expected one argument, got 2');

    const keys = await json<ListedKey[]>(['keys', 'list']);
    expect(keys.map((key) => key.status)).toEqual(['active', 'active']);
  });
});

describe('switchyard providers', () => {
  it('adds a provider from a preset', async () => {
    const output = await ok(['providers', 'add', '--preset', 'deepseek']);
    expect(output).toContain("Added provider 'deepseek'");
    expect(output).toContain('no API key');
    expect(output).toContain('switchyard models add --id deepseek-chat');
    await ok(['providers', 'add', '--name', 'ds-backup', '--preset', 'deepseek']);

    const providers = await json<ListedProvider[]>(['providers', 'list']);
    expect(providers.map((provider) => provider.name)).toEqual(['deepseek', 'ds-backup']);
    expect(providers[0]).toMatchObject({ hasApiKey: false, kind: 'openai-compatible' });
    expect(providers[0]?.baseUrl).toMatch(/^https:\/\/api\.deepseek\.com/);
    expect(await ok(['providers', 'list'])).toMatch(/deepseek\s+openai-compatible\s+https:/);
  });

  it('stores an API key encrypted and never shows it', async () => {
    const secret = 'sk-upstream-secret-5f2e9c1a7b';
    const added = await cli([
      ...['providers', 'add', '--name', 'local', '--base-url', 'http://127.0.0.1:9/v1'],
      ...['--api-key', secret],
    ]);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('API key stored encrypted');
    const table = await ok(['providers', 'list']);
    expect(table).toMatch(/local\s+openai-compatible\s+http:\/\/127\.0\.0\.1:9\/v1\s+set/);
    const listed = await ok(['providers', 'list', '--json']);
    for (const output of [added.all, table, listed]) expect(output).not.toContain(secret);
    const [provider] = JSON.parse(listed) as ListedProvider[];
    expect(provider).toMatchObject({ name: 'local', hasApiKey: true });
    expect(provider).not.toHaveProperty('apiKeyEncrypted');
    expect(storedBytes()).toContain('http://127.0.0.1:9/v1');
    expect(storedBytes()).not.toContain(secret);

    // Changing the URL later keeps the stored key.
    expect(
      await ok(['providers', 'add', '--name', 'local', '--base-url', 'http://127.0.0.1:10/v1']),
    ).toContain("Updated provider 'local'");
    const [updated] = await json<ListedProvider[]>(['providers', 'list']);
    expect(updated).toMatchObject({ baseUrl: 'http://127.0.0.1:10/v1', hasApiKey: true });
  });

  it('reads the API key from an environment variable', async () => {
    const secret = 'sk-from-the-environment-0c4d';
    const added = await cli(
      ['providers', 'add', '--name', 'vllm', '--base-url', 'http://127.0.0.1:8000/v1'].concat(
        '--api-key-env',
        'VLLM_KEY',
      ),
      { VLLM_KEY: secret },
    );
    expect(added.code).toBe(0);
    expect(added.all).not.toContain(secret);
    expect((await json<ListedProvider[]>(['providers', 'list']))[0]?.hasApiKey).toBe(true);
    expect(storedBytes()).not.toContain(secret);
  });

  it('refuses a bad URL, an unknown preset, an unset variable and a missing name', async () => {
    const url = await cli(['providers', 'add', '--name', 'x', '--base-url', 'localhost:8000']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain("--base-url: 'localhost:8000' is not an http(s) URL");

    const spaces = await cli(['providers', 'add', '--name', 'x', '--base-url', 'http://a b/v1']);
    expect(spaces.code).toBe(2);

    const preset = await cli(['providers', 'add', '--preset', 'nonesuch']);
    expect(preset.code).toBe(2);
    expect(preset.stderr).toContain("--preset: unknown preset 'nonesuch'; choose one of");
    expect(preset.stderr).toContain('deepseek');

    const unset = await cli([
      ...['providers', 'add', '--name', 'x', '--base-url', 'http://127.0.0.1:1/v1'],
      ...['--api-key-env', 'NOT_SET_ANYWHERE'],
    ]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('the environment variable NOT_SET_ANYWHERE is not set');

    const both = await cli([
      ...['providers', 'add', '--name', 'x', '--base-url', 'http://127.0.0.1:1/v1'],
      ...['--api-key', 'a', '--api-key-env', 'B'],
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('either --api-key or --api-key-env, not both');

    const nameless = await cli(['providers', 'add', '--base-url', 'http://127.0.0.1:1/v1']);
    expect(nameless.code).toBe(2);
    expect(nameless.stderr).toContain('--name is required (or use --preset)');

    const badName = await cli(['providers', 'add', '--name', 'My Provider', '--preset', 'openai']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('lowercase letters');

    const noUrl = await cli(['providers', 'add', '--name', 'x']);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('--base-url is required');

    const field = await cli([
      ...['providers', 'add', '--name', 'x', '--base-url', 'http://127.0.0.1:1/v1'],
      ...['--max-tokens-field', 'tokens'],
    ]);
    expect(field.code).toBe(2);

    expect(await json<ListedProvider[]>(['providers', 'list'])).toEqual([]);
  });
});

describe('switchyard models', () => {
  it('stores decimal prices as integer micro-units', async () => {
    const output = await ok([
      ...['models', 'add', '--id', 'deepseek-chat', '--input-price', '0.28'],
      ...['--output-price', '0.42', '--context-window', '65536'],
    ]);
    expect(output).toContain("Added model 'deepseek-chat' (chat): input 0.280000, output 0.420000");
    expect(output).toContain('No provider yet');
    await ok([
      'models',
      'add',
      '--id',
      'embed',
      '--kind',
      'embedding',
      '--input-price',
      '0.1',
    ]).then((text) => expect(text).toContain('(embedding)'));
    await ok([
      ...['models', 'add', '--id', 'precise', '--input-price', '12.345678'],
      ...['--cached-input-price', '0.000001', '--request-price', '0.01'],
    ]);

    const models = await json<ListedModel[]>(['models', 'list']);
    const byId = new Map(models.map((model) => [model.id, model]));
    expect(byId.get('deepseek-chat')).toMatchObject({
      kind: 'chat',
      prices: { input: 280_000, output: 420_000, cachedInput: 280_000, perRequest: 0 },
      contextWindow: 65_536,
      deployments: [],
    });
    expect(byId.get('embed')).toMatchObject({ kind: 'embedding', prices: { input: 100_000 } });
    expect(byId.get('precise')?.prices).toEqual({
      input: 12_345_678,
      output: 0,
      cachedInput: 1,
      perRequest: 10_000,
    });
    expect(await ok(['models', 'list'])).toMatch(/deepseek-chat\s+chat\s+0\.280000\s+0\.420000/);
  });

  it('routes a model to a provider under its upstream name', async () => {
    await ok(['providers', 'add', '--name', 'local', '--base-url', 'http://127.0.0.1:9/v1']);
    const output = await ok([
      ...['models', 'add', '--id', 'llama', '--provider', 'local'],
      ...['--upstream-model', 'meta-llama/Llama-3.1-8B', '--priority', '1', '--weight', '3'],
    ]);
    expect(output).toContain("Routed to provider 'local' as 'meta-llama/Llama-3.1-8B'");
    const [model] = await json<ListedModel[]>(['models', 'list']);
    expect(model?.deployments).toEqual(['local:meta-llama/Llama-3.1-8B']);

    // Adding it again does not duplicate the deployment, and tells that it was kept.
    const again = await ok([
      ...['models', 'add', '--id', 'llama', '--provider', 'local'],
      ...['--upstream-model', 'meta-llama/Llama-3.1-8B', '--weight', '5'],
    ]);
    expect(again).toContain("Updated model 'llama'");
    expect(again).toContain('keeps its priority 1 and weight 3');
    expect((await json<ListedModel[]>(['models', 'list']))[0]?.deployments).toHaveLength(1);
  });

  it('keeps a model kind and prices that an update does not name', async () => {
    await ok(['models', 'add', '--id', 'embed', '--kind', 'embedding', '--input-price', '0.02']);
    await ok(['models', 'add', '--id', 'embed', '--output-price', '0.5']);
    const [model] = await json<ListedModel[]>(['models', 'list']);
    expect(model).toMatchObject({ kind: 'embedding', prices: { input: 20_000, output: 500_000 } });
  });

  it('refuses an unknown provider, bad prices and bad numbers, writing nothing', async () => {
    const provider = await cli(['models', 'add', '--id', 'm', '--provider', 'nowhere']);
    expect(provider.code).toBe(2);
    expect(provider.stderr).toContain("no provider is named 'nowhere'");

    for (const price of ['abc', '1.1234567', '1,5', '-1']) {
      const outcome = await cli(['models', 'add', '--id', 'm', `--input-price=${price}`]);
      expect(outcome.code, price).toBe(2);
      expect(outcome.stderr, price).toContain(
        `--input-price: '${price}' is not an amount of money`,
      );
    }

    const kind = await cli(['models', 'add', '--id', 'm', '--kind', 'image']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain("--kind: 'image' is not a kind");

    const weight = await cli(['models', 'add', '--id', 'm', '--provider', 'x', '--weight', '0']);
    expect(weight.code).toBe(2);
    expect(weight.stderr).toContain("--weight: '0' is not a whole number from 1 to 1000");

    const window = await cli(['models', 'add', '--id', 'm', '--context-window', '8k']);
    expect(window.code).toBe(2);

    const orphan = await cli(['models', 'add', '--id', 'm', '--upstream-model', 'x']);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain('--upstream-model describes a deployment; it needs --provider');

    expect(await json<ListedModel[]>(['models', 'list'])).toEqual([]);
  });

  it('changes prices with models price', async () => {
    await ok(['models', 'add', '--id', 'gpt-4o', '--input-price', '2.5', '--output-price', '10']);
    const output = await ok(['models', 'price', 'gpt-4o', '--output-price', '8']);
    expect(output).toContain("Model 'gpt-4o': input 2.500000, output 8.000000");
    const [model] = await json<ListedModel[]>(['models', 'list']);
    expect(model?.prices).toEqual({
      input: 2_500_000,
      output: 8_000_000,
      cachedInput: 2_500_000,
      perRequest: 0,
    });

    const unknown = await cli(['models', 'price', 'gpt-5', '--input-price', '1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no model is named 'gpt-5'");

    const nothing = await cli(['models', 'price', 'gpt-4o']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('give at least one of --input-price');

    const bad = await cli(['models', 'price', 'gpt-4o', '--input-price', 'free']);
    expect(bad.code).toBe(2);

    const missing = await cli(['models', 'price', '--input-price', '1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('name the model whose prices to change');
  });
});
