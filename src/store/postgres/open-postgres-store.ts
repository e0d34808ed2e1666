import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Store } from '../contract.js';
import type { DatabaseSchema } from '../database-schema.js';
import { createKyselyStore } from '../kysely/kysely-store.js';
import { postgresPlaceHold } from './postgres-holds.js';

const int8Oid = 20;
const numericOid = 1700;

const parseBigintsAsNumbers = ((oid: number, format?: 'text' | 'binary'): unknown =>
  oid === int8Oid || oid === numericOid
    ? (value: string) => Number(value)
    : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser;

export interface PostgresStoreOptions {
  /** A schema to keep the tables in (created if missing); the default is the search path's. */
  schema?: string;
  /** Connections in the pool. */
  maxConnections?: number;
  /** Told when an idle pooled connection fails; the pool replaces it either way. */
  onIdleError?: (error: Error) => void;
}

/**
 * Opens a PostgreSQL store. Money and times are bigint columns; `pg` returns those as strings, so
 * this pool parses them as numbers (exact below 2^53: 9 billion currency units in micro-units).
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<Store> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`The PostgreSQL schema name '${schema}' is not a plain lowercase identifier`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    types: { getTypeParser: parseBigintsAsNumbers },
    // A database that stops answering must fail requests, not hang them.
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection the server closes (restart, failover, idle timeout) is reported here;
  // unhandled, Node would crash the gateway. The pool drops the client and opens a new one.
  pool.on('error', (error) => options.onIdleError?.(error));
  const database = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  if (schema !== undefined)
    await sql`create schema if not exists ${sql.id(schema)}`.execute(database);
  const store = createKyselyStore(database, 'postgres');
  store.wallets.placeHold = postgresPlaceHold(database, Date.now);
  return store;
}
