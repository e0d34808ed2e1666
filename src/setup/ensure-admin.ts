import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatePassword, hashPassword } from '../auth/passwords.js';
import type { Store } from '../store/contract.js';

export interface AdminBootstrap {
  username: string;
  /** Where a generated password was written; undefined when it came from the configuration. */
  passwordFile: string | undefined;
}

/**
 * On the very first start (no accounts at all) creates the admin account. A generated password
 * goes to a file readable only by the owner, never to the logs.
 */
export async function ensureAdmin(
  store: Store,
  admin: { username: string; password?: string | undefined },
  dataDirectory: string,
): Promise<AdminBootstrap | undefined> {
  if ((await store.accounts.count()) > 0) return undefined;
  const password = admin.password ?? generatePassword();
  try {
    await store.accounts.create({
      username: admin.username,
      role: 'admin',
      passwordHash: await hashPassword(password),
    });
  } catch (error) {
    // Two instances started together on an empty database: the other one made the admin.
    if ((await store.accounts.count()) > 0) return undefined;
    throw error;
  }
  if (admin.password !== undefined) return { username: admin.username, passwordFile: undefined };
  mkdirSync(dataDirectory, { recursive: true });
  const passwordFile = path.join(dataDirectory, 'initial-admin-password');
  // A file left from an earlier database may have looser permissions, which writing over it would
  // keep; replace it with a fresh one that only the owner can read.
  rmSync(passwordFile, { force: true });
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return { username: admin.username, passwordFile };
}
