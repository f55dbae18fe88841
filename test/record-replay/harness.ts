import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../helpers/loopback.js';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli.js';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: SeenRequest, res: ServerResponse, base: string) => void;

export interface LoopbackServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on a free loopback port; closed when the test ends (or earlier, to prove replay is offline). */
export async function loopbackServer(t: TestContext, handler: Handler): Promise<LoopbackServer> {
  const requests: SeenRequest[] = [];
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      handler(seen, res, base);
    });
  });
  const { url, close } = await listenOnLoopback(server, t);
  base = url;
  return { url: base, requests, close };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export function writeConfig(dir: string, yaml: string): string {
  const path = join(dir, 'hel.yaml');
  writeFileSync(path, yaml);
  return path;
}

/** Every file under `dir`, recursively, as [path, bytes]. */
export function filesUnder(dir: string): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push([path, readFileSync(path)]);
  }
  return out;
}

/** Runs `hel run --once` with the given extra arguments; the parent's HEL_CONFIG is ignored. */
export function runOnce(config: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(['run', '--once', '--config', config, ...args], { env: { HEL_CONFIG: undefined, ...env } });
}

/** The NDJSON lines of stdout, parsed. */
export function events(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}
