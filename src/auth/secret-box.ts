import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Seals upstream secrets at rest with AES-256-GCM under the gateway's secret key, so a copy of the
 * database alone does not give away provider credentials.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

const version = 'v1';
const tagLength = 16;

/** A secret box over a 32-byte key. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('The secret key must be exactly 32 bytes');
  return {
    seal(plaintext) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: tagLength });
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `${version}:${nonce.toString('base64')}:${tag.toString('base64')}:${ciphertext.toString('base64')}`;
    },
    open(sealed) {
      const [sealedVersion, nonce, tag, ciphertext] = sealed.split(':');
      if (sealedVersion !== version || !nonce || !tag || ciphertext === undefined) {
        throw new Error('A stored secret is not in a format this version can read');
      }
      try {
        // A full 16-byte tag only: GCM would otherwise accept a tag cut to 4 bytes, which makes
        // a forged secret a matter of a few billion guesses.
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64'), {
          authTagLength: tagLength,
        });
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([
          decipher.update(Buffer.from(ciphertext, 'base64')),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new Error(
          'A stored provider secret cannot be decrypted: SWITCHYARD_SECRET_KEY (or secret.key in the data directory) differs from the key it was sealed with, or the stored value was altered',
        );
      }
    },
  };
}
