/**
 * Converts embeddings between OpenAI's two encodings. The official SDKs ask for base64 by default,
 * and not every OpenAI-compatible server can send it, so the gateway answers in the encoding the
 * client asked for whatever the upstream sent.
 */

const bytesPerFloat = 4;
const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

/** True for an array of finite numbers: a float embedding as JSON carries it. */
export function isFloatVector(value: unknown): value is number[] {
  return (
    Array.isArray(value) && value.every((item) => typeof item === 'number' && Number.isFinite(item))
  );
}

/** A float vector as base64 of little-endian float32 bytes, as OpenAI encodes it. */
export function floatsToBase64(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * bytesPerFloat);
  // Written byte by byte in little-endian order so a big-endian host encodes the same bytes.
  for (let index = 0; index < vector.length; index++) {
    bytes.writeFloatLE(vector[index] as number, index * bytesPerFloat);
  }
  return bytes.toString('base64');
}

/**
 * True when the text is padded base64 of a whole number of float32 values, checked without
 * decoding it. Node's decoder skips bad characters and drops trailing bytes silently, so this is
 * the only place a broken vector shows.
 */
export function isFloat32Base64(encoded: string): boolean {
  if (encoded.length % 4 !== 0 || !base64Pattern.test(encoded)) return false;
  const padding = encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0;
  return ((encoded.length / 4) * 3 - padding) % bytesPerFloat === 0;
}

/** The inverse of `floatsToBase64`; undefined when `isFloat32Base64` rejects the text. */
export function base64ToFloats(encoded: string): number[] | undefined {
  if (!isFloat32Base64(encoded)) return undefined;
  const bytes = Buffer.from(encoded, 'base64');
  const vector = new Array<number>(bytes.byteLength / bytesPerFloat);
  for (let index = 0; index < vector.length; index++) {
    vector[index] = bytes.readFloatLE(index * bytesPerFloat);
  }
  return vector;
}
