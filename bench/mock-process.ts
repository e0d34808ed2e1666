import {
  startMockOpenAIUpstream,
  type MockUpstream,
  type MockUpstreamOptions,
} from '../test/support/mock-openai-upstream.js';
import { readyMarker, type MockServerSpec } from './mock.js';

// The mock upstream in a process of its own, so the load generator and the mock do not share one
// event loop. It runs one server per entry of the JSON array in argv[2] and prints their ports.

function parseSpecs(text: string | undefined): MockServerSpec[] {
  const parsed: unknown = JSON.parse(text ?? '[]');
  if (!Array.isArray(parsed)) throw new Error('expected a JSON array of mock server specs');
  return parsed.map((entry: unknown) => {
    const record = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<
      string,
      unknown
    >;
    const number = (key: string): number => {
      const value = record[key];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        throw new Error(`mock spec: '${key}' must be a non-negative number`);
      return value;
    };
    if (typeof record.name !== 'string') throw new Error("mock spec: 'name' must be a string");
    const replyText = typeof record.replyText === 'string' ? record.replyText : undefined;
    return {
      ...(replyText === undefined ? {} : { replyText }),
      name: record.name,
      latencyMilliseconds: number('latencyMilliseconds'),
      chunkCount: number('chunkCount'),
      chunkDelayMilliseconds: number('chunkDelayMilliseconds'),
    };
  });
}

async function main(): Promise<void> {
  const specs = parseSpecs(process.argv[2]);
  const servers: MockUpstream[] = [];
  const ports: Record<string, number> = {};
  for (const spec of specs) {
    const options: MockUpstreamOptions = {
      latencyMilliseconds: spec.latencyMilliseconds,
      chunkCount: spec.chunkCount,
      chunkDelayMilliseconds: spec.chunkDelayMilliseconds,
      recordRequests: false,
      ...(spec.replyText === undefined ? {} : { replyText: spec.replyText }),
    };
    const server = await startMockOpenAIUpstream(options);
    servers.push(server);
    ports[spec.name] = server.port;
  }
  const stop = (): void => {
    void Promise.all(servers.map((server) => server.close())).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${readyMarker} ${JSON.stringify(ports)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `mock upstream: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
