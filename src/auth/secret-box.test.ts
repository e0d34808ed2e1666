import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secret-box.js';

const box = createSecretBox(randomBytes(32));

/** Replaces one base64 part of a sealed value. */
function withPart(sealed: string, index: number, change: (bytes: Buffer) => Buffer): string {
  const parts = sealed.split(':');
  parts[index] = change(Buffer.from(parts[index] as string, 'base64')).toString('base64');
  return parts.join(':');
}

describe('createSecretBox', () => {
  it('opens what it sealed', () => {
    for (const secret of ['sk-upstream-secret', '', 'ünïcødé 🔑', 'x'.repeat(10_000)]) {
      expect(box.open(box.seal(secret))).toBe(secret);
    }
  });

  it('uses a fresh nonce every time, so equal secrets seal differently', () => {
    const first = box.seal('same');
    const second = box.seal('same');
    expect(first).not.toBe(second);
    expect(first.split(':')[1]).not.toBe(second.split(':')[1]);
    expect(first.startsWith('v1:')).toBe(true);
    expect(first).not.toContain('same');
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = box.seal('sk-upstream-secret');
    const tampered = withPart(sealed, 3, (bytes) => {
      const copy = Buffer.from(bytes);
      copy[0] = (copy[0] as number) ^ 1;
      return copy;
    });
    expect(() => box.open(tampered)).toThrow(/cannot be decrypted/);
  });

  it('refuses a tampered nonce or tag', () => {
    const sealed = box.seal('sk-upstream-secret');
    const flipFirst = (bytes: Buffer) => {
      const copy = Buffer.from(bytes);
      copy[0] = (copy[0] as number) ^ 0x80;
      return copy;
    };
    expect(() => box.open(withPart(sealed, 1, flipFirst))).toThrow(/cannot be decrypted/);
    expect(() => box.open(withPart(sealed, 2, flipFirst))).toThrow(/cannot be decrypted/);
  });

  it('refuses a tag cut short, which GCM would otherwise check only in part', () => {
    const sealed = box.seal('sk-upstream-secret');
    expect(() => box.open(withPart(sealed, 2, (tag) => tag.subarray(0, 4)))).toThrow(
      /cannot be decrypted/,
    );
  });

  it('says which setting to check when the key is wrong', () => {
    const sealed = box.seal('sk-upstream-secret');
    const other = createSecretBox(randomBytes(32));
    expect(() => other.open(sealed)).toThrow(/SWITCHYARD_SECRET_KEY/);
  });

  it('refuses a value in an unknown format', () => {
    expect(() => box.open('plain-secret')).toThrow(/format/);
    expect(() => box.open(box.seal('x').replace(/^v1:/, 'v9:'))).toThrow(/format/);
  });

  it('needs a 32-byte key', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
