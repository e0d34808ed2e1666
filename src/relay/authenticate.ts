import { hashApiKey, readPresentedKey } from '../auth/api-keys.js';
import type { AuthenticatedKey, CatalogCache } from '../catalog/catalog-cache.js';
import { GatewayError } from '../errors/gateway-error.js';

type KeyHeaders = Parameters<typeof readPresentedKey>[0];

/**
 * Finds the API key a request presents. Unknown, disabled and expired keys each get their own
 * code, so the client knows whether to fix the header, ask for the key back, or get a new one.
 */
export async function authenticate(
  headers: KeyHeaders,
  catalog: CatalogCache,
  now: number,
): Promise<AuthenticatedKey> {
  const presented = readPresentedKey(headers);
  if (presented === undefined) {
    throw new GatewayError(
      'missing_api_key',
      "No API key was sent. Send it in the header 'Authorization: Bearer YOUR_API_KEY'.",
    );
  }
  const keyHash = hashApiKey(presented);
  const cached = catalog.cachedKey(keyHash);
  const key = cached === undefined ? await catalog.loadKey(keyHash) : cached;
  if (key === null) {
    throw new GatewayError(
      'invalid_api_key',
      'The API key is not valid. Check that it is copied whole, with its sk- prefix, from your dashboard.',
    );
  }
  if (key.status !== 'active') {
    throw new GatewayError(
      'api_key_disabled',
      `The API key '${key.keyPrefix}…' is disabled. Enable it in your dashboard or ask your admin.`,
    );
  }
  if (key.account.status !== 'active') {
    throw new GatewayError(
      'api_key_disabled',
      `The account that owns the API key '${key.keyPrefix}…' is disabled. Ask your agent or admin to enable it.`,
    );
  }
  if (key.expiresAt !== null && key.expiresAt <= now) {
    throw new GatewayError(
      'api_key_expired',
      `The API key '${key.keyPrefix}…' expired at ${new Date(key.expiresAt).toISOString()}. Create a new key in your dashboard.`,
    );
  }
  return key;
}
