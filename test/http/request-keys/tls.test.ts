import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { after, before, describe, it, type TestContext } from 'node:test';
import { composeTransport } from '../../../src/app/compose.js';
import { resilienceSchema } from '../../../src/config/schema.js';
import { isHelError, type HelError } from '../../../src/errors.js';
import { tlsOptions } from '../../../src/http/tls.js';
import type { HttpTransport } from '../../../src/http/transport.js';
import { BudgetRegistry } from '../../../src/resilience/budget.js';
import { FakeClock } from '../../helpers/clock.js';
import { context, thrown } from '../../helpers/transport-harness.js';
import { makeCertificates, type TestCertificates } from '../../helpers/test-certs.js';
import { tlsServer } from '../../helpers/tls-server.js';
import { SecretResolver } from '../../../src/secrets/resolver.js';

/** The source's whole request path as `hel run` builds it, with its own agent from `resilience.tls`. */
function transportWith(tls: Record<string, unknown> | undefined, env: NodeJS.ProcessEnv = {}): HttpTransport {
  const clock = new FakeClock();
  return composeTransport({
    source: 'secure',
    config: { resilience: resilienceSchema.parse({ timeout_secs: 5, retries: { max_attempts: 0 }, ...(tls ? { tls } : {}) }) },
    secrets: new SecretResolver({ env, path: '/nonexistent/hel-secrets.enc' }),
    clock,
    budgets: new BudgetRegistry(clock),
  });
}

const get = (url: string) => ({ method: 'GET' as const, url: `${url}/events`, headers: {} });

async function tlsFailure(t: TestContext, transport: HttpTransport, url: string): Promise<HelError> {
  const err = await thrown(() => transport.send(get(url), context()));
  assert.ok(isHelError(err), String(err));
  t.diagnostic(`${err.code}: ${err.message} — ${err.context.hint ?? ''}`);
  return err;
}

