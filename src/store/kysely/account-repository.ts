import type { AccountRepository } from '../contract.js';
import { bumpVersion, type Database } from './executor.js';
import { toAccount } from './row-parsers.js';

/** Accounts over Kysely. */
export function accountRepository(database: Database, now: () => number): AccountRepository {
  async function findById(id: number) {
    const row = await database
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  return {
    async create(input) {
      // Every account has a wallet from its first moment, so money code never meets one without.
      return database.transaction().execute(async (transaction) => {
        const createdAt = now();
        const row = await transaction
          .insertInto('accounts')
          .values({
            username: input.username,
            email: input.email ?? null,
            role: input.role,
            parent_id: input.parentId ?? null,
            password_hash: input.passwordHash ?? null,
            status: 'active',
            created_at: createdAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await transaction
          .insertInto('wallets')
          .values({
            account_id: row.id,
            balance: 0,
            held: 0,
            status: 'active',
            updated_at: createdAt,
          })
          .execute();
        return toAccount(row);
      });
    },
    async update(id, patch) {
      const changes = {
        ...(patch.email !== undefined ? { email: patch.email } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
        ...(patch.defaultLimits !== undefined
          ? { default_limits: JSON.stringify(patch.defaultLimits) }
          : {}),
      };
      if (Object.keys(changes).length > 0) {
        await database.transaction().execute(async (transaction) => {
          await transaction.updateTable('accounts').set(changes).where('id', '=', id).execute();
          // Status and limits shape every key of the account: cached keys must be reloaded.
          if (patch.status !== undefined || patch.defaultLimits !== undefined) {
            await bumpVersion(transaction);
          }
        });
      }
      return findById(id);
    },
    findById,
    async findByUsername(username) {
      const row = await database
        .selectFrom('accounts')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      return row && toAccount(row);
    },
    async listChildren(parentId) {
      const rows = await database
        .selectFrom('accounts')
        .selectAll()
        .where('parent_id', '=', parentId)
        .orderBy('id')
        .execute();
      return rows.map(toAccount);
    },
    async list() {
      const rows = await database.selectFrom('accounts').selectAll().orderBy('id').execute();
      return rows.map(toAccount);
    },
    async count() {
      const row = await database
        .selectFrom('accounts')
        .select((expression) => expression.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}
