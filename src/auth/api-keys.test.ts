import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, readPresentedKey } from './api-keys.js';

describe('generateApiKey', () => {
  it('makes sk- and 43 base62 characters', () => {
    const { key } = generateApiKey();
    expect(key).toMatch(/^sk-[0-9A-Za-z]{43}$/);
  });

  it('never repeats itself, and keeps the same shape whatever the random bytes', () => {
    const keys = new Set<string>();
    for (let index = 0; index < 2_000; index++) {
      const { key } = generateApiKey();
      expect(key).toMatch(/^sk-[0-9A-Za-z]{43}$/);
      keys.add(key);
    }
    expect(keys.size).toBe(2_000);
  });

  it('uses the whole base62 alphabet, not a hex-looking subset', () => {
    const characters = new Set(
      Array.from({ length: 200 }, () => generateApiKey().key.slice(3)).join(''),
    );
    expect(characters.size).toBe(62);
  });

  it('returns the SHA-256 hex of the key and its first ten characters as the prefix', () => {
    const generated = generateApiKey();
    expect(generated.keyHash).toBe(createHash('sha256').update(generated.key).digest('hex'));
    expect(generated.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(generated.keyPrefix).toBe(generated.key.slice(0, 10));
    expect(generated.keyPrefix).toHaveLength(10);
    expect(generated.keyPrefix.startsWith('sk-')).toBe(true);
  });
});

describe('hashApiKey', () => {
  it('is SHA-256 in hex, the same every time', () => {
    expect(hashApiKey('sk-test')).toBe(createHash('sha256').update('sk-test').digest('hex'));
    expect(hashApiKey('sk-test')).toBe(hashApiKey('sk-test'));
    expect(hashApiKey('sk-test')).not.toBe(hashApiKey('sk-tesT'));
  });
});

describe('readPresentedKey', () => {
  it('reads a Bearer token', () => {
    expect(readPresentedKey({ authorization: 'Bearer sk-abc' })).toBe('sk-abc');
  });

  it('accepts the scheme in any case and extra spaces around the token', () => {
    expect(readPresentedKey({ authorization: 'bearer sk-abc' })).toBe('sk-abc');
    expect(readPresentedKey({ authorization: 'BEARER   sk-abc  ' })).toBe('sk-abc');
  });

  it('answers undefined when no key is sent', () => {
    expect(readPresentedKey({})).toBeUndefined();
    expect(readPresentedKey({ authorization: undefined })).toBeUndefined();
    expect(readPresentedKey({ 'x-api-key': '' })).toBeUndefined();
  });

  it('answers undefined for a malformed Authorization header', () => {
    expect(readPresentedKey({ authorization: 'Basic x' })).toBeUndefined();
    expect(readPresentedKey({ authorization: 'Bearer' })).toBeUndefined();
    expect(readPresentedKey({ authorization: 'Bearer ' })).toBeUndefined();
    expect(readPresentedKey({ authorization: 'Bearer two tokens' })).toBeUndefined();
    expect(readPresentedKey({ authorization: 'sk-abc' })).toBeUndefined();
  });

  it('falls back to x-api-key when Authorization is not a bearer token (a proxy may add Basic auth)', () => {
    expect(readPresentedKey({ authorization: 'Basic x', 'x-api-key': 'sk-other' })).toBe(
      'sk-other',
    );
  });

  it('reads x-api-key and api-key for SDKs that send those', () => {
    expect(readPresentedKey({ 'x-api-key': 'sk-anthropic-style' })).toBe('sk-anthropic-style');
    expect(readPresentedKey({ 'api-key': 'sk-azure-style' })).toBe('sk-azure-style');
    expect(readPresentedKey({ 'x-api-key': ' sk-padded ' })).toBe('sk-padded');
  });

  it('prefers Authorization over x-api-key', () => {
    expect(readPresentedKey({ authorization: 'Bearer sk-a', 'x-api-key': 'sk-b' })).toBe('sk-a');
  });

  it('ignores a repeated x-api-key header', () => {
    expect(readPresentedKey({ 'x-api-key': ['sk-a', 'sk-b'] })).toBeUndefined();
  });
});
