import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loopbackProxy } from '../helpers/loopback-proxy.js';
import { hel, parseLines, writeConfig } from '../helpers/hel-process.js';
import { makeCertificates } from '../helpers/test-certs.js';
import { tempDir } from '../helpers/tmp.js';
import { tlsServer } from '../helpers/tls-server.js';

test('HTTPS_PROXY: hel run tunnels to a TLS API through a CONNECT proxy and verifies it with resilience.tls.ca_file; without the CA the tunnel is refused with HEL_TLS', async (t) => {
  const dir = tempDir(t);
  const pki = makeCertificates(dir, { serverAltNames: 'IP:127.0.0.1' });
  const api = await tlsServer(t, pki);
  const proxy = await loopbackProxy(t);
  // The test helpers set NO_PROXY=* for every child; here the proxy is the point.
  const env = { HTTPS_PROXY: proxy.url, NO_PROXY: '' };
  const cfg = writeConfig(dir, {
    global: { state: { backend: 'memory' } },
    sources: { private: { url: `${api.url}/events`, resilience: { retries: { max_attempts: 1 }, tls: { ca_file: pki.ca } } } },
  });
  const run = await hel(['run', '--once', '-c', cfg], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    parseLines(run.stdout).map((l) => l.event.id),
    ['e1'],
  );
  const port = new URL(api.url).port;
  assert.deepEqual(proxy.used, [`CONNECT 127.0.0.1:${port}`], 'one tunnel, and the request went inside it');
  assert.equal(api.clients.length, 1);

  const untrusted = writeConfig(dir, { global: { state: { backend: 'memory' } }, sources: { private: { url: `${api.url}/events`, resilience: { retries: { max_attempts: 1 } } } } }, 'untrusted.yaml');
  const refused = await hel(['run', '--once', '-c', untrusted], { env });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /the TLS certificate of 127\.0\.0\.1:\d+ is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\).*set resilience\.tls\.ca_file/);
  assert.equal(proxy.used.length, 2, 'the second run also went through the proxy');
  assert.equal(api.clients.length, 1, 'no request reached the API without trust');
});
