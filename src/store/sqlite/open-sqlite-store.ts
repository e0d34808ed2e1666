import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../contract.js';
import type { DatabaseSchema } from '../database-schema.js';
import { createKyselyStore } from '../kysely/kysely-store.js';
import { sqlitePlaceHold } from './sqlite-holds.js';

/**
 * Opens (creating if needed) the embedded SQLite database. WAL lets the CLI write while the
 * gateway reads; `busy_timeout` makes a writer wait for the other instead of failing.
 */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const connection = new BetterSqlite3(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  const database = new Kysely<DatabaseSchema>({
    dialect: new SqliteDialect({ database: connection }),
  });
  const store = createKyselyStore(database, 'sqlite');
  store.wallets.placeHold = sqlitePlaceHold(connection, Date.now);
  return store;
}
