import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect } from 'vitest';
import type { NewAccount, Store } from './contract.js';
import { MoneyError } from './money-contract.js';
import type { LedgerEntryRecord } from './money-records.js';
import type { AccountRecord, UsageRecord } from './records.js';

/**
 * How the contract suites reach one implementation. Every suite uses only the `Store` interface
 * except where it says otherwise: `rawSql` exists for the one test that must break a wallet behind
 * the store's back to see `verify()` notice.
 */
export interface StoreHarness {
  name: string;
  /** A migrated store; it may share its database with earlier ones (PostgreSQL) or not (SQLite). */
  open(): Promise<Store>;
  /**
   * A second store on the same database as `store`, as a second gateway instance would open it;
   * absent where one process cannot usefully hold two (SQLite's busy wait blocks the event loop).
   */
  openPeer?: (store: Store) => Promise<Store>;
  /** Runs one statement on `store`'s database outside the store. */
  rawSql(store: Store, statement: string): Promise<void>;
}

/** What a test of the extended suites works with; read its fields inside tests and hooks only. */
export interface StoreFixture {
  readonly store: Store;
  readonly tag: string;
  /** `base` made unique to this test, so names never collide in a shared database. */
  unique(base: string): string;
  /** A store on the same database (closed after the test), or the same store if there is none. */
  peer(): Promise<Store>;
  readonly hasPeer: boolean;
  createAccount(
    base: string,
    extra?: Partial<Omit<NewAccount, 'username'>>,
  ): Promise<AccountRecord>;
  /** An account whose wallet holds `balance` (minted with one top-up). */
  fundedAccount(base: string, balance: number, role?: NewAccount['role']): Promise<AccountRecord>;
  /** A usage record of this test for `accountId`. */
  usage(accountId: number, requestId: string, overrides?: Partial<UsageRecord>): UsageRecord;
}

/** Registers per-test hooks that open a fresh store (and peers) and close them afterwards. */
export function useStoreFixture(harness: StoreHarness): StoreFixture {
  let store: Store | undefined;
  let tag = '';
  const peers: Store[] = [];
  let closedByTest = false;

  beforeEach(async () => {
    store = await harness.open();
    tag = randomUUID().slice(0, 8);
    closedByTest = false;
  });

  afterEach(async () => {
    for (const peer of peers.splice(0)) await peer.close();
    if (store && !closedByTest) await store.close();
    store = undefined;
  });

  const current = (): Store => {
    if (!store) throw new Error('The store is only open inside a test');
    return store;
  };
  const unique = (base: string) => `${base}-${tag}`;

  const fixture: StoreFixture = {
    get store() {
      return current();
    },
    get tag() {
      return tag;
    },
    unique,
    get hasPeer() {
      return harness.openPeer !== undefined;
    },
    async peer() {
      if (!harness.openPeer) return current();
      const peer = await harness.openPeer(current());
      peers.push(peer);
      return peer;
    },
    async createAccount(base, extra = {}) {
      return current().accounts.create({ role: 'user', ...extra, username: unique(base) });
    },
    async fundedAccount(base, balance, role = 'user') {
      const account = await fixture.createAccount(base, { role });
      await topUpForTest(current(), account.id, balance);
      return account;
    },
    usage(accountId, requestId, overrides = {}) {
      return {
        requestId: unique(requestId),
        accountId,
        apiKeyId: 7,
        modelId: unique('model'),
        deploymentId: 3,
        promptTokens: 100,
        completionTokens: 20,
        cachedTokens: 0,
        cost: 0,
        status: 200,
        errorCode: null,
        latencyMilliseconds: 250,
        firstTokenMilliseconds: 80,
        stream: false,
        createdAt: 1_700_000_000_000,
        ...overrides,
      };
    },
  };
  return fixture;
}

/** Every ledger entry of an account, newest first, read page by page. */
/** Puts `balance` into an account's wallet with a plain top-up. */
export async function topUpForTest(
  store: Store,
  accountId: number,
  balance: number,
): Promise<void> {
  if (balance <= 0) return;
  await store.wallets.move({
    accountId,
    amount: balance,
    kind: 'topup',
    actorAccountId: null,
    reason: 'test funds',
  });
}

export async function wholeLedger(store: Store, accountId: number): Promise<LedgerEntryRecord[]> {
  const entries: LedgerEntryRecord[] = [];
  for (;;) {
    const page = await store.wallets.ledger(accountId, {
      limit: 500,
      ...(entries.length > 0 ? { beforeId: entries[entries.length - 1]?.id } : {}),
    });
    entries.push(...page);
    if (page.length < 500) return entries;
  }
}

/**
 * The money invariants for these accounts: `verify()` finds nothing wrong with them, the balance is
 * the sum of the ledger and the newest entry's `balanceAfter`, `held` is the sum of the open holds,
 * and nothing is negative or held beyond the balance.
 */
export async function expectConsistent(store: Store, accountIds: readonly number[]): Promise<void> {
  const mismatches = (await store.wallets.verify()).filter((mismatch) =>
    accountIds.includes(mismatch.accountId),
  );
  expect(mismatches).toEqual([]);
  for (const accountId of accountIds) {
    const wallet = await store.wallets.find(accountId);
    if (!wallet) throw new Error(`Account ${accountId} has no wallet`);
    const ledger = await wholeLedger(store, accountId);
    const holds = await store.wallets.openHolds(accountId);
    expect(ledger.reduce((sum, entry) => sum + entry.amount, 0)).toBe(wallet.balance);
    expect(ledger[0]?.balanceAfter ?? 0).toBe(wallet.balance);
    expect(holds.reduce((sum, hold) => sum + hold.amount, 0)).toBe(wallet.held);
    expect(wallet.held).toBeGreaterThanOrEqual(0);
    expect(wallet.balance).toBeGreaterThanOrEqual(wallet.held);
  }
}

/** Asserts `action` rejects with a `MoneyError` for `reason`. */
export async function expectMoneyError(
  action: Promise<unknown>,
  reason: MoneyError['reason'],
): Promise<void> {
  const error: unknown = await action.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MoneyError);
  expect((error as MoneyError).reason).toBe(reason);
}

/** A time far enough ahead that no hold or session of the suites expires while it runs. */
export const farFuture = 4_102_444_800_000;
