import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyBatch } from '../../../src/sink/backpressure/redeliver.js';
import { runCases, type Case } from '../../helpers/validate-cli.js';
import { hel, writeConfig } from '../../helpers/hel-process.js';
import { tempDir } from '../../helpers/tmp.js';
import { eventBatch } from '../../helpers/sink-batches.js';

const SRC = 'sources:\n  src:\n    url: https://a.example/\n';

/** A key that would change nothing is refused, never accepted and ignored. */
const cases: Case[] = [
  {
    name: 'drop_policy without strategy drop',
    yaml: `global:\n  backpressure:\n    drop_policy: random\n${SRC}`,
    problems: ['hel.yaml:3:18 global.backpressure.drop_policy: drop_policy drops events; it is used only with strategy: drop (strategy is block)'],
  },
  {
    name: 'max_queue_age_secs with disk_buffer',
    yaml: `global:\n  backpressure:\n    strategy: disk_buffer\n    disk_buffer: {path: ./spool/hel}\n    max_queue_age_secs: 30\n${SRC}`,
    problems: ['hel.yaml:5:25 global.backpressure.max_queue_age_secs: max_queue_age_secs drops events; it is used only with strategy: drop (strategy is disk_buffer)'],
  },
  {
    name: 'disk_buffer strategy without its path',
    yaml: `global:\n  backpressure:\n    strategy: disk_buffer\n${SRC}`,
    problems: ['hel.yaml:3:5 global.backpressure.disk_buffer: strategy disk_buffer needs disk_buffer.path (the spool file prefix)'],
  },
  {
    name: 'a strategy with enabled: false',
    yaml: `global:\n  backpressure:\n    enabled: false\n    strategy: drop\n${SRC}`,
    problems: ['hel.yaml:4:15 global.backpressure.strategy: strategy drop needs enabled: true'],
  },
  {
    name: 'an unknown detection key',
    yaml: `global:\n  backpressure:\n    detection:\n      queue_size: 10\n${SRC}`,
    problems: ['hel.yaml:4:7 global.backpressure.detection.queue_size: unknown key (valid keys: event_queue_size, stdout_buffer_size, memory_threshold_mb, stall_secs)'],
  },
  {
    name: 'a queue limit with disk_buffer',
    yaml: `global:\n  backpressure:\n    strategy: disk_buffer\n    disk_buffer: {path: ./spool/hel}\n    detection: {event_queue_size: 10}\n${SRC}`,
    problems: [
      'hel.yaml:5:35 global.backpressure.detection.event_queue_size: event_queue_size bounds the in-memory queue of strategies block and drop; disk_buffer is bounded by disk_buffer.max_size_mb',
    ],
  },
  {
    name: 'a stream name with a dot',
    yaml: `global:\n  output:\n    nats:\n      stream: hel.events\n${SRC}`,
    problems: ['hel.yaml:4:15 global.output.nats.stream: a string of 10 characters (not shown: it may be a secret) is not a stream name of letters, digits, _ -'],
  },
  {
    name: 'a NATS password variable that is not set',
    yaml: `global:\n  output:\n    nats:\n      auth: {type: user_password, user_env: HEL_NATS_USER, password_env: HEL_NATS_PASSWORD}\n${SRC}`,
    env: { HEL_NATS_USER: 'hel', HEL_NATS_PASSWORD: undefined },
    problems: ['hel.yaml:4:74 global.output.nats.auth.password_env: HEL_NATS_PASSWORD is not set (export HEL_NATS_PASSWORD with the NATS password)'],
  },
  {
    name: 'a NATS client certificate without its key',
    yaml: `global:\n  output:\n    nats:\n      tls: {ca_file: ca.pem, cert_file: client.pem}\n${SRC}`,
    problems: ['hel.yaml:4:41 global.output.nats.tls.cert_file: cert_file and key_file go together (a client certificate needs its key)'],
  },
  {
    name: 'a NATS auth type the client does not have',
    yaml: `global:\n  output:\n    nats:\n      auth: {type: kerberos}\n${SRC}`,
    problems: ['hel.yaml:4:20 global.output.nats.auth.type: unknown type "kerberos"; expected one of user_password, token, nkey, creds'],
  },
];

test('global.backpressure and global.output.nats: keys that would do nothing are refused with file:line and a reason', async (t) => {
  await runCases(t, cases);
});

test('a kept batch owns its bytes: reusing the page buffer afterwards does not change it', () => {
  const original = eventBatch('s', 0, 3);
  const kept = copyBatch(original);
  (original.bytes as Buffer).fill(0x20);
  assert.match(Buffer.from(kept.bytes).toString(), /^\{"uuid":"ev-0","n":0\}\n/);
});

test('global.output.nats with an output that is not nats:// is refused, not ignored', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, { global: { output: { nats: { subject: 'x.{source}' } } }, sources: { src: { url: 'http://127.0.0.1:9/events' } } });
  const result = await hel(['run', '--once', '-c', config, '--output', join(dir, 'out.ndjson')]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /global\.output\.nats is set in .*hel\.yaml, but the output is .*out\.ndjson, not nats:\/\/…/);
});
