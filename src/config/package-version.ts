import { readFileSync } from 'node:fs';

/**
 * This package's version, read once from package.json (one level above src/ and dist/). A build
 * placed elsewhere (the benchmark compiles into a cache directory) reports 'unknown'.
 */
export const packageVersion: string = (() => {
  try {
    const manifest: unknown = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    const version = (manifest as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
})();
