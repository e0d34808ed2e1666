import path from 'node:path';
import type { Store } from './contract.js';
import { openPostgresStore } from './postgres/open-postgres-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';

/** Where the database is: a `sqlite:` file (default `<dataDirectory>/switchyard.db`) or PostgreSQL. */
export function resolveDatabaseUrl(databaseUrl: string | undefined, dataDirectory: string): string {
  return databaseUrl ?? `sqlite:${path.join(dataDirectory, 'switchyard.db')}`;
}

/** Opens the store a database URL names. */
export async function openStore(
  databaseUrl: string,
  options: { onIdleError?: (error: Error) => void } = {},
): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:'))
    return openSqliteStore(databaseUrl.slice('sqlite:'.length));
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return openPostgresStore(databaseUrl, options);
  throw new Error(
    `DATABASE_URL: '${databaseUrl.split(':')[0]}:' databases are not supported; use sqlite:<file> or postgres://…`,
  );
}