describe('resilience.tls against a loopback HTTPS server with certificates made by openssl', () => {
  let dir: string;
  let pki: TestCertificates;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hel-tls-'));
    pki = makeCertificates(dir, { serverAltNames: 'IP:127.0.0.1', clientName: 'hel-collector' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a server signed by a private CA is refused without ca_file, with a clear error and hint; not retried', async (t) => {
    const server = await tlsServer(t, pki);
    const err = await tlsFailure(t, transportWith(undefined), server.url);
    assert.equal(err.code, 'HEL_TLS');
    assert.match(err.message, /^the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)$/);
    assert.match(err.context.hint ?? '', /set resilience\.tls\.ca_file \(or ca_env\)/);
    assert.equal(server.clients.length, 0, 'no request was sent');
  });

  it('ca_file, ca_env and ca_only trust the private CA', async (t) => {
    const server = await tlsServer(t, pki);
    for (const [tls, env] of [
      [{ ca_file: pki.ca }, {}],
      [{ ca_env: 'HEL_TEST_CA' }, { HEL_TEST_CA: readFileSync(pki.ca, 'utf8') }],
      [{ ca_file: pki.ca, ca_only: true }, {}],
    ] as const) {
      const res = await transportWith(tls, env).send(get(server.url), context());
      assert.equal(res.status, 200, JSON.stringify(tls));
    }
    assert.equal(server.clients.length, 3);
  });

  it('ca_only replaces the system roots; without it the CA is added to them', () => {
    assert.equal(tlsOptions({ ca_file: pki.ca, ca_only: true }, {}, 's').ca?.length, 1);
    assert.equal(tlsOptions({ ca_file: pki.ca, ca_only: false }, {}, 's').ca?.length, rootCertificates.length + 1);
  });

  it('another CA than the one that signed the server is refused', async (t) => {
    const server = await tlsServer(t, pki);
    const err = await tlsFailure(t, transportWith({ ca_file: pki.otherCa, ca_only: true }), server.url);
    assert.equal(err.code, 'HEL_TLS');
  });

  it('mutual TLS: a server that requires a client certificate refuses Hel without one, and accepts client_cert_file/client_key_file or the _env forms', async (t) => {
    const mtls = { ca: readFileSync(pki.ca, 'utf8'), requestCert: true, rejectUnauthorized: true };
    // TLS 1.2 refuses in the handshake; a TLS 1.3 server may just close the connection once it has seen no certificate.
    const tls12 = await tlsServer(t, pki, { ...mtls, maxVersion: 'TLSv1.2' });
    const refused = await tlsFailure(t, transportWith({ ca_file: pki.ca }), tls12.url);
    assert.equal(refused.code, 'HEL_TLS');
    assert.match(refused.message, /the TLS handshake with 127\.0\.0\.1:\d+ failed \(ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE\)/);
    assert.match(refused.context.hint ?? '', /client_cert_\* and client_key_\*/);
    const server = await tlsServer(t, pki, mtls);
    const closed = await tlsFailure(t, transportWith({ ca_file: pki.ca }), server.url);
    assert.match(closed.context.hint ?? '', /client_cert_\* and client_key_\*/);

    const files = await transportWith({ ca_file: pki.ca, client_cert_file: pki.clientCert, client_key_file: pki.clientKey }).send(get(server.url), context());
    assert.equal(files.status, 200);
    const env = { CLIENT_CERT: readFileSync(pki.clientCert, 'utf8'), CLIENT_KEY: readFileSync(pki.clientKey, 'utf8') };
    const fromEnv = await transportWith({ ca_file: pki.ca, client_cert_env: 'CLIENT_CERT', client_key_env: 'CLIENT_KEY' }, env).send(get(server.url), context());
    assert.equal(fromEnv.status, 200);
    assert.deepEqual(server.clients, ['hel-collector', 'hel-collector'], 'the server saw the client certificate');
  });

  it('min_version: "1.3" refuses a server that offers at most TLS 1.2; "1.2" (or an unquoted 1.2) connects', async (t) => {
    const server = await tlsServer(t, pki, { maxVersion: 'TLSv1.2' });
    const err = await tlsFailure(t, transportWith({ ca_file: pki.ca, min_version: '1.3' }), server.url);
    assert.equal(err.code, 'HEL_TLS');
    assert.match(err.message, /the TLS handshake with 127\.0\.0\.1:\d+ failed \(ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION\)/);
    assert.match(err.context.hint ?? '', /min_version/);
    for (const version of ['1.2', 1.2]) {
      const res = await transportWith({ ca_file: pki.ca, min_version: version }).send(get(server.url), context());
      assert.equal(res.status, 200);
    }
  });

  it('unusable TLS settings fail when the source is built, naming the key and never showing the PEM', () => {
    const missing = (() => {
      try {
        transportWith({ ca_file: join(dir, 'nope.pem') });
      } catch (err) {
        return err as HelError;
      }
      throw new Error('expected an error');
    })();
    assert.equal(missing.code, 'HEL_CONFIG');
    assert.match(missing.message, /cannot read the CA certificate from .*nope\.pem: it does not exist/);
    assert.throws(() => transportWith({ ca_env: 'UNSET_CA' }), /UNSET_CA is not set/);

    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    assert.throws(
      () => transportWith({ client_cert_file: pki.clientCert, client_key_file: pki.serverKey }),
      (err: HelError) => {
        assert.equal(err.code, 'HEL_CONFIG');
        assert.match(err.message, /^resilience\.tls is not usable: .*key values mismatch/);
        assert.doesNotMatch(err.message, /BEGIN/);
        return true;
      },
    );
    assert.throws(
      () => transportWith({ ca_file: garbage }),
      (err: HelError) => err.code === 'HEL_CONFIG' && err.message === 'resilience.tls.ca_file holds no PEM certificate',
    );
  });
});
