import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';

// scrypt at N=2^17 takes a few tenths of a second per hash, so the suite makes only two.
describe('passwords', () => {
  it('verifies the right password, and two hashes of one password differ', async () => {
    const [first, second] = await Promise.all([
      hashPassword('correct horse battery staple'),
      hashPassword('correct horse battery staple'),
    ]);
    expect(first).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(first).not.toBe(second);

    // Flip one character of the stored hash: it no longer matches.
    const parts = first.split('$');
    const hash = parts[5] as string;
    parts[5] = (hash[0] === 'A' ? 'B' : 'A') + hash.slice(1);
    const tampered = parts.join('$');

    // In parallel: each check is a full-cost scrypt run.
    const [right, other, wrong, onTampered] = await Promise.all([
      verifyPassword('correct horse battery staple', first),
      verifyPassword('correct horse battery staple', second),
      verifyPassword('correct horse battery stapl', first),
      verifyPassword('correct horse battery staple', tampered),
    ]);
    expect({ right, other, wrong, onTampered }).toEqual({
      right: true,
      other: true,
      wrong: false,
      onTampered: false,
    });
  });

  it('never matches a stored value that is not a hash it wrote', async () => {
    const salt = Buffer.alloc(16, 1).toString('base64');
    const hash = Buffer.alloc(32, 2).toString('base64');
    for (const stored of [
      '',
      'plain-text-password',
      `bcrypt$131072$8$1$${salt}$${hash}`,
      `scrypt$131072$8$1$${salt}`,
      `scrypt$abc$8$1$${salt}$${hash}`,
      `scrypt$1000$8$1$${salt}$${hash}`,
      `scrypt$1073741824$8$1$${salt}$${hash}`,
      `scrypt$131072$8$64$${salt}$${hash}`,
      `scrypt$131072$8$1$$${hash}`,
      `scrypt$131072$8$1$${salt}$`,
      `scrypt$131072$8$1$${salt}$c2hvcnQ=`,
    ]) {
      await expect(verifyPassword('anything', stored), stored).resolves.toBe(false);
    }
  });

  it('generates random 24-character passwords', () => {
    const password = generatePassword();
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(password);
  });
});
