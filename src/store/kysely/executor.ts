import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseSchema } from '../database-schema.js';

export type Database = Kysely<DatabaseSchema>;
export type Executor = Database | Transaction<DatabaseSchema>;

/** Every change that a running gateway caches bumps this, in the same transaction. */
export async function bumpVersion(executor: Executor): Promise<void> {
  await executor
    .updateTable('catalog_state')
    .set({ version: sql<number>`version + 1` })
    .where('id', '=', 1)
    .execute();
}

/**
 * A transaction that writes. SQLite's plain BEGIN takes the write lock only at the first write,
 * and a transaction that read first can then fail with SQLITE_BUSY when another process (the CLI)
 * wrote meanwhile; BEGIN IMMEDIATE takes the lock up front, so it waits its turn instead.
 */
export async function writeTransaction<T>(
  database: Database,
  dialect: 'sqlite' | 'postgres',
  work: (transaction: Executor) => Promise<T>,
): Promise<T> {
  if (dialect === 'postgres') return database.transaction().execute(work);
  return database.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}
