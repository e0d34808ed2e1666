import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueApiKey } from '../auth/api-keys.js';
import type { Store } from '../store/contract.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite-store.js';
import { runCli } from './main.js';

// `switchyard keys limits` and `switchyard users limits`, run in-process against a SQLite file in
// a temporary directory, as wallet.test.ts runs the money commands. The store is opened beside
// the CLI to look behind the output.

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
}

let workingDirectory: string;
let dataDirectory: string;
let direct: Store | undefined;
let keyId: number;

beforeEach(async () => {
  workingDirectory = mkdtempSync(path.join(tmpdir(), 'switchyard-limits-cli-'));
  dataDirectory = path.join(workingDirectory, 'data');
  direct = undefined;
  const accounts = (await store()).accounts;
  const alice = await accounts.create({ username: 'alice', role: 'user' });
  const { record } = await issueApiKey((await store()).apiKeys, {
    accountId: alice.id,
    name: 'scraper',
  });
  keyId = record.id;
});

afterEach(async () => {
  await direct?.close();
  rmSync(workingDirectory, { recursive: true, force: true });
});

async function cli(argv: string[], environment: Record<string, string> = {}): Promise<Outcome> {
  const stdout = new Collector();
  const stderr = new Collector();
  const code = await runCli(argv, {
    environment: { SWITCHYARD_DATA_DIR: dataDirectory, ...environment },
    workingDirectory,
    stdout,
    stderr,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function ok(...argv: string[]): Promise<string> {
  const outcome = await cli(argv);
  expect(outcome.stderr, `switchyard ${argv.join(' ')}`).toBe('');
  expect(outcome.code, `switchyard ${argv.join(' ')}`).toBe(0);
  return outcome.stdout;
}

/** Runs a command that must be refused as a usage error (exit 2), and returns its message. */
async function refused(...argv: string[]): Promise<string> {
  const outcome = await cli(argv);
  expect(outcome.code, `switchyard ${argv.join(' ')}\n${outcome.stderr}`).toBe(2);
  expect(outcome.stdout).toBe('');
  return outcome.stderr;
}

async function store(): Promise<Store> {
  if (!direct) {
    direct = openSqliteStore(path.join(dataDirectory, 'switchyard.db'));
    await direct.migrate();
  }
  return direct;
}

describe('switchyard keys limits', () => {
  it('shows a key’s limits through its three levels', async () => {
    const output = await ok('keys', 'limits', String(keyId));
    expect(output).toContain(`Limits of API key ${keyId} 'scraper' (account alice):`);
    expect(output).toMatch(/LIMIT\s+KEY\s+ACCOUNT\s+GATEWAY\s+APPLIES/);
    // The gateway's default (600 rpm unless configured) applies; nothing else is limited.
    expect(output).toMatch(/\nrpm\s+-\s+-\s+600\s+600\n/);
    expect(output).toMatch(/\ntpm\s+-\s+-\s+-\s+unlimited\n/);
    const configured = await cli(['keys', 'limits', 'scraper', '--json'], {
      SWITCHYARD_DEFAULT_RPM: '90',
    });
    expect(JSON.parse(configured.stdout)).toEqual({ key: {}, account: {}, gateway: { rpm: 90 } });
  });

  it('sets every limit, keeps the others, clears by name, and audits each change', async () => {
    const output = await ok(
      'keys',
      'limits',
      'scraper',
      '--rpm',
      '30',
      '--tpm',
      '100000',
      '--rpd',
      '1000',
      '--daily-spend',
      '5.00',
      '--token-quota',
      '2000000',
      '--token-quota-period',
      'month',
      '--max-concurrency',
      '4',
    );
    expect(output).toContain(`New limits of API key ${keyId} 'scraper' (account alice):`);
    expect(output).toMatch(/\nrpm\s+30\s+-\s+600\s+30\n/);
    expect(output).toMatch(/\ndaily-spend\s+5\.000000\s+-\s+-\s+5\.000000\n/);
    expect(output).toMatch(/\ntoken-quota\s+2,000,000\s+-\s+-\s+2,000,000\n/);
    const all = {
      rpm: 30,
      tpm: 100_000,
      rpd: 1_000,
      dailySpend: 5_000_000,
      tokenQuota: 2_000_000,
      tokenQuotaPeriod: 'month',
      maxConcurrency: 4,
    };
    expect((await (await store()).apiKeys.findById(keyId))?.limits).toEqual(all);

    await ok('keys', 'limits', String(keyId), '--rpm', '60', '--clear', 'tpm', '--clear', 'rpd');
    const kept = { ...all, tpm: undefined, rpd: undefined };
    delete kept.tpm;
    delete kept.rpd;
    expect((await (await store()).apiKeys.findById(keyId))?.limits).toEqual({ ...kept, rpm: 60 });

    const shown = JSON.parse(await ok('keys', 'limits', String(keyId), '--json')) as {
      key: unknown;
    };
    expect(shown.key).toEqual({ ...kept, rpm: 60 });

    await ok('keys', 'limits', String(keyId), '--clear', 'all');
    expect((await (await store()).apiKeys.findById(keyId))?.limits).toEqual({});

    const events = (await (await store()).audit.list({ limit: 10 })).reverse();
    expect(events.map((event) => [event.action, event.actorLabel, event.targetId])).toEqual([
      ['api_key.update', 'cli', String(keyId)],
      ['api_key.update', 'cli', String(keyId)],
      ['api_key.update', 'cli', String(keyId)],
    ]);
    expect(events[0]?.before).toMatchObject({ limits: {} });
    expect(events[0]?.after).toMatchObject({
      limits: { rpm: 30, dailySpend: '5.000000', dailySpendMicros: 5_000_000 },
    });
    // Showing is not a change: nothing more was audited.
    await ok('keys', 'limits', String(keyId));
    expect(await (await store()).audit.list({ limit: 10 })).toHaveLength(3);
  });

  it('refuses bad values and contradictions with exit 2, changing nothing', async () => {
    const id = String(keyId);
    expect(await refused('keys', 'limits', id, '--rpm', '0')).toContain(
      "--rpm: '0' is not a whole number from 1 to 1000000000000; to remove the limit use --clear rpm",
    );
    expect(await refused('keys', 'limits', id, '--tpm', '1.5')).toContain('--tpm:');
    expect(await refused('keys', 'limits', id, '--rpd', '-3')).toContain('--rpd:');
    expect(await refused('keys', 'limits', id, '--daily-spend', 'lots')).toContain(
      '--daily-spend:',
    );
    expect(await refused('keys', 'limits', id, '--daily-spend', '0')).toContain(
      'must be more than 0',
    );
    expect(await refused('keys', 'limits', id, '--token-quota-period', 'year')).toContain(
      "'year' is not a period; use lifetime or month",
    );
    expect(await refused('keys', 'limits', id, '--clear', 'rpx')).toContain(
      "--clear: 'rpx' is not a limit",
    );
    expect(await refused('keys', 'limits', id, '--rpm', '5', '--clear', 'rpm')).toContain(
      'contradict',
    );
    expect(await refused('keys', 'limits', '--rpm', '5')).toContain('name the key');
    expect(await refused('keys', 'limits', 'nobody')).toContain(
      "no API key has the id, prefix or name 'nobody'",
    );
    expect((await (await store()).apiKeys.findById(keyId))?.limits).toEqual({});
    expect(await (await store()).audit.list({ limit: 10 })).toHaveLength(0);
  });
});

describe('switchyard users limits', () => {
  it('sets an account’s default limits, which its keys inherit', async () => {
    const output = await ok(
      'users',
      'limits',
      '--user',
      'alice',
      '--rpm',
      '60',
      '--token-quota',
      '1000000',
      '--token-quota-period',
      'month',
    );
    expect(output).toContain(
      'New default limits of alice (user, id 1), for its keys that set none of their own:',
    );
    expect(output).toMatch(/LIMIT\s+ACCOUNT\s+GATEWAY\s+APPLIES/);
    expect(output).toMatch(/\nrpm\s+60\s+600\s+60\n/);
    const account = await (await store()).accounts.findByUsername('alice');
    expect(account?.defaultLimits).toEqual({
      rpm: 60,
      tokenQuota: 1_000_000,
      tokenQuotaPeriod: 'month',
    });
    const [event] = await (await store()).audit.list({ limit: 1 });
    expect(event).toMatchObject({
      action: 'account.update',
      actorLabel: 'cli',
      actorAccountId: null,
      targetType: 'account',
      targetId: String(account?.id),
      before: { defaultLimits: {} },
      after: { defaultLimits: { rpm: 60, tokenQuota: 1_000_000, tokenQuotaPeriod: 'month' } },
    });

    // The key shows the account's rpm as the one that applies.
    const keyOutput = await ok('keys', 'limits', String(keyId));
    expect(keyOutput).toMatch(/\nrpm\s+-\s+60\s+600\s+60\n/);
    await ok('keys', 'limits', String(keyId), '--rpm', '10');
    expect(await ok('keys', 'limits', String(keyId))).toMatch(/\nrpm\s+10\s+60\s+600\s+10\n/);

    // By id too; and cleared again.
    await ok('users', 'limits', '--user', String(account?.id), '--clear', 'all');
    expect((await (await store()).accounts.findByUsername('alice'))?.defaultLimits).toEqual({});
  });

  it('needs an existing account', async () => {
    expect(await refused('users', 'limits', '--rpm', '5')).toContain('--user is required');
    expect(await refused('users', 'limits', '--user', 'bob', '--rpm', '5')).toContain(
      "--user: no account is named 'bob'",
    );
  });
});
