import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpileTree } from './build.js';
import { deadline, startProcess, waitForOutput, type ManagedProcess } from './lifecycle.js';

// The gateway as a person runs it in production: compiled JavaScript (`npm start` runs dist/),
// `switchyard serve` in its own process with the default configuration plus the mock models.

export const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
/** Compiled here, not in dist/, so a benchmark never disturbs anyone's build; eslint skips it. */
const buildDirectory = path.join(repositoryRoot, 'node_modules', '.cache', 'switchyard-bench');
const cliEntry = path.join(buildDirectory, 'dist', 'cli', 'run.js');

/** A model the gateway serves, routed to one or more mock servers. */
export interface BenchModel {
  id: string;
  /** Base URLs (…/v1) of the deployments, one provider each. */
  upstreamBaseUrls: string[];
}

export interface GatewayOptions {
  workDirectory: string;
  models: BenchModel[];
  /** postgres://… for the scale-out run; the default SQLite file in the data directory otherwise. */
  databaseUrl?: string;
  redisUrl?: string;
  /** Write a V8 CPU profile (node --cpu-prof) into this directory. */
  profileDirectory?: string;
}

/** A running gateway process with a funded API key. */
export interface GatewayProcess {
  process: ManagedProcess;
  url: string;
  apiKey: string;
  /** Where its CLI runs, with what environment, and where its SQLite file lives. */
  workDirectory: string;
  environment: NodeJS.ProcessEnv;
  dataDirectory: string;
  startMilliseconds: number;
  /** The .cpuprofile it writes on exit, when profiling. */
  profileFile: string | undefined;
}

/** Compiles src/ to JavaScript (changed files only); returns the CLI entry. */
export function buildGateway(): string {
  transpileTree(path.join(repositoryRoot, 'src'), path.join(buildDirectory, 'dist'));
  return cliEntry;
}

function configYaml(models: readonly BenchModel[]): string {
  const providers: string[] = [];
  const entries: string[] = [];
  for (const model of models) {
    const deployments = model.upstreamBaseUrls.map((baseUrl, index) => {
      const provider = `${model.id}-${index}`;
      providers.push(
        `  - name: ${provider}\n    baseUrl: ${baseUrl}\n    apiKey: bench-upstream-secret`,
      );
      return `      - provider: ${provider}\n        upstreamModel: bench-upstream`;
    });
    entries.push(
      `  - id: ${model.id}\n` +
        `    prices: { input: "1.00", output: "2.00" }\n` +
        `    contextWindow: 128000\n` +
        `    maxOutputTokens: 4096\n` +
        `    deployments:\n${deployments.join('\n')}`,
    );
  }
  // The default key limit (600 requests a minute) would stop the benchmark within a second; a
  // limit that cannot trigger keeps the limiter on the hot path, as a real deployment has it.
  const limits = 'limits:\n  defaults:\n    rpm: 10000000\n';
  return `${limits}providers:\n${providers.join('\n')}\nmodels:\n${entries.join('\n')}\n`;
}

/** Runs a `switchyard` CLI command against the gateway's configuration; its output. */
export async function runCli(
  args: readonly string[],
  environment: NodeJS.ProcessEnv,
  workingDirectory: string,
): Promise<string> {
  const cli = startProcess(
    `switchyard ${args.slice(0, 2).join(' ')}`,
    process.execPath,
    [cliEntry, ...args],
    {
      workingDirectory,
      environment,
    },
  );
  // A command that waits on a locked database must not hold the benchmark up for ever.
  const code = await deadline(cli.exited, 60_000, `${cli.name} took over 60 s`).catch(
    async (error: unknown) => {
      await cli.stop('SIGKILL', 1_000);
      throw error;
    },
  );
  if (code !== 0)
    throw new Error(`switchyard ${args.join(' ')} failed (${code}):\n${cli.output()}`);
  return cli.output();
}

/**
 * Creates an account, a key and a top-up with the CLI (the way an operator would), then starts
 * `switchyard serve` and waits until it prints where it listens.
 */
export async function startGatewayProcess(options: GatewayOptions): Promise<GatewayProcess> {
  const { workDirectory } = options;
  mkdirSync(workDirectory, { recursive: true });
  const configFile = path.join(workDirectory, 'switchyard.yaml');
  writeFileSync(configFile, configYaml(options.models));
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    ...(process.env.TMPDIR === undefined ? {} : { TMPDIR: process.env.TMPDIR }),
    SWITCHYARD_CONFIG: configFile,
    SWITCHYARD_DATA_DIR: path.join(workDirectory, 'data'),
    SWITCHYARD_HOST: '127.0.0.1',
    SWITCHYARD_PORT: '0',
    // Given, so the first start writes no initial-password file.
    SWITCHYARD_ADMIN_PASSWORD: randomBytes(18).toString('base64url'),
    ...(options.databaseUrl === undefined
      ? {}
      : {
          DATABASE_URL: options.databaseUrl,
          SWITCHYARD_SECRET_KEY: randomBytes(32).toString('hex'),
        }),
    ...(options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl }),
  };

  const password = randomBytes(18).toString('base64url');
  await runCli(
    ['users', 'create', '--username', 'bench', '--password', password],
    environment,
    workDirectory,
  );
  const created = await runCli(
    ['keys', 'create', '--user', 'bench', '--name', 'bench'],
    environment,
    workDirectory,
  );
  const apiKey = /^(sk-[A-Za-z0-9]+)\s*$/m.exec(created)?.[1];
  if (apiKey === undefined) throw new Error(`'keys create' printed no key:\n${created}`);
  // A million currency units: no run of this benchmark can spend it.
  await runCli(
    ['wallet', 'topup', '--user', 'bench', '--amount', '1000000', '--reason', 'benchmark'],
    environment,
    workDirectory,
  );

  const nodeFlags: string[] = [];
  let profileFile: string | undefined;
  if (options.profileDirectory !== undefined) {
    mkdirSync(options.profileDirectory, { recursive: true });
    const name = `gateway-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
    profileFile = path.join(options.profileDirectory, name);
    nodeFlags.push(
      '--cpu-prof',
      `--cpu-prof-dir=${options.profileDirectory}`,
      `--cpu-prof-name=${name}`,
    );
  }
  const startedAt = performance.now();
  const gateway = startProcess('gateway', process.execPath, [...nodeFlags, cliEntry, 'serve'], {
    workingDirectory: workDirectory,
    environment,
  });
  const banner = await waitForOutput(
    gateway,
    /Switchyard is listening on (http:\/\/\S+)\n/,
    30_000,
  );
  const url = banner[1] as string;
  return {
    process: gateway,
    url,
    apiKey,
    workDirectory,
    environment,
    dataDirectory: path.join(workDirectory, 'data'),
    startMilliseconds: performance.now() - startedAt,
    profileFile,
  };
}
