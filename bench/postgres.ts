import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** A database made for one benchmark run. */
export interface BenchDatabase {
  url: string;
  name: string;
  /** Pids of the server processes serving this database (for CPU accounting when local). */
  backendPids(): Promise<number[]>;
  /** The same, kept to processes of this machine (a local server), for /proc accounting. */
  localBackendPids(): Promise<number[]>;
  drop(): Promise<void>;
}

async function withServer<T>(
  serverUrl: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database on the server `serverUrl` points at (any existing database there,
 * usually `postgres`), for the scale-out run; `drop()` ends its connections and drops it.
 */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `switchyard_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await withServer(serverUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  const backendPids = (): Promise<number[]> =>
    withServer(serverUrl, async (client) => {
      const result = await client.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      );
      return result.rows.map((row) => Number(row.pid));
    });
  return {
    url: url.href,
    name,
    backendPids,
    async localBackendPids() {
      return (await backendPids()).filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres');
        } catch {
          return false;
        }
      });
    },
    drop() {
      dropped ??= withServer(serverUrl, async (client) => {
        // A gateway killed by SIGKILL may have left connections; DROP would wait for them.
        await client.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [name],
        );
        await client.query(`drop database if exists ${name}`);
      });
      return dropped;
    },
  };
}
