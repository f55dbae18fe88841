import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENSURE = fileURLToPath(new URL('../../../scripts/ensure-debian-package.sh', import.meta.url));
const OPENSSL = '/usr/bin/openssl';

/** PEM file paths of a throwaway PKI: a CA, a server certificate for `localhost` only, a client certificate, and an unrelated CA. */
export interface TestCertificates {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: trusting it alone must fail verification. */
  otherCa: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: 'pipe' });
}

/**
 * Makes the certificates with Debian's openssl (installed when missing) in `dir`. The server
 * certificate names DNS:localhost and no IP address, so a connection to 127.0.0.1 verifies only
 * with an explicit server name.
 */
export function makeCertificates(dir: string, clientName = 'hel'): TestCertificates {
  execFileSync('sh', [ENSURE, OPENSSL, 'openssl'], { stdio: 'pipe' });
  const file = (name: string) => join(dir, name);
  for (const ca of ['ca', 'other-ca']) {
    openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=Hel test ${ca}`, '-keyout', `${ca}.key`, '-out', `${ca}.crt`]);
  }
  writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [['server', 'localhost'], ['client', clientName]] as const) {
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
  }
  return { ca: file('ca.crt'), serverCert: file('server.crt'), serverKey: file('server.key'), clientCert: file('client.crt'), clientKey: file('client.key'), otherCa: file('other-ca.crt') };
}
