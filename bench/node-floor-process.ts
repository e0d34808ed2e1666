import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { floorReadyMarker } from './node-floor.js';

// The floor for any Node.js proxy: node:http in, undici out, bytes copied through as they come.
// No authentication, limits, money or records, not even a JSON.parse: what is left is the cost
// that Node's HTTP server and client put on a proxied request before a gateway does any work.
// One listener per upstream origin given in argv[2] (a JSON array); prints their ports.

function proxyTo(origin: string): http.Server {
  // The gateway's own pool settings (src/upstream/upstream-client.ts).
  const pool = new Pool(origin, { connections: 256, pipelining: 1 });
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      pool
        .request({
          method: 'POST',
          path: request.url ?? '/',
          headers: { 'content-type': 'application/json', authorization: 'Bearer floor' },
          body: Buffer.concat(chunks),
        })
        .then(async (upstream) => {
          const contentType = upstream.headers['content-type'];
          response.writeHead(
            upstream.statusCode,
            typeof contentType === 'string' ? { 'content-type': contentType } : {},
          );
          for await (const chunk of upstream.body) response.write(chunk);
          response.end();
        })
        .catch(() => {
          if (!response.headersSent) response.writeHead(502);
          response.end();
        });
    });
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

async function main(): Promise<void> {
  const origins = JSON.parse(process.argv[2] ?? '[]') as string[];
  const ports: number[] = [];
  const servers = origins.map(proxyTo);
  for (const server of servers) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports.push((server.address() as AddressInfo).port);
  }
  const stop = (): void => {
    for (const server of servers) server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${floorReadyMarker} ${JSON.stringify(ports)}\n`);
}

await main();
