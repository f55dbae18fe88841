import { createServer, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { listenOnLoopback } from './loopback.js';

/** A loopback forward proxy: CONNECT tunnels plus absolute-form HTTP requests; counts what it forwarded. */
export async function loopbackProxy(t: { after(fn: () => Promise<void>): void }): Promise<{ url: string; used: string[] }> {
  const used: string[] = [];
  const sockets = new Set<Socket>();
  const proxy = createServer((req, res) => {
    used.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    used.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
    }
  });
  // Tunnels are not the server's connections any more: they are ended first, then the server closes.
  t.after(() => {
    for (const s of sockets) s.destroy();
    return Promise.resolve();
  });
  const { url } = await listenOnLoopback(proxy, t);
  return { url, used };
}
