import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parse } from 'yaml';
import { validateYaml } from '../../helpers/validate-cli.js';

const read = (page: string) => readFileSync(fileURLToPath(new URL(`../../../../docs/${page}`, import.meta.url)), 'utf8');
const resilience = read('resilience.md');
/** The request-key pages: docs/resilience.md's "Request keys" section, and docs/tls.md. */
const DOCS = [
  { page: 'resilience.md#request-keys', text: resilience.slice(resilience.indexOf('## Request keys'), resilience.indexOf('\n## ', resilience.indexOf('## Request keys') + 1)) },
  { page: 'tls.md', text: read('tls.md') },
];

/** The fenced blocks of a page: `yaml` (complete configs) and `yaml fragment`. */
function blocks(text: string, info: string): string[] {
  return [...text.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === info).map((m) => m[2]!);
}

test('every complete YAML example of the request-key pages passes hel validate; every fragment parses', async (t) => {
  let complete = 0;
  for (const { page, text } of DOCS) {
    for (const yaml of blocks(text, 'yaml')) {
      const result = await validateYaml(t, yaml);
      assert.equal(result.code, 0, `${page}:\n${yaml}\n${result.stderr}`);
      complete++;
    }
    for (const fragment of blocks(text, 'yaml fragment')) assert.doesNotThrow(() => parse(fragment), `${page}:\n${fragment}`);
  }
  assert.ok(complete >= 3, `${complete} complete examples`);
});

test('hel validate: resilience.tls files that do not exist and variables that are not set; keys that need each other', async (t) => {
  const yaml = `sources:
  corp:
    url: https://audit.corp.example/api/events
    resilience:
      tls:
        ca_file: /nonexistent/corp-ca.pem
        client_cert_env: HEL_TEST_CLIENT_CERT
        client_key_file: /nonexistent/client.key
  rates:
    url: https://api.example.com/events
    resilience:
      rate_limit: { burst_size: 5 }
      circuit_breaker: { failure_rate_threshold: 0.5 }
`;
  const result = await validateYaml(t, yaml, { HEL_TEST_CLIENT_CERT: undefined });
  assert.equal(result.code, 2, result.stderr);
  assert.deepEqual(result.problems, [
    'hel.yaml:6:18 sources.corp.resilience.tls.ca_file: file /nonexistent/corp-ca.pem does not exist (give the path of the CA certificate (PEM))',
    'hel.yaml:7:26 sources.corp.resilience.tls.client_cert_env: HEL_TEST_CLIENT_CERT is not set (export HEL_TEST_CLIENT_CERT with the client certificate (PEM))',
    'hel.yaml:8:26 sources.corp.resilience.tls.client_key_file: file /nonexistent/client.key does not exist (give the path of the client private key (PEM))',
    'hel.yaml:12:33 sources.rates.resilience.rate_limit.burst_size: burst_size needs max_requests_per_second',
    'hel.yaml:13:24 sources.rates.resilience.circuit_breaker: failure_rate_threshold and minimum_requests go together: the rate is taken over the last minimum_requests polls',
  ]);
});
