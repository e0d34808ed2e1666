import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyRepository, NewApiKey } from '../store/contract.js';
import type { ApiKeyRecord } from '../store/records.js';

const base62Alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const keyRandomBytes = 32;
const visiblePrefixLength = 10;

function toBase62(bytes: Buffer): string {
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let text = '';
  while (value > 0n) {
    text = base62Alphabet[Number(value % 62n)] + text;
    value /= 62n;
  }
  // 32 bytes always need 43 base62 digits; pad so every key has the same length.
  return text.padStart(43, '0');
}

/** A new API key: shown to its owner once, then only its hash and prefix are kept. */
export interface GeneratedApiKey {
  key: string;
  keyHash: string;
  keyPrefix: string;
}

/** Makes a key of `sk-` and 32 random bytes in base62. */
export function generateApiKey(): GeneratedApiKey {
  const key = `sk-${toBase62(randomBytes(keyRandomBytes))}`;
  return { key, keyHash: hashApiKey(key), keyPrefix: key.slice(0, visiblePrefixLength) };
}

/**
 * Makes a key and stores its hash and prefix: the one way keys come into being (the API, the
 * CLI, tests and benchmarks). Answers the stored record and the key itself, which exists nowhere
 * else and is shown to its owner once.
 */
export async function issueApiKey(
  apiKeys: ApiKeyRepository,
  input: Omit<NewApiKey, 'keyHash' | 'keyPrefix'>,
): Promise<{ record: ApiKeyRecord; key: string }> {
  const generated = generateApiKey();
  const record = await apiKeys.create({
    ...input,
    keyHash: generated.keyHash,
    keyPrefix: generated.keyPrefix,
  });
  return { record, key: generated.key };
}

/**
 * SHA-256 of the key. Keys carry 256 bits of randomness, so a fast hash is safe here and keeps
 * authentication off the CPU budget, unlike a password hash.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Reads the key from `Authorization: Bearer …` (or `x-api-key` / `api-key` for other SDKs). */
export function readPresentedKey(headers: {
  authorization?: string | undefined;
  'x-api-key'?: string | string[] | undefined;
  'api-key'?: string | string[] | undefined;
}): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const alternative = headers['x-api-key'] ?? headers['api-key'];
  return typeof alternative === 'string' && alternative.length > 0 ? alternative.trim() : undefined;
}
