import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// Everything the benchmark starts is registered here and stopped by pid, newest first: at the end
// of a run, on an error, on Ctrl-C, and (SIGKILL, synchronously) if the runner itself exits.

/** `--import tsx` for child processes, by path so it resolves from any working directory. */
export const tsxImport = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const outputLimit = 64 * 1024;

/** A child process the benchmark started. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** The last 64 KiB of what it wrote to stdout and stderr. */
  output(): string;
  /** Calls `listener` with everything written so far and then with every new piece. */
  watch(listener: (allOutput: string) => void): () => void;
  isRunning(): boolean;
  /** Resolves with the exit code (128 + signal number for a signal) once it has exited. */
  readonly exited: Promise<number>;
  /** `signal` (default SIGTERM), then SIGKILL after `patienceMilliseconds`; by pid. */
  stop(signal?: NodeJS.Signals, patienceMilliseconds?: number): Promise<number>;
}

export interface StartProcessOptions {
  environment: NodeJS.ProcessEnv;
  workingDirectory: string;
}

const running = new Map<number, { child: ChildProcess; managed: ManagedProcess }>();
const cleanups: Array<{ name: string; run: () => Promise<void> | void; synchronous: boolean }> = [];

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Starts a child process and registers it for cleanup. */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: StartProcessOptions,
): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.workingDirectory,
    env: options.environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const pid = child.pid;
  let output = '';
  const listeners = new Set<(allOutput: string) => void>();
  const append = (chunk: string): void => {
    output = (output + chunk).slice(-outputLimit);
    for (const listener of listeners) listener(output);
  };
  child.stdout?.setEncoding('utf8').on('data', append);
  child.stderr?.setEncoding('utf8').on('data', append);
  const exited = new Promise<number>((resolve) => {
    child.once('close', (code, signal) => {
      running.delete(pid);
      resolve(code ?? 128 + (signal === null ? 0 : signalNumber(signal)));
    });
  });

  let stopping: Promise<number> | undefined;
  const managed: ManagedProcess = {
    name,
    pid,
    exited,
    output: () => output,
    watch(listener) {
      listeners.add(listener);
      listener(output);
      return () => listeners.delete(listener);
    },
    isRunning: () => alive(child),
    stop(signal = 'SIGTERM', patienceMilliseconds = 15_000) {
      stopping ??= (async () => {
        if (alive(child)) process.kill(pid, signal);
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<number>((resolve) => {
          timer = setTimeout(() => {
            if (alive(child)) {
              process.stderr.write(`${name} (pid ${pid}) ignored ${signal}; sending SIGKILL\n`);
              process.kill(pid, 'SIGKILL');
            }
            resolve(exited);
          }, patienceMilliseconds);
        });
        try {
          return await Promise.race([exited, late]);
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
  running.set(pid, { child, managed });
  return managed;
}

/** Runs `node --import tsx <script> ...args` as a registered child process. */
export function startTsxProcess(
  name: string,
  script: string,
  args: readonly string[],
  options: StartProcessOptions,
): ManagedProcess {
  return startProcess(name, process.execPath, ['--import', tsxImport, script, ...args], options);
}

/**
 * Registers work to do at cleanup (remove a temp dir, drop a database); run newest first.
 * Synchronous work also runs when a second Ctrl-C cuts the orderly cleanup short.
 */
export function onCleanup(
  name: string,
  run: () => Promise<void> | void,
  synchronous = false,
): void {
  cleanups.push({ name, run, synchronous });
}

let cleaning: Promise<void> | undefined;

/** Stops every running child by pid (newest first), then runs the registered cleanups. */
export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const { managed } of [...running.values()].reverse()) {
      await managed.stop('SIGTERM', 10_000).catch(() => undefined);
    }
    for (const { name, run } of cleanups.splice(0).reverse()) {
      try {
        await run();
      } catch (error) {
        process.stderr.write(`cleanup '${name}' failed: ${(error as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}

/**
 * Ctrl-C, SIGTERM or an uncaught error stops everything before the runner exits; a second
 * Ctrl-C kills the children at once. Exiting with children still up SIGKILLs them by pid.
 */
export function installSignalHandlers(): void {
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Ctrl-C reaches this process several times at once (from the terminal, and relayed by npm
    // and tsx); only a signal a moment after the first means "stop waiting".
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt < 1_000) return;
      killEverything();
      for (const cleanup of cleanups.splice(0).reverse()) {
        if (cleanup.synchronous) void cleanup.run();
      }
      process.exit(130);
    }
    firstSignalAt = Date.now();
    process.stderr.write(
      `\nReceived ${signal}; stopping everything the benchmark started (again to force)…\n`,
    );
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killEverything);
}

function killEverything(): void {
  for (const [pid, { child }] of running) {
    if (alive(child)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

/** Rejects with `message` once `milliseconds` pass; the timer does not keep the process alive. */
export function deadline<T>(work: Promise<T>, milliseconds: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), milliseconds);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Resolves with the first match of `pattern` in the process's output. */
export function waitForOutput(
  managed: ManagedProcess,
  pattern: RegExp,
  patienceMilliseconds: number,
): Promise<RegExpExecArray> {
  let unwatch: (() => void) | undefined;
  const found = new Promise<RegExpExecArray>((resolve, reject) => {
    unwatch = managed.watch((output) => {
      const match = pattern.exec(output);
      if (match) resolve(match);
    });
    managed.exited.then(
      (code) =>
        reject(
          new Error(
            `${managed.name} exited (code ${code}) before it was ready:\n${managed.output()}`,
          ),
        ),
      reject,
    );
  });
  return deadline(
    found,
    patienceMilliseconds,
    `${managed.name} was not ready within ${patienceMilliseconds} ms:\n${managed.output()}`,
  ).finally(() => unwatch?.());
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return numbers[signal] ?? 0;
}
