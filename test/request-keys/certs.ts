import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  /** Paths of PEM files. */
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A second CA that signed nothing the server uses. */
  otherCaFile: string;
  read(path: string): string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string, cn: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${cn}`, '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

function makeLeaf(dir: string, name: string, cn: string, extensions: string): void {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in `dir`. */
export function makePki(dir: string): TestPki {
  makeCa(dir, 'ca', 'Hel Test CA');
  makeCa(dir, 'other-ca', 'Some Other CA');
  makeLeaf(dir, 'server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  makeLeaf(dir, 'client', 'hel-collector', 'extendedKeyUsage=clientAuth\n');
  const at = (f: string) => join(dir, f);
  return {
    dir,
    caFile: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    otherCaFile: at('other-ca.pem'),
    read: (path) => readFileSync(path, 'utf8'),
  };
}

export interface TlsServer {
  url: string;
  /** The CN of each request's client certificate ('' without one). */
  clients: string[];
}

/** A loopback HTTPS server with the PKI's server certificate; answers `{"items":[]}`. Closed when the test ends. */
export async function tlsServer(t: { after(fn: () => Promise<void>): void }, pki: TestPki, options: ServerOptions = {}): Promise<TlsServer> {
  const clients: string[] = [];
  const server = createServer({ key: pki.read(pki.serverKey), cert: pki.read(pki.serverCert), ...options }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    clients.push(typeof peer.subject?.CN === 'string' ? peer.subject.CN : '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"items":[{"id":"e1"}]}');
  });
  // A refused handshake is the client's failure to report; the server just drops it.
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, clients };
}
