import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/contract.js';
import type { LedgerEntryRecord } from '../store/money-records.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite-store.js';
import { runCli } from './main.js';

// The money commands, run in-process against a SQLite file in a temporary directory, the way
// main.test.ts runs the others. The store is also opened directly, to look behind the output.

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

interface ShownWallet {
  accountId: number;
  username: string;
  status: string;
  balance: number;
  held: number;
  available: number;
}

let workingDirectory: string;
let dataDirectory: string;
let direct: Store | undefined;

beforeEach(() => {
  workingDirectory = mkdtempSync(path.join(tmpdir(), 'switchyard-wallet-cli-'));
  dataDirectory = path.join(workingDirectory, 'data');
  direct = undefined;
});

afterEach(async () => {
  await direct?.close();
  rmSync(workingDirectory, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<Outcome> {
  const stdout = new Collector();
  const stderr = new Collector();
  const code = await runCli(argv, {
    environment: { SWITCHYARD_DATA_DIR: dataDirectory },
    workingDirectory,
    stdout,
    stderr,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Runs a command that must succeed and returns its standard output. */
async function ok(...argv: string[]): Promise<string> {
  const outcome = await cli(...argv);
  expect(outcome.stderr, `switchyard ${argv.join(' ')}`).toBe('');
  expect(outcome.code, `switchyard ${argv.join(' ')}`).toBe(0);
  return outcome.stdout;
}

/** Runs a command that must be refused with this exit code, and returns its error output. */
async function refused(code: number, ...argv: string[]): Promise<string> {
  const outcome = await cli(...argv);
  expect(outcome.code, `switchyard ${argv.join(' ')}\n${outcome.stderr}`).toBe(code);
  expect(outcome.stdout, `switchyard ${argv.join(' ')}`).toBe('');
  return outcome.stderr;
}

async function wallet(user: string): Promise<ShownWallet> {
  return JSON.parse(await ok('wallet', 'show', '--user', user, '--json')) as ShownWallet;
}

async function ledger(user: string): Promise<LedgerEntryRecord[]> {
  return JSON.parse(
    await ok('wallet', 'ledger', '--user', user, '--json', '--limit', '1000'),
  ) as LedgerEntryRecord[];
}

const databaseFile = (): string => path.join(dataDirectory, 'switchyard.db');

/** The same database the CLI uses, opened beside it (WAL lets both in). */
async function store(): Promise<Store> {
  if (!direct) {
    direct = openSqliteStore(databaseFile());
    await direct.migrate();
  }
  return direct;
}

/** Accounts are made through the store: `users create` would spend most of a second hashing. */
async function createAccount(
  username: string,
  options: { role?: 'user' | 'agent'; agent?: string } = {},
): Promise<void> {
  const accounts = (await store()).accounts;
  const parent =
    options.agent === undefined ? undefined : await accounts.findByUsername(options.agent);
  await accounts.create({
    username,
    role: options.role ?? 'user',
    parentId: parent?.id ?? null,
  });
}

describe('switchyard wallet show / topup', () => {
  beforeEach(() => createAccount('alice'));

  it('shows an empty active wallet, as text and as JSON', async () => {
    const text = await ok('wallet', 'show', '--user', 'alice');
    expect(text).toContain('Wallet of alice (user, id 1)');
    expect(text).toMatch(/status\s+active/);
    expect(text).toMatch(/balance\s+0\.000000/);
    expect(text).toMatch(/held\s+0\.000000/);
    expect(text).toMatch(/available\s+0\.000000/);
    expect(await wallet('alice')).toMatchObject({
      accountId: 1,
      username: 'alice',
      status: 'active',
      balance: 0,
      held: 0,
      available: 0,
    });
    // An account can be named by its id too.
    expect((await wallet('1')).username).toBe('alice');
  });

  it('tops up exactly, writes the ledger and the audit log', async () => {
    const output = await ok(
      ...['wallet', 'topup', '--user', 'alice', '--amount', '10.50', '--reason', 'invoice 42'],
    );
    expect(output).toContain(
      "Topped up alice's wallet by 10.500000: balance 0.000000 → 10.500000, available 10.500000.",
    );
    await ok('wallet', 'topup', '--user', 'alice', '--amount', '0.1');
    expect(await wallet('alice')).toMatchObject({ balance: 10_600_000, available: 10_600_000 });

    const entries = await ledger('alice');
    expect(
      entries.map(({ kind, amount, balanceAfter, reason, actorAccountId }) => ({
        kind,
        amount,
        balanceAfter,
        reason,
        actorAccountId,
      })),
    ).toEqual([
      {
        kind: 'topup',
        amount: 100_000,
        balanceAfter: 10_600_000,
        reason: null,
        actorAccountId: null,
      },
      {
        kind: 'topup',
        amount: 10_500_000,
        balanceAfter: 10_500_000,
        reason: 'invoice 42',
        actorAccountId: null,
      },
    ]);

    const events = await (await store()).audit.list();
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({
      actorAccountId: null,
      actorLabel: 'cli',
      action: 'wallet.topup',
      targetType: 'wallet',
      targetId: '1',
      before: { accountId: 1, balance: 0, held: 0, status: 'active' },
      after: { accountId: 1, balance: 10_500_000, held: 0, status: 'active' },
    });
  });

  it('refuses bad amounts, unknown accounts and missing options, changing nothing', async () => {
    for (const amount of ['abc', '-1', '1.1234567', '1,5', '']) {
      const stderr = await refused(2, 'wallet', 'topup', '--user', 'alice', `--amount=${amount}`);
      expect(stderr, amount).toMatch(
        amount === '' ? /--amount is required/ : /--amount: '.*' is not an amount of money/,
      );
      expect(stderr, amount).toContain('Usage: switchyard wallet topup');
    }
    expect(await refused(2, 'wallet', 'topup', '--user', 'alice', '--amount', '0')).toContain(
      '--amount must be more than 0',
    );
    expect(
      await refused(2, 'wallet', 'topup', '--user', 'alice', '--amount', '999999999999'),
    ).toContain("--amount: '999999999999' is more than 9007199254.740991");
    expect(await refused(2, 'wallet', 'topup', '--user', 'nobody', '--amount', '1')).toContain(
      "--user: no account is named 'nobody' (see: switchyard users list)",
    );
    expect(await refused(2, 'wallet', 'topup', '--amount', '1')).toContain('--user is required');
    expect(await refused(2, 'wallet', 'show', '--user', 'nobody')).toContain(
      "no account is named 'nobody'",
    );
    const control = await refused(
      2,
      ...['wallet', 'topup', '--user', 'alice', '--amount', '1', '--reason', 'two\nlines'],
    );
    expect(control).toContain('--reason: use printable text on one line');

    expect(await wallet('alice')).toMatchObject({ balance: 0 });
    expect(await ledger('alice')).toEqual([]);
    expect(await (await store()).audit.list()).toEqual([]);
  });

  it('refuses a top-up that would take the balance past what is exact', async () => {
    await ok('wallet', 'topup', '--user', 'alice', '--amount', '9000000000');
    const stderr = await refused(2, 'wallet', 'topup', '--user', 'alice', '--amount', '7200000');
    expect(stderr).toContain("alice's balance would be more than 9007199254.740991");
    expect((await wallet('alice')).balance).toBe(9_000_000_000_000_000);
  });

  it('shows what running requests hold apart from what is available', async () => {
    await ok('wallet', 'topup', '--user', 'alice', '--amount', '3');
    const beside = await store();
    expect(
      await beside.wallets.placeHold({
        id: 'req_held',
        accountId: 1,
        amount: 1_250_000,
        expiresAt: Date.now() + 60_000,
      }),
    ).toEqual({ outcome: 'held' });
    const text = await ok('wallet', 'show', '--user', 'alice');
    expect(text).toMatch(/balance\s+3\.000000/);
    expect(text).toMatch(/held\s+1\.250000/);
    expect(text).toMatch(/available\s+1\.750000/);
  });
});

describe('switchyard wallet adjust', () => {
  beforeEach(async () => {
    await createAccount('alice');
    await ok('wallet', 'topup', '--user', 'alice', '--amount', '10.50');
  });

  it('takes money out and puts it back, with the reason in the ledger and the audit log', async () => {
    const debit = await ok(
      ...['wallet', 'adjust', '--user', 'alice', '--amount=-2.00', '--reason', 'refund reversed'],
    );
    expect(debit).toContain(
      "Adjusted alice's wallet by -2.000000 (refund reversed): balance 10.500000 → 8.500000",
    );
    const credit = await ok(
      ...['wallet', 'adjust', '--user', 'alice', '--amount', '+0.25', '--reason', 'goodwill'],
    );
    expect(credit).toContain('by +0.250000 (goodwill): balance 8.500000 → 8.750000');
    expect((await wallet('alice')).balance).toBe(8_750_000);

    const [latest, previous] = await ledger('alice');
    expect(latest).toMatchObject({ kind: 'adjust', amount: 250_000, reason: 'goodwill' });
    expect(previous).toMatchObject({
      kind: 'adjust',
      amount: -2_000_000,
      balanceAfter: 8_500_000,
      reason: 'refund reversed',
    });
    const [event] = await (await store()).audit.list({ limit: 1 });
    expect(event).toMatchObject({
      actorLabel: 'cli',
      action: 'wallet.adjust',
      before: { balance: 8_500_000 },
      after: { balance: 8_750_000 },
    });
  });

  it('takes a negative amount written as a separate word, as a person writes it', async () => {
    await ok('wallet', 'adjust', '--user', 'alice', '--amount', '-2.00', '--reason', 'x');
    expect((await wallet('alice')).balance).toBe(8_500_000);
  });

  it('requires a reason and a non-zero amount', async () => {
    expect(await refused(2, 'wallet', 'adjust', '--user', 'alice', '--amount=-1')).toContain(
      '--reason is required',
    );
    expect(
      await refused(2, 'wallet', 'adjust', '--user', 'alice', '--amount=-1', '--reason', '  '),
    ).toContain('--reason is required');
    expect(
      await refused(2, 'wallet', 'adjust', '--user', 'alice', '--amount=0', '--reason', 'x'),
    ).toContain('--amount must not be 0');
    expect(
      await refused(2, 'wallet', 'adjust', '--user', 'alice', '--amount=--1', '--reason', 'x'),
    ).toContain("--amount: '--1' is not an amount of money");
    expect(await ledger('alice')).toHaveLength(1);
  });

  it('never takes a wallet below zero or below what running requests hold', async () => {
    const over = await cli(
      ...['wallet', 'adjust', '--user', 'alice', '--amount=-10.500001', '--reason', 'too much'],
    );
    expect(over.code).toBe(1);
    expect(over.stdout).toBe('');
    expect(over.stderr).toContain(
      "Refused: alice's wallet has 10.500000 available (balance 10.500000, held by running requests 0.000000); 10.500001 is needed. Nothing was changed.",
    );

    await (
      await store()
    ).wallets.placeHold({
      id: 'req_running',
      accountId: 1,
      amount: 500_000,
      expiresAt: Date.now() + 60_000,
    });
    const held = await cli(
      ...['wallet', 'adjust', '--user', 'alice', '--amount=-10.1', '--reason', 'into the hold'],
    );
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('has 10.000000 available');
    // Exactly what is available can be taken.
    await ok('wallet', 'adjust', '--user', 'alice', '--amount=-10', '--reason', 'all of it');
    expect(await wallet('alice')).toMatchObject({ balance: 500_000, held: 500_000, available: 0 });
    expect((await (await store()).audit.list()).map((event) => event.action)).toEqual([
      'wallet.adjust',
      'wallet.topup',
    ]);
  });
});

describe('switchyard wallet transfer', () => {
  beforeEach(async () => {
    await createAccount('reseller', { role: 'agent' });
    await createAccount('bob', { agent: 'reseller' });
    await ok('wallet', 'topup', '--user', 'reseller', '--amount', '20');
  });

  it('moves credit between two wallets in both ledgers', async () => {
    const output = await ok(
      ...['wallet', 'transfer', '--from', 'reseller', '--to', 'bob', '--amount', '5'],
      ...['--reason', 'monthly allowance'],
    );
    expect(output).toContain('Transferred 5.000000 from reseller to bob.');
    expect(output).toContain('reseller: balance 20.000000 → 15.000000');
    expect(output).toContain('bob: balance 0.000000 → 5.000000');
    expect((await wallet('reseller')).balance).toBe(15_000_000);
    expect((await wallet('bob')).balance).toBe(5_000_000);
    const [out] = await ledger('reseller');
    const [into] = await ledger('bob');
    expect(out).toMatchObject({
      kind: 'transfer_out',
      amount: -5_000_000,
      reason: 'monthly allowance',
    });
    expect(into).toMatchObject({
      kind: 'transfer_in',
      amount: 5_000_000,
      reason: 'monthly allowance',
    });
    expect(out?.reference).toBe(into?.reference);

    const [event] = await (await store()).audit.list({ limit: 1 });
    expect(event).toMatchObject({
      actorLabel: 'cli',
      action: 'wallet.transfer',
      targetId: '1>2',
      before: { from: { balance: 20_000_000 }, to: { balance: 0 } },
      after: { from: { balance: 15_000_000 }, to: { balance: 5_000_000 } },
    });
    const table = await ok('wallet', 'ledger', '--user', 'bob');
    expect(table).toMatch(/transfer_in\s+\+5\.000000\s+5\.000000\s+monthly allowance/);
  });

  it('refuses a transfer past the balance, from a suspended wallet or to itself', async () => {
    const over = await cli(
      'wallet',
      'transfer',
      '--from',
      'reseller',
      '--to',
      'bob',
      '--amount',
      '20.01',
    );
    expect(over.code).toBe(1);
    expect(over.stderr).toContain("Refused: reseller's wallet has 20.000000 available");

    await ok('wallet', 'suspend', '--user', 'reseller');
    const suspended = await cli(
      'wallet',
      'transfer',
      '--from',
      'reseller',
      '--to',
      'bob',
      '--amount',
      '1',
    );
    expect(suspended.code).toBe(1);
    expect(suspended.stderr).toContain(
      "Refused: reseller's wallet is suspended; resume it first (switchyard wallet resume --user reseller)",
    );

    expect(
      await refused(2, 'wallet', 'transfer', '--from', 'bob', '--to', 'bob', '--amount', '1'),
    ).toContain("--from and --to are both 'bob'");
    expect(
      await refused(
        2,
        'wallet',
        'transfer',
        '--from',
        'reseller',
        '--to',
        'nobody',
        '--amount',
        '1',
      ),
    ).toContain("--to: no account is named 'nobody'");
    expect(await refused(2, 'wallet', 'transfer', '--from', 'reseller', '--amount', '1')).toContain(
      '--to is required',
    );
    expect((await wallet('bob')).balance).toBe(0);
    expect((await wallet('reseller')).balance).toBe(20_000_000);
  });
});

describe('switchyard wallet suspend / resume', () => {
  it('suspends and resumes once each, auditing only real changes', async () => {
    await createAccount('alice');
    expect(await ok('wallet', 'suspend', '--user', 'alice')).toContain(
      "alice's wallet is now suspended. Requests with its keys are refused (402 wallet_suspended)",
    );
    expect((await wallet('alice')).status).toBe('suspended');
    expect(await ok('wallet', 'suspend', '--user', 'alice')).toContain('was already suspended');
    // A suspended wallet can still be topped up; it just cannot be spent from.
    await ok('wallet', 'topup', '--user', 'alice', '--amount', '1');
    const held = await (
      await store()
    ).wallets.placeHold({
      id: 'req_refused',
      accountId: 1,
      amount: 1,
      expiresAt: Date.now() + 60_000,
    });
    expect(held).toEqual({ outcome: 'suspended' });

    expect(await ok('wallet', 'resume', '--user', 'alice')).toBe("alice's wallet is now active.\n");
    expect(await ok('wallet', 'resume', '--user', 'alice')).toContain('was already active');
    expect((await wallet('alice')).status).toBe('active');
    const events = await (await store()).audit.list();
    expect(events.map((event) => event.action)).toEqual([
      'wallet.resume',
      'wallet.topup',
      'wallet.suspend',
    ]);
    expect(events[2]).toMatchObject({
      before: { status: 'active' },
      after: { status: 'suspended' },
    });
  });
});

describe('switchyard wallet ledger', () => {
  beforeEach(async () => {
    await createAccount('alice');
    for (const amount of ['1', '2', '3'])
      await ok('wallet', 'topup', '--user', 'alice', '--amount', amount);
  });

  it('lists entries newest first, limited', async () => {
    const table = await ok('wallet', 'ledger', '--user', 'alice', '--limit', '2');
    expect(table).toMatch(/ID\s+TIME\s+KIND\s+AMOUNT\s+BALANCE\s+ACTOR\s+REASON/);
    const lines = table.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^3\s+\S+Z\s+topup\s+\+3\.000000\s+6\.000000/);
    expect(lines[2]).toMatch(/^2\s+\S+Z\s+topup\s+\+2\.000000\s+3\.000000/);
    expect((await ledger('alice')).map((entry) => entry.balanceAfter)).toEqual([
      6_000_000, 3_000_000, 1_000_000,
    ]);
    await createAccount('empty');
    expect(await ok('wallet', 'ledger', '--user', 'empty')).toContain('(none)');
  });

  it('refuses a bad limit', async () => {
    for (const limit of ['0', '1001', 'ten', '-1']) {
      expect(
        await refused(2, 'wallet', 'ledger', '--user', 'alice', `--limit=${limit}`),
        limit,
      ).toContain(`--limit: '${limit}' is not a whole number from 1 to 1000`);
    }
  });
});

describe('switchyard ledger verify', () => {
  beforeEach(async () => {
    await createAccount('alice');
    await createAccount('bob');
    await ok('wallet', 'topup', '--user', 'alice', '--amount', '10');
    await ok('wallet', 'topup', '--user', 'bob', '--amount', '4');
    await ok('wallet', 'adjust', '--user', 'bob', '--amount=-1', '--reason', 'correction');
  });

  it('says OK when every balance matches its ledger and every hold is open', async () => {
    await (
      await store()
    ).wallets.placeHold({
      id: 'req_open',
      accountId: 1,
      amount: 700,
      expiresAt: Date.now() + 60_000,
    });
    expect(await ok('ledger', 'verify')).toBe(
      'OK: 2 wallets, every balance equals the sum of its ledger entries and every hold is accounted for.\n',
    );
  });

  it('detects a balance changed behind the ledger, and a held amount without a hold', async () => {
    // What someone editing the database by hand would do.
    const raw = new BetterSqlite3(databaseFile());
    try {
      raw.prepare('update wallets set balance = balance + 1000000 where account_id = ?').run(2);
      raw.prepare('update wallets set held = held + 5 where account_id = ?').run(1);
    } finally {
      raw.close();
    }

    const outcome = await cli('ledger', 'verify');
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toContain(
      'MISMATCH: 2 of 2 wallets disagree with their ledger or their open holds:',
    );
    expect(outcome.stdout).toMatch(
      /ACCOUNT\s+BALANCE\s+LEDGER SUM\s+DIFFERENCE\s+HELD\s+OPEN HOLDS/,
    );
    expect(outcome.stdout).toMatch(
      /alice \(id 1\)\s+10\.000000\s+10\.000000\s+0\.000000\s+0\.000005\s+0\.000000/,
    );
    expect(outcome.stdout).toMatch(
      /bob \(id 2\)\s+4\.000000\s+3\.000000\s+1\.000000\s+0\.000000\s+0\.000000/,
    );
    expect(outcome.stdout).toContain('Nothing was repaired.');
    // Verify only reads.
    expect((await wallet('bob')).balance).toBe(4_000_000);
  });
});
