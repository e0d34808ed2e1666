/**
 * Converts embeddings between OpenAI's two encodings. The official SDKs ask for base64 by default,
 * and not every OpenAI-compatible server can send it, so the gateway answers in the encoding the
 * client asked for whatever the upstream sent.
 */

/** A float vector as base64 of little-endian float32 bytes, as OpenAI encodes it. */
export function floatsToBase64(vector: readonly number[]): string {
  const floats = new Float32Array(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

/** The inverse of `floatsToBase64`. */
export function base64ToFloats(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  const floats = new Float32Array(bytes.byteLength >>> 2);
  for (let index = 0; index < floats.length; index++) floats[index] = bytes.readFloatLE(index * 4);
  return Array.from(floats);
}
