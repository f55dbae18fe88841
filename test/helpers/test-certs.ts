import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENSURE = fileURLToPath(new URL('../../../scripts/ensure-debian-package.sh', import.meta.url));
const OPENSSL = '/usr/bin/openssl';

/** PEM file paths of a throwaway PKI. */
export interface TestCertificates {
  /** The test CA's certificate: what a client trusts with `ca_file`. */
  ca: string;
  caKey: string;
  /** A server certificate signed by the CA, for the alternative names asked for. */
  serverCert: string;
  serverKey: string;
  /** A client certificate signed by the CA, for mutual TLS. */
  clientCert: string;
  clientKey: string;
  /** A second CA that signed nothing here: trusting it alone must fail verification. */
  otherCa: string;
}

export interface CertificateOptions {
  /** The server certificate's subjectAltName (default both `IP:127.0.0.1` and `DNS:localhost`). */
  serverAltNames?: string;
  /** The client certificate's CN (PostgreSQL maps it to the user). */
  clientName?: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}

/** A self-signed P-256 CA in `dir`. */
function makeCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { cert, key };
}

function makeLeaf(dir: string, ca: { cert: string; key: string }, name: string, cn: string, extensions: string, serial: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`]);
  openssl(dir, ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', serial, '-out', cert, '-days', '2', '-extfile', ext]);
  return { cert, key };
}

/**
 * A throwaway CA with a server and a client certificate, made in `dir` (which the caller removes) by
 * Debian's openssl, installed by the project's script when missing.
 */
export function makeCertificates(dir: string, options: CertificateOptions = {}): TestCertificates {
  const { serverAltNames = 'IP:127.0.0.1,DNS:localhost', clientName = 'hel' } = options;
  execFileSync('sh', [ENSURE, OPENSSL, 'openssl'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  const ca = makeCa(dir, 'hel-test-ca');
  const other = makeCa(dir, 'other-ca');
  const server = makeLeaf(dir, ca, 'server', 'server', `subjectAltName=${serverAltNames}\nextendedKeyUsage=serverAuth\n`, '2');
  const client = makeLeaf(dir, ca, 'client', clientName, 'extendedKeyUsage=clientAuth\n', '3');
  return { ca: ca.cert, caKey: ca.key, serverCert: server.cert, serverKey: server.key, clientCert: client.cert, clientKey: client.key, otherCa: other.cert };
}
