import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountKeyContractSuite } from '../account-key.case.js';
import { auditSessionContractSuite } from '../audit-session.case.js';
import { storeContractSuite } from '../common.case.js';
import type { Store } from '../contract.js';
import { moneyConcurrencySuite } from '../money-concurrency.case.js';
import { rechargeCodeContractSuite } from '../recharge-code.case.js';
import { settlementContractSuite } from '../settlement.case.js';
import { topUpForTest, type StoreHarness } from '../store-fixture.case.js';
import { usageQueryContractSuite } from '../usage-query.case.js';
import { walletContractSuite } from '../wallet.case.js';
import { openSqliteStore } from './open-sqlite-store.js';

const directories: string[] = [];

function temporaryDatabaseFile(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-'));
  directories.push(directory);
  return path.join(directory, 'data', 'switchyard.db');
}

afterAll(() => {
  for (const directory of directories) fs.rmSync(directory, { recursive: true, force: true });
});

/** The file each store of the contract suites was opened on. */
const files = new WeakMap<Store, string>();

const harness: StoreHarness = {
  name: 'sqlite',
  async open() {
    const file = temporaryDatabaseFile();
    const store = openSqliteStore(file);
    files.set(store, file);
    await store.migrate();
    return store;
  },
  // No `openPeer`: two handles in one process cannot share a file under load, because SQLite's
  // busy wait blocks the event loop the other handle needs to finish its transaction.
  async rawSql(store, statement) {
    const file = files.get(store);
    if (file === undefined) throw new Error('The store was not opened by this harness');
    const connection = new BetterSqlite3(file);
    try {
      connection.exec(statement);
    } finally {
      connection.close();
    }
  },
};

storeContractSuite('sqlite', () => harness.open());
accountKeyContractSuite(harness);
walletContractSuite(harness);
settlementContractSuite(harness);
moneyConcurrencySuite(harness);
rechargeCodeContractSuite(harness);
auditSessionContractSuite(harness);
usageQueryContractSuite(harness);

describe('SQLite store on a file', () => {
  let file: string;
  const opened: Store[] = [];

  async function openMigrated(): Promise<Store> {
    const store = openSqliteStore(file);
    opened.push(store);
    await store.migrate();
    return store;
  }

  beforeEach(() => {
    file = temporaryDatabaseFile();
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  it('names the migrations a new file lacks, and none once migrated', async () => {
    const store = openSqliteStore(file);
    opened.push(store);
    const pending = await store.pendingMigrations();
    expect(pending[0]).toBe('0001_initial');
    expect(pending).toContain('0005_usage_daily');
    await store.migrate();
    expect(await store.pendingMigrations()).toEqual([]);
  });

  it('creates the missing directory and uses WAL journaling', async () => {
    await openMigrated();
    expect(fs.existsSync(file)).toBe(true);
    const reader = new BetterSqlite3(file, { readonly: true });
    try {
      expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      reader.close();
    }
  });

  it('lets two handles on one file see each other’s writes, as the CLI and a gateway do', async () => {
    const gateway = await openMigrated();
    const cli = await openMigrated();
    const versionBefore = await gateway.catalog.version();

    const account = await cli.accounts.create({ username: 'shared', role: 'user' });
    const key = await cli.apiKeys.create({
      accountId: account.id,
      name: 'cli-key',
      keyHash: 'shared-hash',
      keyPrefix: 'sk-shared',
    });
    expect(await gateway.apiKeys.findByHash('shared-hash')).toEqual(key);
    expect(await gateway.catalog.version()).toBeGreaterThan(versionBefore);

    await gateway.apiKeys.setStatus(key.id, 'disabled');
    expect((await cli.apiKeys.findById(key.id))?.status).toBe('disabled');
    expect(await cli.catalog.version()).toBe(await gateway.catalog.version());
  });

  it('migrates safely when two handles migrate a new file at the same time', async () => {
    const first = openSqliteStore(file);
    const second = openSqliteStore(file);
    opened.push(first, second);
    await Promise.all([first.migrate(), second.migrate()]);
    await first.accounts.create({ username: 'after-race', role: 'admin' });
    expect((await second.accounts.findByUsername('after-race'))?.role).toBe('admin');
  });

  it('keeps the data across a close and reopen', async () => {
    const store = await openMigrated();
    await store.catalog.upsertModel(
      {
        id: 'persisted',
        kind: 'chat',
        prices: { input: 1, output: 2, cachedInput: 3, perRequest: 4 },
      },
      { replace: false },
    );
    await store.close();
    opened.splice(opened.indexOf(store), 1);
    const reopened = await openMigrated();
    expect((await reopened.catalog.findModel('persisted'))?.prices).toEqual({
      input: 1,
      output: 2,
      cachedInput: 3,
      perRequest: 4,
    });
  });
  it('places holds asked for together in one transaction, each on its own', async () => {
    const store = await openMigrated();
    const account = await store.accounts.create({ username: 'group-commit', role: 'user' });
    await topUpForTest(store, account.id, 1_000);
    const far = Date.now() + 3_600_000;
    const hold = (id: string, amount: number) =>
      store.wallets.placeHold({ id, accountId: account.id, amount, expiresAt: far });
    await hold('taken', 100);
    // Each commit appends every page it changed to the WAL: one commit for the whole group
    // writes the wallet's page once, where a commit per hold would write it again each time.
    const checkpoint = new BetterSqlite3(file);
    checkpoint.pragma('wal_checkpoint(TRUNCATE)');
    checkpoint.close();
    // One turn of the event loop: a duplicate id fails at the insert, a fractional amount before
    // the database; the others are placed in order, and the wallet runs out on the fourth.
    const results = await Promise.allSettled([
      hold('first', 300),
      hold('taken', 100),
      hold('second', 500),
      hold('fractional', 1.5),
      hold('third', 200),
      hold('unknown-wallet', 1).then(() =>
        store.wallets.placeHold({ id: 'none', accountId: 999_999, amount: 1, expiresAt: far }),
      ),
    ]);
    const walFrames = (fs.statSync(`${file}-wal`).size - 32) / (4096 + 24);
    expect(walFrames).toBeGreaterThan(0);
    // The group: the wallet, the holds table and its two indexes, plus the lone last hold.
    expect(walFrames).toBeLessThanOrEqual(8);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const values = results.map((result) =>
      result.status === 'fulfilled' ? result.value : undefined,
    );
    expect(values[0]).toEqual({ outcome: 'held' });
    expect(values[2]).toEqual({ outcome: 'held' });
    expect(values[4]).toEqual({ outcome: 'insufficient', available: 100 });
    expect(values[5]).toEqual({ outcome: 'no_wallet' });
    const held = (await store.wallets.openHolds(account.id)).map((record) => record.id).sort();
    expect(held).toEqual(['first', 'second', 'taken', 'unknown-wallet']);
    expect(await store.wallets.find(account.id)).toMatchObject({ balance: 1_000, held: 901 });
  });
});
