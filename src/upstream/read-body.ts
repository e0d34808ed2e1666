import type { UpstreamResponse } from './upstream-client.js';
import { classifyTransportError } from './upstream-client.js';

/** Reads a whole upstream body as text, turning transport failures into `UpstreamTransportError`. */
export async function readBodyText(
  response: UpstreamResponse,
  limitBytes = 64 * 1024 * 1024,
): Promise<string> {
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limitBytes)
        throw new Error(`the upstream body is larger than ${limitBytes} bytes`);
      chunks.push(buffer);
    }
    return chunks.length === 1
      ? (chunks[0] as Buffer).toString('utf8')
      : Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw classifyTransportError(error);
  }
}

/** Throws away the rest of a body so its connection can be reused. */
export async function discardBody(response: UpstreamResponse): Promise<void> {
  try {
    await response.body.dump();
  } catch {
    // The connection is gone anyway; nothing to reuse.
  }
}
