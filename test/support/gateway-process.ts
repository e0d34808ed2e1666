import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { testDatabaseUrl } from './services.js';

// A real gateway in its own process (`switchyard serve` through the tsx loader, as a person would
// run it), for what one in-process gateway cannot show: several instances sharing one database.

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const entry = path.join(repositoryRoot, 'src', 'cli', 'run.ts');
// `--import tsx` resolves from the child's working directory, a temporary one: pass it by path.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** Generous: a cold tsx start on a loaded, shared machine. A safety net, not a performance bound. */
const startPatience = 30_000;
const stopPatience = 15_000;

export interface GatewayProcessOptions {
  /** `postgres://…` or `sqlite:<file>`; every instance of one test names the same database. */
  databaseUrl: string;
  /** A YAML file with the providers and models (SWITCHYARD_CONFIG). */
  configFile?: string;
  /**
   * The 32-byte key sealing provider secrets (64 hex digits). Instances sharing a database must
   * share it, or one cannot read the secrets the other stored; see `newSecretKey`.
   */
  secretKey: string;
  /** Default 'warn': quiet, but a real problem still reaches the test's failure message. */
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** More environment variables, e.g. SWITCHYARD_HOLD_TTL_MILLISECONDS. */
  environment?: Record<string, string>;
}

export interface GatewayProcess {
  /** Root URL, e.g. http://127.0.0.1:PORT. */
  url: string;
  /** The documented base URL: url + /api/v1. */
  baseURL: string;
  pid: number;
  /** Everything the process printed so far. */
  output(): { stdout: string; stderr: string };
  /** SIGTERM (open requests finish, usage is flushed), then the exit code once it has exited. */
  stop(): Promise<number>;
  kill(signal: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

// Last resort if the test worker itself exits with gateways still up: they must not outlive it.
process.once('exit', () => {
  for (const child of running)
    if (child.pid !== undefined && isRunning(child)) child.kill('SIGKILL');
});

/**
 * Kills (by pid, SIGKILL) every gateway process started here that is still running; each one's
 * working directory goes when it has exited. Call it from `afterAll`, as the net behind `stop()`.
 */
export function killLeftoverGatewayProcesses(): void {
  for (const child of running) {
    if (child.pid !== undefined && isRunning(child)) process.kill(child.pid, 'SIGKILL');
  }
}

/** A fresh 32-byte secret key, as 64 hex digits. */
export function newSecretKey(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Starts `switchyard serve` as a child process on a free port of 127.0.0.1 and resolves once it
 * prints where it listens; rejects (with its output) if it exits first or never gets there.
 */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const workingDirectory = mkdtempSync(path.join(os.tmpdir(), 'switchyard-process-'));
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    ...(process.env.TMPDIR === undefined ? {} : { TMPDIR: process.env.TMPDIR }),
    SWITCHYARD_HOST: '127.0.0.1',
    SWITCHYARD_PORT: '0',
    SWITCHYARD_DATA_DIR: path.join(workingDirectory, 'data'),
    DATABASE_URL: options.databaseUrl,
    SWITCHYARD_SECRET_KEY: options.secretKey,
    SWITCHYARD_LOG_LEVEL: options.logLevel ?? 'warn',
    // Given, so no instance writes an initial-password file or prints one.
    SWITCHYARD_ADMIN_PASSWORD: 'process-test-admin-password',
    ...(options.configFile === undefined ? {} : { SWITCHYARD_CONFIG: options.configFile }),
    ...options.environment,
  };
  const child = spawn(process.execPath, ['--import', tsxLoader, entry, 'serve'], {
    cwd: workingDirectory,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number>((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      rmSync(workingDirectory, { recursive: true, force: true });
      // A death by signal is reported as 128 + its number, as a shell does.
      resolve(code ?? 128 + (signal === null ? 0 : os.constants.signals[signal]));
    }),
  );
  const output = (): { stdout: string; stderr: string } => ({ stdout, stderr });

  const url = await new Promise<string>((resolve, reject) => {
    const banner = /Switchyard is listening on (http:\/\/127\.0\.0\.1:\d+)\n/;
    const check = (): void => {
      const match = banner.exec(stdout);
      if (match?.[1] !== undefined) {
        finish();
        resolve(match[1]);
      }
    };
    const onExit = (): void => {
      finish();
      reject(new Error(`the gateway exited before listening:\n${stdout}\n${stderr}`));
    };
    const timer = setTimeout(() => {
      finish();
      child.kill('SIGKILL');
      reject(
        new Error(`the gateway did not listen within ${startPatience} ms:\n${stdout}\n${stderr}`),
      );
    }, startPatience);
    const finish = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.off('close', onExit);
    };
    child.stdout?.on('data', check);
    child.once('close', onExit);
    check();
  });
  const pid = child.pid as number;

  let stopping: Promise<number> | undefined;
  return {
    url,
    baseURL: `${url}/api/v1`,
    pid,
    output,
    stop() {
      stopping ??= (async () => {
        if (isRunning(child)) process.kill(pid, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            if (isRunning(child)) process.kill(pid, 'SIGKILL');
            reject(new Error(`the gateway (pid ${pid}) did not stop within ${stopPatience} ms`));
          }, stopPatience);
        });
        try {
          return await Promise.race([exited, late]);
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
    kill(signal) {
      if (isRunning(child)) process.kill(pid, signal);
    },
  };
}

export interface TestDatabase {
  /** A connection URL for the new database. */
  url: string;
  /** Ends every connection to it and drops it. */
  drop(): Promise<void>;
}

/**
 * Creates an empty PostgreSQL database on TEST_DATABASE_URL's server, for processes that cannot
 * be pointed at a schema of their own (a gateway takes only a DATABASE_URL).
 */
export async function createTestDatabase(prefix = 'switchyard'): Promise<TestDatabase> {
  if (testDatabaseUrl === undefined) throw new Error('TEST_DATABASE_URL is not set');
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`'${name}' is not a plain name`);
  await withServer((client) => client.query(`create database ${name}`));
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      await withServer(async (client) => {
        // A process killed mid-test may have left connections behind; DROP waits for none.
        await client.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [name],
        );
        await client.query(`drop database if exists ${name}`);
      });
    },
  };
}

async function withServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
