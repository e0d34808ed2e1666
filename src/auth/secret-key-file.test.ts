import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveSecretKey } from './secret-key-file.js';

// existsSync can be made to miss a file once, as it does when another process creates the key
// file between this process's check and its write.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof fs>();
  return { ...actual, existsSync: vi.fn(actual.existsSync) };
});

let directory: string;

beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-'));
});

afterEach(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

describe('resolveSecretKey', () => {
  it('creates a 0600 key file on first use and returns the same key afterwards', () => {
    const dataDirectory = path.join(directory, 'data');
    const first = resolveSecretKey(undefined, dataDirectory);
    expect(first).toHaveLength(32);

    const file = path.join(dataDirectory, 'secret.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));

    const second = resolveSecretKey(undefined, dataDirectory);
    expect(second.equals(first)).toBe(true);
  });

  it('makes a different key for each new data directory', () => {
    const first = resolveSecretKey(undefined, path.join(directory, 'one'));
    const second = resolveSecretKey(undefined, path.join(directory, 'two'));
    expect(first.equals(second)).toBe(false);
  });

  it('uses the configured key, as hex or base64, and writes no file', () => {
    const key = Buffer.alloc(32, 0xab);
    expect(resolveSecretKey(key.toString('hex'), directory).equals(key)).toBe(true);
    expect(resolveSecretKey(key.toString('base64'), directory).equals(key)).toBe(true);
    expect(fs.existsSync(path.join(directory, 'secret.key'))).toBe(false);
  });

  it('prefers the configured key over an existing file', () => {
    const fromFile = resolveSecretKey(undefined, directory);
    const configured = Buffer.alloc(32, 1);
    const resolved = resolveSecretKey(configured.toString('hex'), directory);
    expect(resolved.equals(configured)).toBe(true);
    expect(resolved.equals(fromFile)).toBe(false);
  });

  it('throws, naming SWITCHYARD_SECRET_KEY, for a configured value that is not 32 bytes', () => {
    expect(() => resolveSecretKey('too-short', directory)).toThrow(/SWITCHYARD_SECRET_KEY/);
    expect(() => resolveSecretKey('ab'.repeat(31), directory)).toThrow(/SWITCHYARD_SECRET_KEY/);
  });

  it('uses the key another process wrote between the check and the write', () => {
    const theirs = Buffer.alloc(32, 0x5a);
    fs.writeFileSync(path.join(directory, 'secret.key'), `${theirs.toString('hex')}\n`);
    vi.mocked(fs.existsSync).mockReturnValueOnce(false);
    expect(resolveSecretKey(undefined, directory).equals(theirs)).toBe(true);
    expect(fs.readFileSync(path.join(directory, 'secret.key'), 'utf8').trim()).toBe(
      theirs.toString('hex'),
    );
  });

  it('throws, naming the file, when the key file holds something else', () => {
    const file = path.join(directory, 'secret.key');
    fs.writeFileSync(file, 'garbage\n');
    expect(() => resolveSecretKey(undefined, directory)).toThrow(file);
  });
});
