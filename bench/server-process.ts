import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));

export interface ServerStats {
  requests: number;
  items: number;
  bytes: number;
}

export interface BenchServer {
  url: string;
  stats(): Promise<ServerStats>;
  stop(): void;
}

/** Starts bench/server.js as a child process and waits for its URL. */
export async function startServer(): Promise<BenchServer> {
  const child: ChildProcess = spawn(process.execPath, [SERVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bench server did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return {
    url,
    async stats() {
      const res = await fetch(`${url}/_stats`);
      return (await res.json()) as ServerStats;
    },
    stop() {
      child.stdin?.end();
    },
  };
}

export function diffStats(after: ServerStats, before: ServerStats): ServerStats {
  return { requests: after.requests - before.requests, items: after.items - before.items, bytes: after.bytes - before.bytes };
}
