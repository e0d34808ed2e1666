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
