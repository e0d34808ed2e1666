import { fileURLToPath } from 'node:url';
import { startTsxProcess, waitForOutput, type ManagedProcess } from './lifecycle.js';

/** One mock server the benchmark asks for. */
export interface MockServerSpec {
  name: string;
  latencyMilliseconds: number;
  chunkCount: number;
  chunkDelayMilliseconds: number;
  /** The assistant's text; the mock's default has 33 characters, so at most 33 chunks. */
  replyText?: string;
}

/** A reply long enough to be split into `chunkCount` pieces (the mock splits by character). */
export function replyFor(chunkCount: number): string | undefined {
  const defaultLength = 'Hello! How can I help you today?'.length;
  if (chunkCount <= defaultLength) return undefined;
  return Array.from({ length: chunkCount }, (_, index) => `word${index}`).join(' ');
}

/** The line the mock process prints once every server listens: the marker, then name → port JSON. */
export const readyMarker = 'BENCH_MOCK_READY';

/** The mock upstream process and the port of each of its servers. */
export interface MockProcess {
  process: ManagedProcess;
  ports: Record<string, number>;
  /** `http://127.0.0.1:<port>` of the named server. */
  origin(name: string): string;
}

const script = fileURLToPath(new URL('./mock-process.ts', import.meta.url));

/** Starts test/support's mock OpenAI upstream in its own process, one server per spec. */
export async function startMockProcess(
  specs: readonly MockServerSpec[],
  workingDirectory: string,
): Promise<MockProcess> {
  const child = startTsxProcess('mock upstream', script, [JSON.stringify(specs)], {
    workingDirectory,
    environment: { PATH: process.env.PATH ?? '' },
  });
  const match = await waitForOutput(child, new RegExp(`${readyMarker} (\\{.*\\})\\n`), 30_000);
  const parsed: unknown = JSON.parse(match[1] ?? '{}');
  const ports: Record<string, number> = {};
  for (const [name, port] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof port !== 'number') throw new Error(`mock upstream: no port for '${name}'`);
    ports[name] = port;
  }
  return {
    process: child,
    ports,
    origin(name) {
      const port = ports[name];
      if (port === undefined) throw new Error(`the mock upstream has no server named '${name}'`);
      return `http://127.0.0.1:${port}`;
    },
  };
}
