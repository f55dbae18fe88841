import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedSource } from '../../../src/config/resolved.js';
import { sourceSchema } from '../../../src/config/schema.js';
import { isHelError } from '../../../src/errors.js';
import type { Recording } from '../../../src/http/record/format.js';
import { recordingTransport } from '../../../src/http/record/recorder.js';
import { replayTransport } from '../../../src/http/record/replayer.js';
import type { HttpRequest, HttpResponse, HttpTransport, RequestContext } from '../../../src/http/transport.js';
import { tempDir } from '../../helpers/tmp.js';
import { SecretResolver } from '../../../src/secrets/resolver.js';

const context: RequestContext = { source: 'echo', signal: new AbortController().signal, page: 1 };

function source(): ResolvedSource {
  const config = sourceSchema.parse({ url: 'https://api.example.com/events', method: 'post' });
  return { ...config, name: 'echo', labelKey: 'source', labelValue: 'echo' };
}

/** Answers each request with the next scripted response, as a live API would. */
function scripted(responses: { status: number; body: Buffer; headers?: Record<string, string> }[]): HttpTransport {
  let n = 0;
  return {
    send(request: HttpRequest): Promise<HttpResponse> {
      const r = responses[n++]!;
      return Promise.resolve({ status: r.status, headers: r.headers ?? { 'content-type': 'application/json' }, body: r.body, url: request.url });
    },
  };
}

const post = (body: string, url = 'https://api.example.com/events'): HttpRequest => ({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body });

void test('identical requests get their recorded responses in order, from any host', async (t) => {
  const dir = tempDir(t);
  const pages = [Buffer.from('{"cursor":"same","items":[1]}'), Buffer.from('{"cursor":"same","items":[2]}'), Buffer.from([0xff, 0x00, 0xfe])];
  const recorder = recordingTransport(dir, source(), {
    secrets: new SecretResolver({ env: {}, path: join(dir, 'none') }),
    inner: scripted([
      { status: 200, body: pages[0]! },
      { status: 200, body: pages[1]! },
      { status: 503, body: pages[2]!, headers: { 'content-type': 'application/octet-stream' } },
    ]),
  });
  for (const body of ['{"cursor":"same"}', '{ "cursor": "same" }', '{}']) await recorder.send(post(body), context);
  assert.equal((JSON.parse(readFileSync(join(dir, 'echo', '0003.json'), 'utf8')) as Recording).response.bodyEncoding, 'base64');

  const replay = replayTransport(dir, source());
  const local = 'http://127.0.0.1:9/events';
  const first = await replay.send(post('{"cursor":"same"}', local), context);
  const second = await replay.send(post('{"cursor":"same"}', local), context);
  const third = await replay.send(post('{}', local), context);
  assert.deepEqual([first.body, second.body, third.body], pages);
  assert.equal(third.status, 503);
  assert.equal(third.headers['content-type'], 'application/octet-stream');

  await assert.rejects(replay.send(post('{"cursor":"same"}'), context), (err) => {
    assert.ok(isHelError(err) && err.code === 'HEL_REPLAY_MISMATCH');
    assert.match(err.message, /0001\.json POST \/events body \{"cursor":"same"\} \(used\)/);
    return true;
  });
});

void test('a redacted query value in a recording matches whatever the live request carries', async (t) => {
  const dir = tempDir(t);
  const recorder = recordingTransport(dir, source(), { secrets: new SecretResolver({ env: {}, path: join(dir, 'none') }), inner: scripted([{ status: 200, body: Buffer.from('{}') }]) });
  await recorder.send({ method: 'GET', url: 'https://api.example.com/events?page_token=abc123&limit=5', headers: {} }, context);
  assert.match(readFileSync(join(dir, 'echo', '0001.json'), 'utf8'), /page_token=REDACTED&limit=5/);

  const replay = replayTransport(dir, source());
  const response = await replay.send({ method: 'GET', url: 'https://elsewhere.test/events?limit=5&page_token=xyz', headers: {} }, context);
  assert.equal(response.status, 200);
});
