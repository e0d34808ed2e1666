import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The README's promise to a new user: `switchyard serve` in an empty directory, then the printed
// `keys create` command, then a request with the key. Run as real processes, as a person would.

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const entry = path.join(repositoryRoot, 'src', 'cli', 'run.ts');
// `--import tsx` resolves from the working directory, which here is a fresh temporary one.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** Generous: a cold tsx start on a loaded machine. A safety net, not a performance check. */
const patience = 20_000;

const environment: NodeJS.ProcessEnv = {
  PATH: process.env.PATH ?? '',
  ...(process.env.TMPDIR === undefined ? {} : { TMPDIR: process.env.TMPDIR }),
  SWITCHYARD_HOST: '127.0.0.1',
  SWITCHYARD_PORT: '0',
};

interface Running {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];
let directory: string;

function launch(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', tsxLoader, entry, ...args], {
    cwd: directory,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => ({ stdout, stderr }), exit };
}

/** Runs one CLI command to its end. */
async function switchyard(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const running = launch(args);
  const { code } = await running.exit;
  return { code, ...running.output() };
}

/** Resolves when the server's stdout matches; rejects if it exits first or takes far too long. */
function waitForOutput(running: Running, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = pattern.exec(running.output().stdout);
      if (match) {
        finish();
        resolve(match);
      }
    };
    const onExit = (): void => {
      finish();
      const { stdout, stderr } = running.output();
      reject(new Error(`the server exited before printing ${pattern}:\n${stdout}\n${stderr}`));
    };
    const timer = setTimeout(() => {
      finish();
      const { stdout, stderr } = running.output();
      reject(new Error(`no ${pattern} after ${patience} ms:\n${stdout}\n${stderr}`));
    }, patience);
    const finish = (): void => {
      clearTimeout(timer);
      running.child.stdout?.off('data', check);
      running.child.off('close', onExit);
    };
    running.child.stdout?.on('data', check);
    running.child.once('close', onExit);
    check();
  });
}

/** The banner ends with a pointer to `providers add` while no models are configured. */
const bannerEnd = /providers add --help\n/;

async function startServer(): Promise<{ running: Running; url: string; banner: string }> {
  const running = launch(['serve']);
  await waitForOutput(running, bannerEnd);
  const banner = running.output().stdout;
  const url = /Switchyard is listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(banner)?.[1];
  expect(url, banner).toBeDefined();
  return { running, url: url as string, banner };
}

async function stop(running: Running): Promise<void> {
  running.child.kill('SIGTERM');
  expect(await running.exit).toEqual({ code: 0, signal: null });
}

describe('first start, as a new user', () => {
  let first: { running: Running; url: string; banner: string };
  let apiKey: string;
  let adminPassword: string;
  let passwordFile: string;

  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'switchyard-first-start-'));
  });

  afterAll(() => {
    for (const child of started) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
        process.kill(child.pid, 'SIGKILL');
    }
    rmSync(directory, { recursive: true, force: true });
  });

  it('serve prints where it listens, how to log in and how to make a key', async () => {
    first = await startServer();
    const { banner, url } = first;
    expect(banner).toContain(`OpenAI-compatible base URL: ${url}/api/v1`);
    expect(banner).toContain(`Dashboard: ${url}/`);
    expect(banner).toContain("First start: created the admin account 'admin'.");

    passwordFile = path.join(directory, 'data', 'initial-admin-password');
    expect(banner).toContain(`Its password is in ${passwordFile}`);
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    adminPassword = readFileSync(passwordFile, 'utf8').trim();
    expect(adminPassword.length).toBeGreaterThanOrEqual(12);
    expect(banner).not.toContain(adminPassword);

    expect(banner).toContain('switchyard keys create --user admin --name my-first-key');
    expect(banner).toContain(`curl ${url}/api/v1/models -H "Authorization: Bearer <the key>"`);
  });

  it('the printed keys create command makes a key the gateway accepts', async () => {
    const command = /switchyard (keys create [^\n]+)\n/.exec(first.banner)?.[1];
    expect(command).toBeDefined();
    const created = await switchyard(...(command as string).split(' '));
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const keys = created.stdout.match(/sk-[0-9A-Za-z]+/g) ?? [];
    expect(keys, created.stdout).toHaveLength(1);
    apiKey = keys[0] as string;

    for (const prefix of ['/api/v1', '/v1']) {
      const response = await fetch(`${first.url}${prefix}/models`, {
        headers: { Authorization: `Bearer ${apiKey}` },
      });
      expect(response.status, prefix).toBe(200);
      expect(response.headers.get('x-request-id'), prefix).toBeTruthy();
      expect(await response.json()).toEqual({ object: 'list', data: [] });
    }
  });

  it('answers a wrong key with 401 invalid_api_key', async () => {
    const response = await fetch(`${first.url}/api/v1/models`, {
      headers: { Authorization: `Bearer sk-${'x'.repeat(43)}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const body = (await response.json()) as { error?: { code?: unknown; type?: unknown } };
    expect(body.error?.code).toBe('invalid_api_key');
  });

  it('stops on SIGTERM with exit code 0, having printed no secret', async () => {
    await stop(first.running);
    const { stdout, stderr } = first.running.output();
    expect(stderr).toContain('Received SIGTERM');
    for (const secret of [adminPassword, apiKey]) {
      expect(stdout).not.toContain(secret);
      expect(stderr).not.toContain(secret);
    }
  });

  it('a second start in the same directory keeps the first admin and says nothing of it', async () => {
    const second = await startServer();
    expect(second.banner).not.toContain('First start');
    expect(second.banner).not.toContain('initial-admin-password');
    expect(second.banner).not.toContain('keys create');

    // The key from the first run still works.
    const response = await fetch(`${second.url}/v1/models`, {
      headers: { Authorization: `Bearer ${apiKey}` },
    });
    expect(response.status).toBe(200);
    await stop(second.running);
    const { stdout, stderr } = second.running.output();
    for (const secret of [adminPassword, apiKey]) expect(stdout + stderr).not.toContain(secret);

    expect(readFileSync(passwordFile, 'utf8').trim()).toBe(adminPassword);
    const listed = await switchyard('users', 'list', '--json');
    expect(listed.code).toBe(0);
    const accounts = JSON.parse(listed.stdout) as Array<{ username: string; role: string }>;
    expect(accounts.map(({ username, role }) => ({ username, role }))).toEqual([
      { username: 'admin', role: 'admin' },
    ]);
  });
});
