import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHelError } from '../../../src/errors.js';
import { natsOutputSchema } from '../../../src/config/nats-schema.js';
import { NatsSink } from '../../../src/sink/nats/nats-sink.js';
import { subjectToken } from '../../../src/sink/nats/subject.js';
import { startNatsServer } from '../../helpers/nats-server.js';
import { eventBatch } from '../../helpers/sink-batches.js';
import { readStream } from '../../helpers/nats-stream.js';

const never = new AbortController().signal;

test('publishes one message per event on the source subject, creates the stream, and JetStream drops a re-sent page by Nats-Msg-Id', async (t) => {
  const server = await startNatsServer(t);
  const sink = await NatsSink.open({ url: new URL(server.url), config: natsOutputSchema.parse({}) });
  t.after(() => sink.close());
  assert.equal(sink.stream, 'HEL');
  assert.equal(sink.duplicateWindowMs, 600_000);

  await sink.write(eventBatch('okta.audit', 0, 50), never);
  await sink.write(eventBatch('op', 0, 10, 'op'), never);
  await sink.flush(never);
  // The same page again, as after a crash before the commit: stored once.
  await sink.write(eventBatch('okta.audit', 0, 50), never);
  await sink.flush(never);
  assert.equal(sink.duplicates, 50);
  assert.equal(sink.healthy(), true);
  // Equal dedupe ids from another source are other events: Nats-Msg-Id carries the source, so the
  // stream's duplicate window (which spans every subject) does not drop them.
  await sink.write(eventBatch('okta.system', 0, 5), never);
  await sink.flush(never);
  assert.equal(sink.duplicates, 50);

  const messages = await readStream(server.url, 'HEL');
  assert.equal(messages.length, 65);
  assert.deepEqual(
    messages.slice(60).map((m) => m.msgId),
    ['okta.system:ev-0', 'okta.system:ev-1', 'okta.system:ev-2', 'okta.system:ev-3', 'okta.system:ev-4'],
  );
  assert.equal(messages[0]!.subject, `hel.events.${subjectToken('okta.audit')}`);
  assert.equal(messages[0]!.subject, 'hel.events.okta~2eaudit');
  assert.deepEqual(JSON.parse(messages[0]!.data), { uuid: 'ev-0', n: 0 });
  assert.equal(messages[0]!.msgId, 'okta.audit:ev-0');
  assert.equal(messages.filter((m) => m.subject === 'hel.events.op').length, 10);
});

test('the URL path names the subject unless global.output.nats.subject does; an existing stream that does not capture it is refused', async (t) => {
  const server = await startNatsServer(t);
  const fromUrl = await NatsSink.open({ url: new URL(`${server.url}/audit.all`), config: natsOutputSchema.parse({ stream: 'AUDIT' }) });
  await fromUrl.write(eventBatch('a', 0, 3), never);
  await fromUrl.flush(never);
  await fromUrl.close();
  assert.deepEqual(
    (await readStream(server.url, 'AUDIT')).map((m) => m.subject),
    ['audit.all', 'audit.all', 'audit.all'],
  );

  await assert.rejects(
    NatsSink.open({ url: new URL(`${server.url}/audit.all`), config: natsOutputSchema.parse({ stream: 'AUDIT', subject: 'siem.{source}' }) }),
    (err: unknown) => isHelError(err) && err.code === 'HEL_OUTPUT' && /does not capture siem\.\*/.test(err.message),
  );
  await assert.rejects(
    NatsSink.open({ url: new URL(server.url), config: natsOutputSchema.parse({ stream: 'MISSING', create_stream: false }) }),
    (err: unknown) => isHelError(err) && /stream MISSING does not exist/.test(err.message),
  );
  await assert.rejects(
    NatsSink.open({ url: new URL(server.url), config: natsOutputSchema.parse({ subject: 'hel.*' }) }),
    (err: unknown) => isHelError(err) && err.code === 'HEL_CONFIG' && /not a valid publish subject/.test(err.message),
  );
});

test('a server that went away makes flush reject as unavailable (retryable) and the sink unhealthy; after the restart the same batches are delivered once', async (t) => {
  const server = await startNatsServer(t);
  const sink = await NatsSink.open({ url: new URL(server.url), config: natsOutputSchema.parse({ timeout_secs: 1 }) });
  t.after(() => sink.close());
  await sink.write(eventBatch('s', 0, 20), never);
  await sink.flush(never);

  await server.stop();
  const failed = await (async () => {
    try {
      await sink.write(eventBatch('s', 20, 20), never);
      await sink.flush(never);
      return undefined;
    } catch (err) {
      return err;
    }
  })();
  assert.ok(isHelError(failed) && failed.code === 'HEL_OUTPUT_UNAVAILABLE', String(failed));
  assert.equal(sink.healthy(), false);
  assert.match(sink.problem() ?? '', /nats:\/\/127\.0\.0\.1/);

  await server.start();
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await sink.write(eventBatch('s', 0, 40), never);
      await sink.flush(never);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  assert.equal(sink.healthy(), true);
  const ids = (await readStream(server.url, 'HEL')).map((m) => m.msgId);
  assert.equal(ids[0], 's:ev-0');
  assert.equal(ids.length, 40);
  assert.equal(new Set(ids).size, 40);
});
