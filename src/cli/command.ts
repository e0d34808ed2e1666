import type { ParseArgsConfig } from 'node:util';
import type { SecretBox } from '../auth/secret-box.js';
import type { LoadedConfig } from '../config/load.js';
import type { Store } from '../store/contract.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** What every command gets: its streams and lazily opened configuration and store. */
export interface CommandContext {
  environment: Readonly<Record<string, string | undefined>>;
  workingDirectory: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  config(): LoadedConfig;
  /** The store, migrated; closed by the runner after the command. */
  store(): Promise<Store>;
  secrets(): SecretBox;
}

/** One CLI command: `switchyard <group> <name>` (or just `<group>` when name is empty). */
export interface Command {
  group: string;
  name: string;
  summary: string;
  /** Usage line after `switchyard group name`, e.g. `--user NAME [--name LABEL]`. */
  usage: string;
  options: OptionSpec;
  /** One line per option, shown by --help. */
  optionHelp: Record<string, string>;
  positionals?: boolean;
  /** Further lines for --help, e.g. the environment variables a command reads. */
  details?: readonly string[];
  run(context: CommandContext, values: OptionValues, positionals: string[]): Promise<number>;
}

/** A mistake in how a command was called; the runner prints it with the command's usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A string option that must be present. */
export function requireString(values: OptionValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0)
    throw new UsageError(`--${name} is required`);
  return value;
}

/** The one positional argument a command takes, e.g. the key of `keys disable KEY`. */
export function onePositional(positionals: readonly string[], missing: string): string {
  const [first, ...extra] = positionals;
  if (first === undefined || first.length === 0) throw new UsageError(missing);
  if (extra.length > 0)
    throw new UsageError(
      `expected one argument, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  return first;
}

/** An optional string option. */
export function optionalString(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Prints rows as aligned columns. */
export function printTable(
  output: NodeJS.WritableStream,
  headers: string[],
  rows: string[][],
): void {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  output.write(`${line(headers)}\n`);
  for (const row of rows) output.write(`${line(row)}\n`);
  if (rows.length === 0) output.write('(none)\n');
}
