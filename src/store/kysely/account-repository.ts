import type { AccountRepository } from '../contract.js';
import type { Database } from './executor.js';
import { toAccount } from './row-parsers.js';

/** Accounts over Kysely. */
export function accountRepository(database: Database, now: () => number): AccountRepository {
  return {
    async create(input) {
      const row = await database
        .insertInto('accounts')
        .values({
          username: input.username,
          email: input.email ?? null,
          role: input.role,
          parent_id: input.parentId ?? null,
          password_hash: input.passwordHash ?? null,
          status: 'active',
          created_at: now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAccount(row);
    },
    async findById(id) {
      const row = await database
        .selectFrom('accounts')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toAccount(row);
    },
    async findByUsername(username) {
      const row = await database
        .selectFrom('accounts')
        .selectAll()
        .where('username', '=', username)
        .executeTakeFirst();
      return row && toAccount(row);
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
