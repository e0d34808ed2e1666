import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeWithPostgres,
  testDatabaseUrl,
  uniqueSchemaName,
} from '../../../test/support/services.js';
import { storeContractSuite } from '../common.case.js';
import type { Store } from '../contract.js';
import { openPostgresStore } from './open-postgres-store.js';

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

  storeContractSuite('postgres', async (): Promise<Store> => {
    const store = await openPostgresStore(url, { schema, maxConnections: 4 });
    await store.migrate();
    return store;
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
});
