import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// OWASP's scrypt floor (N=2^17, r=8, p=1): slow enough to make stolen hashes expensive to crack.
const parameters = { N: 131_072, r: 8, p: 1, maxmem: 256 * 1024 * 1024 } as const;
const keyLength = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64 parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, parameters);
  const { N, r, p } = parameters;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** The cost parameters a stored hash may name: what `hashPassword` writes, or cheaper. */
function readParameters(n: string, r: string, p: string): ScryptOptions | undefined {
  const values = [Number(n), Number(r), Number(p)] as const;
  if (!values.every((value) => Number.isSafeInteger(value) && value >= 1)) return undefined;
  const [cost, blockSize, parallelism] = values;
  // scrypt needs N to be a power of two above 1; its time and memory grow with N × r (× p).
  if (cost < 2 || (cost & (cost - 1)) !== 0) return undefined;
  if (cost * blockSize * parallelism > parameters.N * parameters.r * parameters.p) return undefined;
  return { N: cost, r: blockSize, p: parallelism, maxmem: parameters.maxmem };
}

/**
 * Checks a password against a stored hash in constant time. A stored hash that is not one this
 * module writes (corrupt, or naming a cost that would tie up the server) never matches.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltText, hashText] = parts as [string, string, string, string, string, string];
  const options = readParameters(n, r, p);
  const salt = Buffer.from(saltText, 'base64');
  const expected = Buffer.from(hashText, 'base64');
  if (!options || salt.length === 0 || expected.length !== keyLength) return false;
  const actual = await derive(password, salt, options);
  return timingSafeEqual(actual, expected);
}

/** A random password for accounts created without one (24 base64url characters). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
