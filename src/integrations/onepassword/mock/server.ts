import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockEventsApi } from './api.js';
import { createRng } from './rng.js';
import type { MockOptions, MockServer } from './options.js';

export type { MockOptions, MockServer, MockRequestRecord } from './options.js';
export { parseFaultList } from './faults.js';

const MAX_BODY_BYTES = 1 << 20;

/**
 * Starts a fake 1Password Events API (reference §16) on a local port. With a seed, the data, the
 * signing keys and so the tokens and cursors are reproducible across restarts.
 */
export async function startOnePasswordMock(options: MockOptions = {}): Promise<MockServer> {
  const now = options.now ?? (() => Date.now());
  const rng = createRng(options.seed);
  const key =
    options.seed === undefined
      ? randomBytes(32)
      : createHash('sha256')
          .update(`hel-onepassword-mock:${String(options.seed)}`)
          .digest();
  const api = new MockEventsApi(rng, key, now, options);
  const token = await api.tokens.mint();
  const publicJwk = await api.tokens.publicJwk();

  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => api.handle(req, res, body).catch((err: unknown) => res.destroy(err instanceof Error ? err : new Error(String(err)))),
      () => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ Error: { Message: 'Bad Request' } })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      for (const timer of api.stallTimers) clearTimeout(timer);
      api.stallTimers.clear();
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    token,
    publicJwk,
    mintToken: (opts) => api.tokens.mint(opts),
    revokeToken: (t) => api.tokens.revoke(t),
    append(stream, items, opts) {
      const data = api.defaultAccount;
      const at = now();
      data.catchUpLive(at);
      const list = typeof items === 'number' ? Array.from({ length: items }, () => undefined) : items;
      for (const overrides of list) data.append(stream, at, overrides, opts?.lateMinutes ?? 0);
    },
    setFaults: (faults) => api.faults.set(faults),
    requests: api.requests,
    close: () => (closing ??= stop()),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
