import { Migrator, sql } from 'kysely';
import type { Store } from '../contract.js';
import { migrationProvider, type Dialect } from '../migrations.js';
import { accountRepository } from './account-repository.js';
import { apiKeyRepository } from './api-key-repository.js';
import { catalogRepository } from './catalog-repository.js';
import type { Database } from './executor.js';
import { auditRepository } from './audit-repository.js';
import { rechargeCodeRepository } from './recharge-code-repository.js';
import { sessionRepository } from './session-repository.js';
import { usageRepository } from './usage-repository.js';
import { walletRepository } from './wallet-repository.js';

/** Two first starts may race to create the schema; the loser's transaction rolls back and retries. */
const maximumMigrationAttempts = 10;

/** The one implementation of the storage contract; dialects differ only in how they connect. */
export function createKyselyStore(
  database: Database,
  dialect: Dialect,
  options: { now?: () => number; onClose?: () => Promise<void> } = {},
): Store {
  const now = options.now ?? Date.now;

  async function createMigrator(): Promise<Migrator> {
    // Kysely's migrator takes its own tables in any schema of the database for present unless
    // told its schema: beside another Switchyard schema (tests, staging) it would skip creating
    // them in ours and then fail to find them.
    const migrationTableSchema =
      dialect === 'postgres'
        ? (await sql<{ name: string | null }>`select current_schema() as name`.execute(database))
            .rows[0]?.name
        : undefined;
    return new Migrator({
      db: database,
      provider: migrationProvider(dialect),
      ...(migrationTableSchema ? { migrationTableSchema } : {}),
    });
  }

  return {
    dialect,
    accounts: accountRepository(database, now),
    apiKeys: apiKeyRepository(database, now),
    catalog: catalogRepository(database, now),
    usage: usageRepository(database),
    wallets: walletRepository(database, dialect, now),
    rechargeCodes: rechargeCodeRepository(database, dialect, now),
    audit: auditRepository(database, now),
    sessions: sessionRepository(database),
    async migrate() {
      const migrator = await createMigrator();
      // Two processes starting on a fresh database (the gateway and a CLI command) can both see
      // a migration as pending; the loser's transaction fails and rolls back, and a second look
      // finds the migration applied. A migration that is itself broken fails every attempt.
      for (let attempt = 1; ; attempt++) {
        const { error, results } = await migrator.migrateToLatest();
        if (!error) return;
        if (attempt < maximumMigrationAttempts) {
          // Let the winner finish its migrations before looking again.
          await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
          continue;
        }
        const failed = results?.find((result) => result.status === 'Error')?.migrationName;
        throw new Error(
          `Database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
          { cause: error },
        );
      }
    },
    async pendingMigrations() {
      const migrations = await (await createMigrator()).getMigrations();
      return migrations
        .filter((migration) => migration.executedAt === undefined)
        .map((migration) => migration.name);
    },
    async ping() {
      try {
        await sql`select 1`.execute(database);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await database.destroy();
      await options.onClose?.();
    },
  };
}
