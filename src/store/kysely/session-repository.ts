import type { SessionRepository } from '../money-contract.js';
import type { Database } from './executor.js';
import { toSession } from './money-row-parsers.js';

/** Dashboard sessions over Kysely; only token hashes are stored. */
export function sessionRepository(database: Database): SessionRepository {
  return {
    async create(session) {
      await database
        .insertInto('sessions')
        .values({
          token_hash: session.tokenHash,
          account_id: session.accountId,
          csrf_token: session.csrfToken,
          expires_at: session.expiresAt,
          created_at: session.createdAt,
        })
        .execute();
    },
    async find(tokenHash) {
      const row = await database
        .selectFrom('sessions')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toSession(row);
    },
    async delete(tokenHash) {
      await database.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    },
    async deleteExpired(at) {
      const result = await database
        .deleteFrom('sessions')
        .where('expires_at', '<=', at)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
