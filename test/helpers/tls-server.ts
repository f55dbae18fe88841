import { readFileSync } from 'node:fs';
import { createServer, type ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { listenOnLoopback, type Cleanups } from './loopback.js';
import type { TestCertificates } from './test-certs.js';

export interface TlsServer {
  url: string;
  /** The CN of each request's client certificate ('' without one). */
  clients: string[];
}

/** A loopback HTTPS server with the PKI's server certificate; answers `{"items":[]}`. Closed when the test ends. */
export async function tlsServer(t: Cleanups, pki: TestCertificates, options: ServerOptions = {}): Promise<TlsServer> {
  const clients: string[] = [];
  const server = createServer({ key: readFileSync(pki.serverKey, 'utf8'), cert: readFileSync(pki.serverCert, 'utf8'), ...options }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    clients.push(typeof peer.subject?.CN === 'string' ? peer.subject.CN : '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"items":[{"id":"e1"}]}');
  });
  // A refused handshake is the client's failure to report; the server just drops it.
  server.on('tlsClientError', () => undefined);
  const { url } = await listenOnLoopback(server, t);
  return { url, clients };
}
