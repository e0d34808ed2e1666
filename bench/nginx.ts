import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess, type ManagedProcess } from './lifecycle.js';
import { childrenOf } from './proc-stats.js';

/** nginx as a plain reverse proxy: one listening port per upstream port. */
export interface NginxProxy {
  process: ManagedProcess;
  version: string;
  /** `http://127.0.0.1:<port>` in front of the upstream on `upstreamPort`. */
  originFor(upstreamPort: number): string;
  /** The master and its workers, for CPU and RSS accounting. */
  pids: () => number[];
}

/** The nginx binary on PATH or in the Debian package's place; undefined when not installed. */
export function findNginx(): string | undefined {
  const directories = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin'];
  for (const directory of directories) {
    if (directory === '') continue;
    const candidate = path.join(directory, 'nginx');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function versionOf(binary: string): string {
  // nginx prints its version on stderr.
  const result = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  return /nginx\/\S+/.exec(`${result.stderr}${result.stdout}`)?.[0] ?? 'unknown';
}

function configuration(directory: string, routes: ReadonlyArray<[number, number]>): string {
  const servers = routes
    .map(
      ([listen, upstream]) => `
  upstream mock_${upstream} {
    server 127.0.0.1:${upstream};
    keepalive 256;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${listen} backlog=4096;
    location / {
      proxy_pass http://mock_${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # Stream chunks as they come, as the gateway must.
      proxy_buffering off;
    }
  }`,
    )
    .join('\n');
  // One worker: the gateway is one Node.js process, so both get one core's worth of event loop.
  return `daemon off;
master_process on;
worker_processes 1;
pid ${directory}/nginx.pid;
error_log ${directory}/error.log warn;
events {
  worker_connections 16384;
}
http {
  access_log ${directory}/access.log;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  client_body_temp_path ${directory}/client_body;
  proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
${servers}
}
`;
}

/** A port of 127.0.0.1 that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts nginx in the foreground with a generated configuration in `directory`: one free port of
 * 127.0.0.1 in front of each upstream port.
 */
export async function startNginx(
  binary: string,
  directory: string,
  upstreamPorts: readonly number[],
): Promise<NginxProxy> {
  const routes: Array<[number, number]> = [];
  for (const upstream of upstreamPorts) routes.push([await freePort(), upstream]);
  mkdirSync(directory, { recursive: true });
  // Workers drop to 'nobody' when run as root; they must still reach the temp directories.
  chmodSync(directory, 0o755);
  const file = path.join(directory, 'nginx.conf');
  writeFileSync(file, configuration(directory, routes));
  const child = startProcess(
    'nginx',
    binary,
    ['-e', `${directory}/error.log`, '-p', directory, '-c', file],
    {
      workingDirectory: directory,
      environment: { PATH: process.env.PATH ?? '' },
    },
  );
  // nginx prints nothing when it starts; wait until every port accepts a request.
  const started = Date.now();
  for (const [listen] of routes) {
    for (;;) {
      if (!child.isRunning()) throw new Error(`nginx exited at start:\n${child.output()}`);
      try {
        const response = await fetch(`http://127.0.0.1:${listen}/v1/models`);
        await response.arrayBuffer();
        break;
      } catch {
        if (Date.now() - started > 10_000)
          throw new Error(
            `nginx did not listen on 127.0.0.1:${listen} within 10 s:\n${child.output()}`,
          );
        await sleep(50);
      }
    }
  }
  const mapping = new Map(routes.map(([listen, upstream]) => [upstream, listen]));
  return {
    process: child,
    version: versionOf(binary),
    originFor(upstreamPort) {
      const listen = mapping.get(upstreamPort);
      if (listen === undefined) throw new Error(`nginx does not proxy port ${upstreamPort}`);
      return `http://127.0.0.1:${listen}`;
    },
    pids: () => [child.pid, ...childrenOf(child.pid)],
  };
}
