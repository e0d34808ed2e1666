import { fileURLToPath } from 'node:url';
import { startTsxProcess, waitForOutput, type ManagedProcess } from './lifecycle.js';

export const floorReadyMarker = 'BENCH_NODE_FLOOR_READY';

/** The bare Node.js proxy (node-floor-process.ts): one listener per upstream origin. */
export interface NodeFloor {
  process: ManagedProcess;
  /** `http://127.0.0.1:<port>` in front of the given upstream origin. */
  originFor(upstreamOrigin: string): string;
}

const script = fileURLToPath(new URL('./node-floor-process.ts', import.meta.url));

export async function startNodeFloor(
  upstreamOrigins: readonly string[],
  workingDirectory: string,
): Promise<NodeFloor> {
  const child = startTsxProcess('node floor proxy', script, [JSON.stringify(upstreamOrigins)], {
    workingDirectory,
    environment: { PATH: process.env.PATH ?? '' },
  });
  const match = await waitForOutput(child, new RegExp(`${floorReadyMarker} (\\[.*\\])\\n`), 30_000);
  const ports = JSON.parse(match[1] ?? '[]') as number[];
  return {
    process: child,
    originFor(upstreamOrigin) {
      const port = ports[upstreamOrigins.indexOf(upstreamOrigin)];
      if (port === undefined)
        throw new Error(`the node floor proxy has no listener for ${upstreamOrigin}`);
      return `http://127.0.0.1:${port}`;
    },
  };
}
