import { describe } from 'vitest';

/**
 * The real PostgreSQL and Redis the suites that need them run against. Without the URLs those
 * suites are skipped, so `npm test` passes on a bare machine; with SWITCHYARD_REQUIRE_SERVICES=1
 * (as .ci/run sets) a missing URL is an error instead of a silent skip.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL;
export const testRedisUrl = process.env.TEST_REDIS_URL;
const servicesRequired = process.env.SWITCHYARD_REQUIRE_SERVICES === '1';

function requireOrSkip(
  url: string | undefined,
  variable: string,
): typeof describe | typeof describe.skip {
  if (url) return describe;
  if (servicesRequired) {
    throw new Error(
      `${variable} is not set, but SWITCHYARD_REQUIRE_SERVICES=1 forbids skipping this suite`,
    );
  }
  return describe.skip;
}

/** `describe` when TEST_DATABASE_URL is set, `describe.skip` otherwise. */
export const describeWithPostgres = requireOrSkip(testDatabaseUrl, 'TEST_DATABASE_URL');

/** A schema name unique to this test run, so parallel files never share tables. */
export function uniqueSchemaName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** `describe` when TEST_REDIS_URL is set, `describe.skip` otherwise. */
export const describeWithRedis = requireOrSkip(testRedisUrl, 'TEST_REDIS_URL');
