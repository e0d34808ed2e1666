import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeWithPostgres,
  testDatabaseUrl,
  uniqueSchemaName,
} from '../../../test/support/services.js';
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
import type { DatabaseSchema } from '../database-schema.js';
import { openPostgresStore } from './open-postgres-store.js';
import { postgresPlaceHold } from './postgres-holds.js';

describeWithPostgres('PostgreSQL store', () => {
  const url = testDatabaseUrl as string;
  const schema = uniqueSchemaName('store_contract');

  beforeAll(async () => {
    // Migrate once up front; every test then opens its own pool on the same schema.
    const store = await openPostgresStore(url, { schema });
    await store.migrate();
    await store.close();
  });

  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });

  /** Every store shares the schema; a peer is simply another pool, as another instance has. */
  const openOne = async (): Promise<Store> => {
    const store = await openPostgresStore(url, { schema, maxConnections: 4 });
    await store.migrate();
    return store;
  };
  const harness: StoreHarness = {
    name: 'postgres',
    open: openOne,
    openPeer: openOne,
    async rawSql(_store, statement) {
      const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    },
  };

  storeContractSuite('postgres', openOne);
  accountKeyContractSuite(harness);
  walletContractSuite(harness);
  settlementContractSuite(harness);
  moneyConcurrencySuite(harness);
  rechargeCodeContractSuite(harness);
  auditSessionContractSuite(harness);
  usageQueryContractSuite(harness);

  it('migrates a new schema while another schema of the database holds the tables', async () => {
    // The suite's schema, migrated in beforeAll, is the other one.
    const fresh = uniqueSchemaName('store_fresh');
    const store = await openPostgresStore(url, { schema: fresh });
    try {
      await store.migrate();
      const account = await store.accounts.create({ username: 'first', role: 'admin' });
      expect(await store.accounts.list()).toEqual([account]);
      await store.migrate();
    } finally {
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop schema if exists ${fresh} cascade`);
      await client.end();
    }
  });

  it('returns money and times as numbers, not the strings pg gives for bigint', async () => {
    const store = await openPostgresStore(url, { schema });
    try {
      const account = await store.accounts.create({ username: `numbers-${schema}`, role: 'user' });
      expect(typeof account.id).toBe('number');
      expect(typeof account.createdAt).toBe('number');
      expect(await store.accounts.count()).toEqual(expect.any(Number));
    } finally {
      await store.close();
    }
  });
  it('places a hold in one statement, so one round trip', async () => {
    const store = await openOne();
    const statements: string[] = [];
    const database = new Kysely<DatabaseSchema>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 1 }),
      }),
      log: (event) => void statements.push(event.query.sql),
    });
    try {
      const account = await store.accounts.create({
        username: uniqueSchemaName('one_trip'),
        role: 'user',
      });
      await topUpForTest(store, account.id, 1_000);
      const placeHold = postgresPlaceHold(database, Date.now);
      const hold = (id: string) =>
        placeHold({ id, accountId: account.id, amount: 600, expiresAt: Date.now() + 60_000 });
      expect(await hold(uniqueSchemaName('hold'))).toEqual({ outcome: 'held' });
      expect(statements).toHaveLength(1);
      expect(await hold(uniqueSchemaName('hold'))).toEqual({
        outcome: 'insufficient',
        available: 400,
      });
      expect(statements).toHaveLength(2);
      expect(await store.wallets.find(account.id)).toMatchObject({ balance: 1_000, held: 600 });
    } finally {
      await database.destroy();
      await store.close();
    }
  });
});
