import { readFileSync } from 'node:fs';

/** This package's version, read once from package.json (one level above src/ and dist/). */
export const packageVersion: string = (() => {
  const manifest: unknown = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  );
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
})();
