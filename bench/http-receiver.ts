import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BenchReceiver {
  url: string;
  /** Events stored (NDJSON lines, or bulk items created). */
  stored(): number;
  stop(): Promise<void>;
}

/**
 * A fast loopback receiver for the bench: `ndjson` counts lines; `elasticsearch_bulk` answers a
 * `_bulk` request item by item with create semantics (a known `_id` is a 409), as the test fake
 * does, without keeping documents. It runs in the bench process; Hel is measured in its own.
 */
export async function startBenchReceiver(format: 'ndjson' | 'elasticsearch_bulk'): Promise<BenchReceiver> {
  let stored = 0;
  const ids = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const lines = body.split('\n').filter((l) => l !== '');
      if (format === 'ndjson') {
        stored += lines.length;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const items: string[] = [];
      let errors = false;
      for (let i = 0; i < lines.length; i += 2) {
        const { create } = JSON.parse(lines[i]!) as { create: { _index: string; _id: string } };
        if (ids.has(create._id)) {
          errors = true;
          items.push(`{"create":{"_index":${JSON.stringify(create._index)},"_id":${JSON.stringify(create._id)},"status":409,"error":{"type":"version_conflict_engine_exception"}}}`);
        } else {
          ids.add(create._id);
          stored++;
          items.push(`{"create":{"_index":${JSON.stringify(create._index)},"_id":${JSON.stringify(create._id)},"_version":1,"result":"created","status":201}}`);
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"took":1,"errors":${errors},"items":[${items.join(',')}]}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stored: () => stored,
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
