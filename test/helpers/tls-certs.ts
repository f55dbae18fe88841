import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const OPENSSL = '/usr/bin/openssl';

export interface TestCerts {
  /** The test CA's certificate (PEM): what a client trusts with `ca_file`. */
  ca: string;
  caKey: string;
  /** A server certificate for 127.0.0.1 and localhost, signed by the CA. */
  serverCert: string;
  serverKey: string;
  /** A client certificate (CN hel-client) signed by the CA, for mutual TLS. */
  clientCert: string;
  clientKey: string;
  /** A second, unrelated CA: trusting it instead must fail. */
  otherCa: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}

/** A self-signed CA (P-256) in `dir`: returns the certificate and key paths. */
function makeCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { cert, key };
}

function makeLeaf(dir: string, ca: { cert: string; key: string }, name: string, extensions: string, serial: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  openssl(dir, ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', serial, '-out', cert, '-days', '2', '-extfile', ext]);
  return { cert, key };
}

/**
 * A throwaway CA with a server and a client certificate, made by Debian's openssl (installed by
 * the project's script when missing) in `dir`, which the caller removes.
 */
export function makeTestCerts(dir: string): TestCerts {
  execFileSync('sh', [join(REPO, 'scripts/ensure-debian-package.sh'), OPENSSL, 'openssl'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  const ca = makeCa(dir, 'hel-test-ca');
  const other = makeCa(dir, 'other-ca');
  const server = makeLeaf(dir, ca, 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n', '2');
  const client = makeLeaf(dir, ca, 'hel-client', 'extendedKeyUsage=clientAuth\n', '3');
  return { ca: ca.cert, caKey: ca.key, serverCert: server.cert, serverKey: server.key, clientCert: client.cert, clientKey: client.key, otherCa: other.cert };
}
