import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodeSecretKey } from '../config/schema.js';

function readKeyFile(file: string): Buffer {
  const key = decodeSecretKey(readFileSync(file, 'utf8'));
  if (!key) throw new Error(`${file}: expected 32 bytes as 64 hex digits or base64`);
  return key;
}

/**
 * The key that seals provider secrets: from SWITCHYARD_SECRET_KEY when set, else from
 * `<dataDirectory>/secret.key`, created (mode 0600) on first start so SQLite needs no set-up.
 */
export function resolveSecretKey(configured: string | undefined, dataDirectory: string): Buffer {
  if (configured !== undefined) {
    const key = decodeSecretKey(configured);
    if (!key)
      throw new Error('SWITCHYARD_SECRET_KEY: expected 32 bytes as 64 hex digits or base64');
    return key;
  }
  const file = path.join(dataDirectory, 'secret.key');
  if (existsSync(file)) return readKeyFile(file);
  mkdirSync(dataDirectory, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process (the gateway and a CLI command on a first start) created it since the
    // check above; its key is the one the database will be sealed with.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file);
    throw error;
  }
  return key;
}
